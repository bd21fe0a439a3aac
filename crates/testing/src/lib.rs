//! What the test suites share, written once: a skip that is a failure where every tool must be there
//! (`NGP_REQUIRE_TOOLS`, as CI sets it), the reference material beside the repository (`../shared/reference`),
//! and the local AWS emulator (moto) started for one test and stopped when it ends.

use std::path::{Path, PathBuf};

/// The repository's root folder.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether this run requires every tool and file the tests use (`NGP_REQUIRE_TOOLS`).
pub fn required() -> bool {
    std::env::var_os("NGP_REQUIRE_TOOLS").is_some()
}

/// Says the test skips because `what` is missing, and how to get it; under `NGP_REQUIRE_TOOLS` the test fails
/// with that line instead.
pub fn skip(what: &str, how: &str) {
    assert!(
        !required(),
        "{what} is missing, and NGP_REQUIRE_TOOLS requires it: {how}"
    );
    eprintln!("skipped: {what} is missing ({how})");
}

/// `../shared/reference/<path>` beside the repository, or `None` after [`skip`]: a user's clone lacks it.
pub fn reference(path: &str) -> Option<PathBuf> {
    let full = repo().join("../shared/reference").join(path);
    if full.exists() {
        return Some(full);
    }
    skip(
        &format!("../shared/reference/{path}"),
        "the reference material is beside the repository on NGP's machines, not in a clone",
    );
    None
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running local AWS emulator and its endpoint, stopped when dropped.
pub struct Moto(ngp_local::LocalMode, pub String);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.down();
    }
}

/// Starts the local AWS emulator with its state in `state`, on a free loopback port; `None` after [`skip`] where
/// moto is not installed.
pub fn moto(state: &Path) -> Option<Moto> {
    let local = ngp_local::LocalMode {
        venv: repo().join(".ngp/venv"),
        state_dir: state.to_owned(),
        python: "python3".into(),
    };
    if !local.installed() {
        skip("moto", "run `ngp setup`");
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
