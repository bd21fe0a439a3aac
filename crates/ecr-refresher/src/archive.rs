//! The archive Marathon apps fetch to pull private images: `.docker/config.json` with an `auths` entry per
//! registry host, in a gzip-compressed tar (the layout DC/OS documents for `fetch`).

use std::io::{self, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use flate2::{write::GzEncoder, Compression};

use crate::login::Login;

/// Auths by registry host: `{"<host>": {"auth": "<base64 user:password>"}}`.
pub type Auths = serde_json::Map<String, serde_json::Value>;

/// Docker's client configuration: `{"auths": {...}}`, ECR's logins over the other registries' auths.
pub fn docker_config(logins: &[Login], others: Auths) -> serde_json::Value {
    let mut auths = others;
    for login in logins {
        auths.insert(login.host.clone(), serde_json::json!({ "auth": login.auth }));
    }
    serde_json::json!({ "auths": auths })
}

/// The other registries' auths: every `*.json` file in `dir` (none when it does not exist), each an object of
/// host => `{"auth": "<base64>"}`. A file that is not is an error that names it, and the last archive stays.
pub fn read_auths_dir(dir: &Path) -> Result<Auths> {
    let mut auths = Auths::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(auths),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let file: Auths = serde_json::from_slice(&text).with_context(|| {
            format!(
                "{}: expected a JSON object of registry host => {{\"auth\": ...}}",
                path.display()
            )
        })?;
        for (host, entry) in file {
            if !entry.get("auth").is_some_and(|a| a.is_string()) {
                bail!(
                    "{}: {host}: expected {{\"auth\": \"<base64 user:password>\"}}",
                    path.display()
                );
            }
            auths.insert(host, entry);
        }
    }
    Ok(auths)
}

/// `.docker/` and `.docker/config.json` (owner-only: it holds a live credential), gzip-compressed.
pub fn tar_gz(config_json: &[u8]) -> io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o700);
    dir.set_size(0);
    tar.append_data(&mut dir, ".docker/", io::empty())?;
    let mut file = tar::Header::new_gnu();
    file.set_mode(0o600);
    file.set_size(config_json.len() as u64);
    tar.append_data(&mut file, ".docker/config.json", config_json)?;
    let mut gz = tar.into_inner()?;
    gz.flush()?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_archive_holds_the_docker_config_and_nothing_else() {
        let logins = [Login {
            host: "123.dkr.ecr.eu-west-1.amazonaws.com".into(),
            auth: "QVdTOnNlY3JldA==".into(),
            expires_at: None,
        }];
        let config = serde_json::to_vec(&docker_config(&logins, Auths::new())).unwrap();
        let bytes = tar_gz(&config).unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        let mut names = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            names.push((
                entry.path().unwrap().display().to_string(),
                entry.header().mode().unwrap(),
            ));
            if entry.header().entry_type().is_file() {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(
                    value["auths"]["123.dkr.ecr.eu-west-1.amazonaws.com"]["auth"],
                    "QVdTOnNlY3JldA=="
                );
            }
        }
        assert_eq!(
            names,
            [
                (".docker/".to_owned(), 0o700),
                (".docker/config.json".to_owned(), 0o600)
            ]
        );
    }

    #[test]
    fn other_registries_join_ecr_and_a_bad_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_auths_dir(&dir.path().join("absent")).unwrap().is_empty());
        std::fs::write(
            dir.path().join("registry.json"),
            r#"{"192.168.0.1:5000": {"auth": "bmdwOnB3"}}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
        let others = read_auths_dir(dir.path()).unwrap();
        let login = Login {
            host: "1.dkr.ecr.r.amazonaws.com".into(),
            auth: "QVdTOng=".into(),
            expires_at: None,
        };
        let config = docker_config(&[login], others);
        assert_eq!(config["auths"]["192.168.0.1:5000"]["auth"], "bmdwOnB3");
        assert_eq!(config["auths"]["1.dkr.ecr.r.amazonaws.com"]["auth"], "QVdTOng=");

        std::fs::write(dir.path().join("broken.json"), r#"{"host": {"user": "x"}}"#).unwrap();
        let err = read_auths_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.ends_with(r#"broken.json: host: expected {"auth": "<base64 user:password>"}"#),
            "{err}"
        );
    }
}
