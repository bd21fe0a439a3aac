//! Image pins. A module input named `*_image` (the contract, docs/modules.md) is a container image; by tag
//! (`name:tag`) it can change under the same name. `ngp images lock` asks each image's registry for the digest of
//! what the tag names now and keeps it in `ngp.images.lock`, beside the tfvars; every later plan hands the modules
//! `name:tag@sha256:<digest>`, which Docker pulls by digest alone. The lock changes only when it is run again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde::{Deserialize, Serialize};

/// The lock's file name, in the project folder.
pub const LOCK_FILE: &str = "ngp.images.lock";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{image}: {message}")]
    Resolve { image: String, message: String },
}

/// The file's shape: `{"pins": {"name:tag": "sha256:<64 hex>"}}`; any other key is refused.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub pins: BTreeMap<String, String>,
}

/// Whether `digest` is `sha256:` and 64 lower-case hex digits.
pub fn is_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Whether `image` names a tag and no digest: the images a pin applies to.
pub fn is_tagged(image: &str) -> bool {
    // The tag is written, not implied: a bare `name` parses as `name:latest`.
    let last = image.rsplit('/').next().unwrap_or(image);
    !image.contains('@') && last.contains(':') && image.parse::<Reference>().is_ok()
}

impl Lock {
    /// Reads the lock at `path`; no file is an empty lock.
    pub fn read(path: &Path) -> Result<Lock, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
            Err(source) => {
                return Err(Error::Read {
                    path: path.to_owned(),
                    source,
                })
            }
        };
        let parse = |line: usize, message: String| Error::Parse {
            path: path.to_owned(),
            line,
            message,
        };
        let lock: Lock = serde_json::from_str(&text).map_err(|e| {
            // serde_json ends its message with the place, which the line number already gives.
            let message = e.to_string();
            let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]);
            parse(e.line(), message.to_owned())
        })?;
        for (image, digest) in &lock.pins {
            let line = text
                .lines()
                .position(|l| l.contains(&format!("{image:?}")))
                .map_or(1, |i| i + 1);
            if !is_tagged(image) {
                return Err(parse(
                    line,
                    format!("pins: {image:?}: expected an image by tag, name:tag"),
                ));
            }
            if !is_digest(digest) {
                return Err(parse(
                    line,
                    format!("pins: {image}: expected sha256:<64 hex digits>, found {digest:?}"),
                ));
            }
        }
        Ok(lock)
    }

    /// Writes the lock whole: a temporary file beside it, then a rename.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let write = || -> std::io::Result<()> {
            let mut text = serde_json::to_string_pretty(self)?;
            text.push('\n');
            ngp_fs::write_atomic(path, text.as_bytes(), ngp_fs::Mode::Keep)
        };
        write().map_err(|source| Error::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// `image` pinned (`name:tag@sha256:...`) when the lock has its tag; `None` otherwise, or when it already
    /// names a digest.
    pub fn pinned(&self, image: &str) -> Option<String> {
        if !is_tagged(image) {
            return None;
        }
        self.pins.get(image).map(|digest| format!("{image}@{digest}"))
    }
}

/// The digest of the manifest (or index, for a multi-platform image) that `image`'s tag names now, as its
/// registry answers; anonymous, as nodes pull. A registry on loopback is asked over plain HTTP, as Docker
/// treats 127.0.0.0/8; every other one over HTTPS.
pub async fn resolve(image: &str) -> Result<String, Error> {
    let fail = |message: String| Error::Resolve {
        image: image.to_owned(),
        message,
    };
    let reference: Reference = image
        .parse()
        .map_err(|e| fail(format!("not an image reference: {e}")))?;
    if !is_tagged(image) {
        return Err(fail("expected an image by tag, name:tag".into()));
    }
    let host = reference.resolve_registry().to_owned();
    let loopback = host.starts_with("127.") || host.starts_with("localhost:") || host == "localhost";
    let protocol = if loopback {
        ClientProtocol::HttpsExcept(vec![host.clone()])
    } else {
        ClientProtocol::Https
    };
    let client = Client::new(ClientConfig {
        protocol,
        connect_timeout: Some(std::time::Duration::from_secs(10)),
        read_timeout: Some(std::time::Duration::from_secs(30)),
        ..Default::default()
    });
    let digest = client
        .fetch_manifest_digest(&reference, &RegistryAuth::Anonymous)
        .await
        .map_err(|e| fail(format!("the registry {host} did not give a digest: {}", root_cause(&e))))?;
    if !is_digest(&digest) {
        return Err(fail(format!(
            "the registry {host} answered {digest:?}, which is not a sha256 digest"
        )));
    }
    Ok(digest)
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_pin_applies_to_its_tag_only() {
        let lock = Lock {
            pins: [("registry:2.8.3".to_owned(), DIGEST.to_owned())].into(),
        };
        assert_eq!(lock.pinned("registry:2.8.3"), Some(format!("registry:2.8.3@{DIGEST}")));
        assert_eq!(lock.pinned("registry:2.8.2"), None);
        assert_eq!(lock.pinned(&format!("registry:2.8.3@{DIGEST}")), None, "already pinned");
        assert_eq!(lock.pinned("registry"), None, "no tag");
    }

    #[test]
    fn the_lock_round_trips_and_refuses_what_it_does_not_know() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        assert_eq!(Lock::read(&path).unwrap(), Lock::default());
        let lock = Lock {
            pins: [("jenkins/jenkins:2.568.2-lts-jdk21".to_owned(), DIGEST.to_owned())].into(),
        };
        lock.write(&path).unwrap();
        assert_eq!(Lock::read(&path).unwrap(), lock);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left"
        );

        let cases = [
            ("{\"pins\": {}, \"extra\": 1}", ":1: unknown field `extra`"),
            (
                "{\"pins\": {\n  \"redis:7\": \"sha256:abc\"\n}}",
                ":2: pins: redis:7: expected sha256:<64 hex digits>, found \"sha256:abc\"",
            ),
            (
                &format!("{{\"pins\": {{\n\n  \"redis\": \"{DIGEST}\"\n}}}}"),
                ":3: pins: \"redis\": expected an image by tag",
            ),
            ("{\"pins\": {", ":1: EOF while parsing an object"),
            ("{\"pins\": []}", ":1: invalid type: sequence, expected a map"),
        ];
        for (text, expected) in cases {
            std::fs::write(&path, text).unwrap();
            let message = Lock::read(&path).unwrap_err().to_string();
            assert!(
                message.starts_with(&format!("{}{expected}", path.display())),
                "{message}"
            );
        }
    }
}
