//! Local mode's stand-ins for the secrets of services a double replaces (a module's `local_mode_secrets`):
//! each drawn at random once, kept in the workspace (0600) so that a re-plan changes nothing, and handed to
//! terraform as `TF_VAR_<name>`, never in a tfvars file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use ngp_config::Settings;
use ngp_modules::Catalog;
use ring::rand::{SecureRandom, SystemRandom};

use crate::project::write_private;

/// The file, in the local workspace, that keeps the drawn values.
pub const FILE: &str = "local-secrets.json";

/// The values drawn so far, and whether this run drew any.
pub struct LocalSecrets {
    path: PathBuf,
    values: BTreeMap<String, String>,
    drawn: bool,
}

impl LocalSecrets {
    /// Reads the kept values; none when the file does not exist yet.
    pub fn load(path: PathBuf) -> Result<Self> {
        let values = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{}: not a JSON object of strings; delete it and local mode draws new values",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Ok(LocalSecrets {
            path,
            values,
            drawn: false,
        })
    }

    /// For every enabled module's local-mode secret that no `TF_VAR_*` sets: its kept value, or a new one.
    /// Returns the `TF_VAR_<name>` variables for terraform's environment.
    pub fn supply(
        &mut self,
        catalog: &Catalog,
        modules: &[String],
        settings: &mut Settings,
    ) -> Result<Vec<(String, String)>> {
        let mut vars = Vec::new();
        for name in modules {
            for key in &catalog.modules[name].meta.local_mode_secrets {
                if settings.get(key).is_some() {
                    continue;
                }
                let value = match self.values.get(key) {
                    Some(kept) => kept.clone(),
                    None => self.draw(key)?,
                };
                settings.add_secret(key, format!("drawn for local mode (.ngp/local/{FILE})"));
                vars.push((format!("TF_VAR_{key}"), value));
            }
        }
        Ok(vars)
    }

    /// 32 random bytes, as hex: letters and digits, which any credential format here takes.
    fn draw(&mut self, key: &str) -> Result<String> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| anyhow::anyhow!("the system's random source failed"))?;
        let value = hex::encode(bytes);
        self.values.insert(key.to_owned(), value.clone());
        self.drawn = true;
        Ok(value)
    }

    /// Keeps what this run drew, owner-only.
    pub fn save(&self) -> Result<()> {
        if !self.drawn {
            return Ok(());
        }
        write_private(&self.path, &serde_json::to_vec_pretty(&self.values)?)
    }
}
