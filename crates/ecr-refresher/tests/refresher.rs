//! The refresher against the local AWS emulator's ECR: the archive it writes, and its atomicity under SIGKILL.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use base64::Engine;

mod support;
use support::{moto, REGISTRY};

/// The archive's entries, and the Docker config in it; panics on anything short of a whole archive.
fn read_archive(path: &Path) -> (Vec<String>, serde_json::Value) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let mut names = Vec::new();
    let mut config = serde_json::Value::Null;
    for entry in archive.entries().expect("a tar.gz") {
        let mut entry = entry.expect("a whole entry");
        names.push(entry.path().unwrap().display().to_string());
        if entry.header().entry_type().is_file() {
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("the whole config");
            config = serde_json::from_str(&text).expect("whole JSON");
        }
    }
    (names, config)
}

#[test]
fn the_archive_holds_an_ecr_login_for_the_registry() {
    let state = tempfile::tempdir().unwrap();
    let Some(moto) = moto(state.path()) else { return };
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("docker.tar.gz");
    // The private registry's auth, as the docker-registry module has the agents write it.
    std::fs::create_dir(out.path().join("docker-auths")).unwrap();
    std::fs::write(
        out.path().join("docker-auths/docker-registry.json"),
        r#"{"192.168.0.1:5000": {"auth": "bmdwOnNlY3JldA=="}}"#,
    )
    .unwrap();
    let run = support::refresher(env!("CARGO_BIN_EXE_ngp-ecr-refresher"), &moto.1, &archive)
        .arg("--once")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));

    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&archive).unwrap().permissions().mode() & 0o777, 0o600);
    let (names, config) = read_archive(&archive);
    assert!(names.contains(&".docker/config.json".to_owned()), "{names:?}");
    let auth = config["auths"][REGISTRY]["auth"]
        .as_str()
        .expect("an auth for the registry host");
    let decoded = base64::engine::general_purpose::STANDARD.decode(auth).unwrap();
    let decoded = String::from_utf8(decoded).unwrap();
    let (user, token) = decoded.split_once(':').unwrap();
    assert_eq!(user, "AWS");
    assert!(!token.is_empty());
    assert_eq!(config["auths"]["192.168.0.1:5000"]["auth"], "bmdwOnNlY3JldA==");
}

/// SIGKILL at random moments while the refresher rewrites the archive as fast as it can: after every kill the
/// archive is whole, and the next start removes what the kill left.
#[test]
fn a_kill_mid_write_never_leaves_a_broken_archive() {
    let state = tempfile::tempdir().unwrap();
    let Some(moto) = moto(state.path()) else { return };
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("docker.tar.gz");
    let mut leftovers = 0;
    for round in 0..60 {
        let before = std::fs::read(&archive).ok();
        let mut child: Child = support::refresher(env!("CARGO_BIN_EXE_ngp-ecr-refresher"), &moto.1, &archive)
            .args(["--interval", "1ms", "--listen", "127.0.0.1:0"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 + fastrand::u64(0..160)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if before.is_none() && !archive.exists() {
            continue; // killed before the first write
        }
        let (names, config) = read_archive(&archive);
        assert_eq!(names, [".docker/", ".docker/config.json"], "round {round}");
        assert!(config["auths"][REGISTRY]["auth"].is_string(), "round {round}: {config}");
        leftovers = temporary_files(out.path()).len().max(leftovers);
        assert!(leftovers <= 1, "round {round}: {:?}", temporary_files(out.path()));
    }
    assert!(archive.exists(), "no round wrote the archive");
    // A clean run removes a leftover of the last kill.
    let run = support::refresher(env!("CARGO_BIN_EXE_ngp-ecr-refresher"), &moto.1, &archive)
        .arg("--once")
        .output()
        .unwrap();
    assert!(run.status.success());
    assert_eq!(temporary_files(out.path()), Vec::<PathBuf>::new());
}

fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".ngp-ecr-"))
        .collect()
}
