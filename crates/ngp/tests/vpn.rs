//! `ngp vpn profile` against a stand-in for the OpenVPN Access Server that keeps to its REST contract:
//! `GET /rest/GetUserlogin` with HTTP basic auth answers the user-locked profile, or 401.

mod common;

use common::access_server::{access_server, profile_for};
use common::*;

#[test]
fn downloads_the_profile_of_a_named_user() {
    let project = project_with(&["manager"]);
    let url = access_server(&[("alice", "s3cret-alice")]);
    let out = run(ngp(project.path())
        .args(["vpn", "profile", "--user", "alice", "--url", &url])
        .env("NGP_VPN_PASSWORD", "s3cret-alice"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), profile_for("alice"));
}

#[test]
fn writes_the_profile_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let project = project_with(&["manager"]);
    let url = access_server(&[("alice", "pw")]);
    let file = project.path().join("alice.ovpn");
    let out = run(ngp(project.path())
        .args(["vpn", "profile", "--user", "alice", "--url", &url, "-o"])
        .arg(&file)
        .env("NGP_VPN_PASSWORD", "pw"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), profile_for("alice"));
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_wrong_password_is_one_clear_error() {
    let project = project_with(&["manager"]);
    let url = access_server(&[("alice", "right")]);
    let out = run(ngp(project.path())
        .args(["vpn", "profile", "--user", "alice", "--url", &url])
        .env("NGP_VPN_PASSWORD", "wrong"));
    assert_one_error(
        &out,
        &format!("the Access Server at {url}/ refused user alice (401 Unauthorized)"),
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn plain_http_is_refused_off_the_loopback() {
    let project = project_with(&["manager"]);
    let out = run(ngp(project.path())
        .args([
            "vpn",
            "profile",
            "--user",
            "alice",
            "--url",
            "http://vpn.example.invalid",
        ])
        .env("NGP_VPN_PASSWORD", "x"));
    assert_one_error(
        &out,
        "refusing http://vpn.example.invalid/: a profile carries the user's key, so it is fetched over https only",
    );
}

#[test]
fn without_a_password_or_a_terminal_it_says_where_to_put_one() {
    let project = project_with(&["manager"]);
    let url = access_server(&[("alice", "right")]);
    let out = run(ngp(project.path())
        .args(["vpn", "profile", "--user", "alice", "--url", &url])
        .env_remove("NGP_VPN_PASSWORD"));
    assert_one_error(&out, "no password for VPN user alice: set NGP_VPN_PASSWORD");
}

#[test]
fn without_outputs_it_asks_for_an_apply() {
    let project = project_with(&["manager"]);
    let out = run(ngp(project.path()).args(["vpn", "profile", "--env", "dev"]));
    assert_one_error(&out, "environment dev has no workspace yet");
}
