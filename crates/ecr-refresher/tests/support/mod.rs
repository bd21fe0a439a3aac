//! What the refresher's tests and benches share: the local AWS emulator, and the refresher pointed at it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// The emulator's account and region, as its ECR names the registry.
pub const REGISTRY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// A running emulator, stopped when dropped; `None` when moto is not installed (`ngp setup`), unless the run
/// requires every tool.
pub struct Moto(ngp_local::LocalMode, pub String);

impl Moto {
    pub fn start(state: &Path) -> Option<Moto> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let local = ngp_local::LocalMode {
            venv: repo.join(".ngp/venv"),
            state_dir: state.to_owned(),
            python: "python3".into(),
        };
        if !local.installed() {
            assert!(
                std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
                "moto is not installed: run `ngp setup`"
            );
            eprintln!("skipped: moto is not installed (run `ngp setup`)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (emulator, _) = local.up(port, |_| {}).unwrap();
        Some(Moto(local, emulator.endpoint()))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.down();
    }
}

pub fn refresher(binary: impl AsRef<std::ffi::OsStr>, endpoint: &str, output: &Path) -> Command {
    let mut cmd = Command::new(binary);
    cmd.arg("--output")
        .arg(output)
        .arg("--auths-dir")
        .arg(output.with_file_name("docker-auths"))
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE");
    cmd
}
