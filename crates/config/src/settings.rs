//! The layered settings of one environment: ngp.tfvars, then ngp.<env>.tfvars, then `TF_VAR_*`, each value with
//! where it was set, and the checks on names (environments, modules) that those files use.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Error, TfvarsFile, Value};

/// The user's base configuration file, at the project root.
pub const BASE_FILE: &str = "ngp.tfvars";

/// The tfvars key that lists the enabled modules. ngp reads it; Terraform never sees it.
pub const MODULES_KEY: &str = "modules";

/// The overlay file of an environment: `ngp.<env>.tfvars`.
pub fn env_overlay_file(env: &str) -> String {
    format!("ngp.{env}.tfvars")
}

/// Checks an environment name: it becomes a folder and a file name, so it is kept plain.
pub fn validate_env_name(name: &str) -> Result<(), Error> {
    if is_plain_name(name, 32, |c| c.is_ascii_lowercase() || c.is_ascii_digit(), &['-']) {
        Ok(())
    } else {
        Err(Error::EnvName { name: name.to_owned() })
    }
}

/// The rule every name ngp turns into folders, files and identifiers follows: at most `max` characters, a
/// first one that `first` accepts, then lower-case letters, digits and the `extra` characters.
pub fn is_plain_name(name: &str, max: usize, first: impl Fn(char) -> bool, extra: &[char]) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(first)
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
        && name.len() <= max
}

/// Where a setting's value came from. The later layer wins: defaults, then `ngp.tfvars`, then
/// `ngp.<env>.tfvars`, then `TF_VAR_*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A module's value for local mode (see `local_mode_inputs` in the module's metadata).
    Default {
        what: String,
    },
    File {
        path: PathBuf,
        line: usize,
    },
    Env {
        var: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default { what } => write!(f, "{what}"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Env { var } => write!(f, "${var}"),
        }
    }
}

/// One effective value. Values from `TF_VAR_*` are left to Terraform to parse, as Terraform does, so their
/// `value` is `None`: ngp never writes them to disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: Option<Value>,
    pub origin: Origin,
}

/// The layered settings of one environment.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    values: BTreeMap<String, Setting>,
    files: Vec<PathBuf>,
}

impl Settings {
    /// Reads `<dir>/ngp.tfvars`, then `<dir>/ngp.<env>.tfvars` when `env` is given, then `TF_VAR_*` from
    /// `env_vars`. Either file may be absent.
    pub fn load<I>(dir: &Path, env: Option<&str>, env_vars: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let mut settings = Settings::default();
        let mut paths = vec![dir.join(BASE_FILE)];
        if let Some(env) = env {
            validate_env_name(env)?;
            paths.push(dir.join(env_overlay_file(env)));
        }
        for path in paths {
            if let Some(file) = TfvarsFile::read_optional(&path)? {
                settings.apply_file(file);
                settings.files.push(path);
            }
        }
        for (var, _) in env_vars {
            if let Some(key) = var.strip_prefix("TF_VAR_") {
                if !key.is_empty() {
                    let origin = Origin::Env { var: var.clone() };
                    settings.values.insert(key.to_owned(), Setting { value: None, origin });
                }
            }
        }
        Ok(settings)
    }

    fn apply_file(&mut self, file: TfvarsFile) {
        for (key, value, line) in file.entries {
            let origin = Origin::File {
                path: file.path.clone(),
                line,
            };
            self.values.insert(
                key,
                Setting {
                    value: Some(value),
                    origin,
                },
            );
        }
    }

    /// The files that were read, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Adds a value below every layer: it applies only where no file and no `TF_VAR_*` sets the key.
    pub fn add_default(&mut self, key: &str, value: Value, what: impl Into<String>) {
        self.values.entry(key.to_owned()).or_insert(Setting {
            value: Some(value),
            origin: Origin::Default { what: what.into() },
        });
    }

    /// Marks a secret as set outside every file (its value goes to Terraform as `TF_VAR_<key>`), where no file
    /// and no `TF_VAR_*` sets it: `what` says where it comes from.
    pub fn add_secret(&mut self, key: &str, what: impl Into<String>) {
        self.values.entry(key.to_owned()).or_insert(Setting {
            value: None,
            origin: Origin::Default { what: what.into() },
        });
    }

    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.values.get(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Setting)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The enabled modules (`modules = [...]`), or `None` when no file sets them.
    pub fn modules(&self) -> Result<Option<Vec<String>>, Error> {
        let Some(setting) = self.values.get(MODULES_KEY) else {
            return Ok(None);
        };
        let bad = |message: &str| Error::Setting {
            origin: setting.origin.to_string(),
            key: MODULES_KEY.into(),
            message: message.into(),
        };
        let Some(Value::Array(items)) = &setting.value else {
            return Err(bad(
                "expected a list of module names, e.g. [\"manager\"]; set it in a tfvars file, not TF_VAR_modules",
            ));
        };
        if items.is_empty() {
            return Err(bad(
                "the list is empty, so every resource would be destroyed: name at least one module (to tear the environment down, use `ngp destroy`)",
            ));
        }
        let mut names: Vec<String> = Vec::new();
        for item in items {
            let name = item
                .as_str()
                .ok_or_else(|| bad("expected a list of module names (strings)"))?;
            if names.iter().any(|n| n == name) {
                return Err(bad(&format!("module {name:?} is listed twice; name each module once")));
            }
            names.push(name.to_owned());
        }
        Ok(Some(names))
    }

