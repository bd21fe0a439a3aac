//! What the refresher's tests and benches share: the local AWS emulator, and the refresher pointed at it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// The emulator's account and region, as its ECR names the registry.
pub const REGISTRY: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

pub use ngp_testing::moto;

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
