//! `ngp doctor`: an environment's prerequisites, checked against an account (here the AWS emulator, reached
//! through AWS_ENDPOINT_URL exactly as a real account would be) and in local mode.

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use axum::routing::get;
use common::*;
use sha2::{Digest, Sha256};

const INSTALLER: &[u8] = b"#!/bin/sh\necho 'a stand-in for dcos_generate_config.sh'\n";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn with_port(dir: &Path, port: u16) -> Command {
    let mut cmd = ngp(dir);
    cmd.env("NGP_LOCAL_VENV", repo().join(".ngp/venv"))
        .env("NGP_LOCAL_PORT", port.to_string());
    cmd
}

/// `ngp doctor` for a real account: the emulator stands in for AWS, through the standard endpoint variable.
fn doctor_on_account(dir: &Path, port: u16, extra: &[&str]) -> std::process::Output {
    run(with_port(dir, port)
        .args(["doctor", "--env", "dev"])
        .args(extra)
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE"))
}

struct EmulatorGuard<'a>(&'a Path, u16);

impl Drop for EmulatorGuard<'_> {
    fn drop(&mut self) {
        let _ = with_port(self.0, self.1).args(["local", "down"]).output();
    }
}

#[test]
fn local_mode_without_the_emulator_fails_on_it() {
    if skip_without_terraform() {
        return;
    }
    let project = project_with(&["manager"]);
    let out = run(with_port(project.path(), free_port()).args(["doctor", "--env", "local"]));
    assert_one_error(&out, "1 check failed for environment local");
    let printed = stdout(&out);
    assert!(printed.contains("ok    terraform: "), "{printed}");
    assert!(
        printed.contains("FAIL  emulator: not running: start it with `ngp local up`"),
        "{printed}"
    );
}

#[test]
fn missing_tfvars_fail_the_configuration_check() {
    if skip_without_terraform() {
        return;
    }
    let project = project_with(&["manager", "dcos"]);
    std::fs::write(
        project.path().join("ngp.tfvars"),
        "modules = [\"manager\", \"dcos\"]\naws_region = \"us-east-1\"\n",
    )
    .unwrap();
    let out = run(ngp(project.path()).args(["doctor", "--env", "dev"]));
    assert_one_error(&out, "1 check failed for environment dev");
    let printed = stdout(&out);
    assert!(printed.contains("FAIL  configuration: no value for "), "{printed}");
    assert!(
        printed.contains("dcos_installer_sha256 (used by dcos), dcos_installer_url (used by dcos)"),
        "{printed}"
    );
}

#[test]
fn checks_an_account_then_local_mode() {
    if skip_without_terraform() {
        return;
    }
    let project = project_with(&["manager", "dcos"]);
    let dir = project.path();
    let port = free_port();
    let _guard = EmulatorGuard(dir, port);
    let started = run(with_port(dir, port).args(["local", "up"]));
    assert!(started.status.success(), "{}", stderr(&started));

    let installer = serve(axum::Router::new().route("/dcos_generate_config.sh", get(|| async { INSTALLER })));
    let url = format!("{installer}/dcos_generate_config.sh");
    let sha256 = hex::encode(Sha256::digest(INSTALLER));
    let init = run(ngp(dir).args(["init", "--modules", "manager,dcos"]));
    assert!(init.status.success(), "{}", stderr(&init));
    let overlay = format!(
        "aws_region = \"us-east-1\"\ndomain = \"example.org\"\ncreate_dns_zone = false\n\
         dcos_installer_url = \"{url}\"\ndcos_installer_sha256 = \"{sha256}\"\n"
    );
    std::fs::write(dir.join("ngp.dev.tfvars"), &overlay).unwrap();

    // No hosted zone, and no Flatcar image in this "account": two failures, each saying what is wrong.
    let out = doctor_on_account(dir, port, &[]);
    assert_one_error(&out, "2 checks failed for environment dev");
    let printed = stdout(&out);
    for expected in [
        "ok    region: us-east-1",
        "ok    credentials: account 123456789012 as arn:aws:sts::123456789012:",
        "FAIL  hosted zone: no public hosted zone example.org. in this account",
        "FAIL  images: terraform plan failed: ",
        &format!("ok    installer: {url} answers"),
    ] {
        assert!(printed.contains(expected), "expected {expected:?} in:\n{printed}");
    }
    assert!(printed.contains("Your query returned no results"), "{printed}");

    // With the zone made and images that exist, everything passes, the installer's sha256 included.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = ngp_aws::sdk_config("us-east-1", Some(&format!("http://127.0.0.1:{port}"))).await;
        aws_sdk_route53::Client::new(&config)
            .create_hosted_zone()
            .name("example.org")
            .caller_reference("ngp-doctor-test")
            .send()
            .await
            .unwrap();
    });
    let overlay = format!("{overlay}ami_owners = [\"137112412989\"]\nami_name_filter = \"al2023-ami-2023.*-x86_64\"\n");
    std::fs::write(dir.join("ngp.dev.tfvars"), &overlay).unwrap();
    let out = doctor_on_account(dir, port, &["--download"]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    for expected in [
        "ok    hosted zone: example.org. is ",
        "ok    images: 2 lookups resolve",
        &format!("ok    installer: {url} matches its sha256 ({} bytes)", INSTALLER.len()),
        "Environment dev is ready to apply.",
    ] {
        assert!(printed.contains(expected), "expected {expected:?} in:\n{printed}");
    }

    // A different file behind the URL is caught by the download.
    let other = hex::encode(Sha256::digest(b"another file"));
    std::fs::write(dir.join("ngp.dev.tfvars"), overlay.replace(&sha256, &other)).unwrap();
    let out = doctor_on_account(dir, port, &["--download"]);
    assert_one_error(&out, "1 check failed for environment dev");
    assert!(
        stdout(&out).contains(&format!(
            "FAIL  installer: {url} has sha256 {sha256}, not the pinned dcos_installer_sha256 {other}"
        )),
        "{}",
        stdout(&out)
    );

    // Local mode checks the emulator in the account's place.
    let out = run(with_port(dir, port).args(["doctor", "--env", "local"]));
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    for expected in [
        &format!("ok    emulator: answers at http://127.0.0.1:{port}"),
        "ok    credentials: account 123456789012",
        "ok    images: 2 lookups resolve",
        "skip  installer: never fetched in local mode",
        "Environment local is ready to apply.",
    ] {
        assert!(printed.contains(expected), "expected {expected:?} in:\n{printed}");
    }
}