    /// The values to hand to Terraform in a tfvars file: every key in `declared`, set by a file or a default,
    /// and not overridden by `TF_VAR_*` (Terraform reads those from the environment itself, so secrets
    /// passed that way never reach the disk).
    pub fn terraform_values<'a>(&'a self, declared: impl Fn(&str) -> bool + 'a) -> BTreeMap<String, Value> {
        self.values
            .iter()
            .filter(|(k, _)| declared(k))
            .filter_map(|(k, s)| s.value.clone().map(|v| (k.clone(), v)))
            .collect()
    }

    /// Keys set in a file but declared by no enabled module: likely typos, or values of disabled modules.
    pub fn unused_keys<'a>(&'a self, declared: impl Fn(&str) -> bool + 'a) -> Vec<(&'a str, &'a Origin)> {
        self.values
            .iter()
            .filter(|(k, s)| k.as_str() != MODULES_KEY && !declared(k) && matches!(s.origin, Origin::File { .. }))
            .map(|(k, s)| (k.as_str(), &s.origin))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn overlay_wins_over_base_and_env_wins_over_both() {
        let dir = project(&[
            ("ngp.tfvars", "a = \"base\"\nb = \"base\"\nc = \"base\"\n"),
            ("ngp.stage.tfvars", "b = \"stage\"\nc = \"stage\"\n"),
        ]);
        let env = vec![
            ("TF_VAR_c".to_owned(), "from-env".to_owned()),
            ("HOME".to_owned(), "/x".to_owned()),
        ];
        let s = Settings::load(dir.path(), Some("stage"), env).unwrap();

        assert_eq!(s.get("a").unwrap().value, Some(json!("base")));
        assert_eq!(s.get("b").unwrap().value, Some(json!("stage")));
        assert_eq!(
            s.get("b").unwrap().origin,
            Origin::File {
                path: dir.path().join("ngp.stage.tfvars"),
                line: 1
            }
        );
        assert_eq!(s.get("c").unwrap().origin, Origin::Env { var: "TF_VAR_c".into() });
        // The env value is left to Terraform: it is not among the values written to disk.
        let written = s.terraform_values(|_| true);
        assert_eq!(written.keys().collect::<Vec<_>>(), vec!["a", "b"]);
        assert!(s.get("HOME").is_none());
    }

    #[test]
    fn without_env_the_overlay_is_not_read() {
        let dir = project(&[("ngp.tfvars", "a = 1\n"), ("ngp.stage.tfvars", "a = 2\n")]);
        let s = Settings::load(dir.path(), None, vec![]).unwrap();
        assert_eq!(s.get("a").unwrap().value, Some(json!(1)));
    }

    #[test]
    fn defaults_sit_below_every_layer() {
        let dir = project(&[("ngp.tfvars", "a = 1\n")]);
        let mut s = Settings::load(dir.path(), None, vec![]).unwrap();
        s.add_default("a", json!(0), "default");
        s.add_default("b", json!(0), "default");
        assert_eq!(s.get("a").unwrap().value, Some(json!(1)));
        assert_eq!(s.get("b").unwrap().value, Some(json!(0)));
    }

    #[test]
    fn modules_must_be_a_list_of_strings() {
        let dir = project(&[("ngp.tfvars", "\nmodules = \"manager\"\n")]);
        let err = Settings::load(dir.path(), None, vec![])
            .unwrap()
            .modules()
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("ngp.tfvars:2: modules: expected a list of module names, e.g. [\"manager\"]; set it in a tfvars file, not TF_VAR_modules"), "{err}");
        let dir = project(&[("ngp.tfvars", "modules = [\"manager\", \"openvpn\"]\n")]);
        let s = Settings::load(dir.path(), None, vec![]).unwrap();
        assert_eq!(
            s.modules().unwrap(),
            Some(vec!["manager".to_owned(), "openvpn".to_owned()])
        );
    }

    #[test]
    fn env_names_are_plain() {
        assert!(validate_env_name("prod").is_ok());
        assert!(validate_env_name("eu-west-1").is_ok());
        for bad in ["", "../x", "Prod", "-x", "a b", "eu_west"] {
            assert!(validate_env_name(bad).is_err(), "{bad}");
        }
    }
}
