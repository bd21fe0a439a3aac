//! The emulator driven by a real Marathon client that nobody in NGP wrote: marathon-python (PyPI `marathon`
//! 0.13.0), through `tests/python-client/drive.py`. It sends query booleans as Python prints them (`force=False`),
//! which Marathon's Jersey reads in any case. Every call its users make must succeed.
//!
//! The client's Python is `$NGP_MARATHON_CLIENT_PYTHON`, else `.ngp/marathon-client-venv/bin/python` (CI installs
//! it there); without it the test skips, except under `NGP_REQUIRE_TOOLS`, where it fails.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use ngp_marathon_emulator::Config;

const CALLS: &[&str] = &[
    "ping",
    "info",
    "leader",
    "app create",
    "app get",
    "app list",
    "app scale",
    "app update",
    "app restart",
    "app versions",
    "tasks",
    "queue",
    "deployments",
    "app delete",
    "group create",
    "group update",
    "group get",
    "group delete",
];

fn client_python() -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("NGP_MARATHON_CLIENT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join(".ngp/marathon-client-venv/bin/python"));
    let works = Command::new(&python)
        .args(["-c", "import marathon"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        let how = format!(
            "{} cannot import marathon: pip install marathon==0.13.0 there, or set NGP_MARATHON_CLIENT_PYTHON",
            python.display()
        );
        ngp_testing::skip("marathon-python", &how);
    }
    works.then_some(python)
}

/// The emulator on a loopback port, served from a thread of its own.
fn emulator() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let config = Config {
                deployment_delay: Duration::from_millis(50),
                ..Config::default()
            };
            ngp_marathon_emulator::serve(listener, config).await.unwrap();
        });
    });
    url
}

#[test]
fn marathon_python_makes_every_call_its_users_make() {
    let Some(python) = client_python() else { return };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python-client/drive.py");
    let out = Command::new(python).arg(script).arg(emulator()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let called: Vec<&str> = results.iter().map(|r| r["call"].as_str().unwrap()).collect();
    assert_eq!(called, CALLS, "the driver made every call, in order");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r["ok"] != true)
        .map(|r| format!("{}: {}", r["call"], r["detail"]))
        .collect();
    assert!(failed.is_empty(), "calls the emulator refused:\n{}", failed.join("\n"));
}
