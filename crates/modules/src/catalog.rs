//! Module discovery: every folder of modules/ with the four files (dot-folders skipped), read into its inputs,
//! outputs, metadata block (`locals { ngp_module = ... }`), AMI lookups and app ids.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;

/// The four files of a module `<name>`, as suffixes of the name.
pub const FILE_SUFFIXES: [&str; 4] = [".tf", ".dummy", "-variables.tf", "-output.tf"];

/// Every module under a `modules/` folder, by name.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub dir: PathBuf,
    pub modules: BTreeMap<String, Module>,
}

/// One module folder, read.
#[derive(Debug, Clone)]
pub struct Module {
    pub name: String,
    pub dir: PathBuf,
    pub meta: Meta,
    pub inputs: Vec<Input>,
    pub outputs: Vec<Output>,
    /// The module's data sources as `(type, name)`, e.g. `("aws_ami", "node")`: what `ngp doctor` reads.
    pub data_sources: Vec<(String, String)>,
    /// The ids of the apps in a `marathon_apps` local written as a list of objects (for the module's README).
    pub app_ids: Vec<String>,
    /// The comment that opens `<name>.tf`, without its `#`s: what the module is, and its trade-offs.
    pub about: String,
}

/// What a module says about itself in `locals { ngp_module = { ... } }` in `<name>.tf`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// One line for `ngp init` and `ngp module list`.
    #[serde(default)]
    pub description: String,
    /// Whether `ngp init` enables the module unless told otherwise.
    #[serde(default)]
    pub default_enabled: bool,
    /// The few outputs a user comes for (a URL, a user name): shown after apply and at the end of `ngp output`.
    #[serde(default)]
    pub headline: Vec<String>,
    /// Input name => the module whose output of that name feeds it, where several enabled modules have one;
    /// `"*"` gathers that output of every enabled module into one list (`concat`).
    #[serde(default)]
    pub inputs_from: BTreeMap<String, String>,
    /// Pinned downloads that `ngp doctor` checks: the inputs holding each URL and its sha256.
    #[serde(default)]
    pub downloads: Vec<Download>,
    /// Values used in local mode only, below everything the user sets: workarounds for emulator gaps.
    #[serde(default)]
    pub local_mode_inputs: BTreeMap<String, serde_json::Value>,
    /// Static binaries the module uploads (a Lambda, an agent): ngp builds each from its crate before planning
    /// and sets the named input to the file's path, unless the user set it.
    #[serde(default)]
    pub builds: Vec<Build>,
    /// Sensitive inputs that local mode draws at random (once, kept in `.ngp/local/`), where a real environment
    /// needs the user's secret, e.g. the credentials of a cloud service that a double stands in for.
    #[serde(default)]
    pub local_mode_secrets: Vec<String>,
}

/// A download a module pins by URL and sha256, named by the module's inputs that hold them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Download {
    /// What `ngp doctor` calls the check, e.g. `installer`.
    pub check: String,
    /// The input that holds the URL.
    pub url: String,
    /// The input that holds the sha256, in lower-case hex.
    pub sha256: String,
}

/// A static (musl) binary a module needs built, and the input that takes its path.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Build {
    /// The input that takes the binary's path.
    pub input: String,
    /// The crate (in ngp's workspace) whose binary is built.
    pub package: String,
    /// The binary's name, where it is not the crate's (a Lambda's `bootstrap`).
    #[serde(default)]
    pub binary: Option<String>,
    /// Hand the module a zip that holds the binary alone, at its root, executable (a Lambda's deployment
    /// package), rather than the binary itself.
    #[serde(default)]
    pub zip: bool,
}

impl Build {
    /// The binary's name: `binary`, or the crate's.
    pub fn binary_name(&self) -> &str {
        self.binary.as_deref().unwrap_or(&self.package)
    }
}

/// Where `inputs_from` gathers an input from every enabled module that outputs it.
pub const GATHER_ALL: &str = "*";

/// A `variable` block of a module.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub name: String,
    pub type_expr: Option<hcl::Expression>,
    pub description: Option<String>,
    pub default: Option<hcl::Expression>,
    pub sensitive: bool,
    pub nullable: Option<bool>,
}

/// An `output` block of a module.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub name: String,
    pub description: Option<String>,
    pub sensitive: bool,
}

impl Catalog {
    /// Reads every folder of `dir` as a module. A folder without the four files is an error that names the
    /// missing one; files and dot-folders beside the modules are ignored.
    pub fn discover(dir: &Path) -> Result<Self, Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NoModulesDir { path: dir.to_owned() },
            _ => Error::Read {
                path: dir.to_owned(),
                source: e,
            },
        })?;
        let mut modules = BTreeMap::new();
        for entry in entries {
            let entry = entry.map_err(|source| Error::Read {
                path: dir.to_owned(),
                source,
            })?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !path.is_dir() || name.starts_with('.') {
                continue;
            }
            let module = Module::read(&name, &path)?;
            modules.insert(name, module);
        }
        Ok(Self {
            dir: dir.to_owned(),
            modules,
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.modules.keys().cloned().collect()
    }

    /// The modules `ngp init` enables by default.
    pub fn default_enabled(&self) -> Vec<String> {
        self.modules
            .values()
            .filter(|m| m.meta.default_enabled)
            .map(|m| m.name.clone())
            .collect()
    }

    /// Looks up a module; `from` names where the name was read, for the error.
    pub fn get(&self, name: &str, from: Option<&str>) -> Result<&Module, Error> {
        self.modules.get(name).ok_or_else(|| Error::Unknown {
            name: name.to_owned(),
            from: from.map(str::to_owned),
            available: self.names(),
        })
    }
}

/// Checks a module name: it becomes a folder, file names and Terraform identifiers.
pub fn valid_module_name(name: &str) -> bool {
    ngp_config::is_plain_name(name, 40, |c| c.is_ascii_lowercase(), &['-', '_'])
}

impl Module {
    /// Reads the module in `dir`. Its variables, outputs and metadata may be in any of its `.tf` files.
    pub fn read(name: &str, dir: &Path) -> Result<Self, Error> {
        if !valid_module_name(name) {
            return Err(Error::BadName {
                name: name.to_owned(),
                path: dir.to_owned(),
            });
        }
        for suffix in FILE_SUFFIXES {
            let path = dir.join(format!("{name}{suffix}"));
            if !path.is_file() {
                return Err(Error::MissingFile {
                    module: name.to_owned(),
                    path,
                });
            }
        }
        let mut tf_files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| Error::Read {
                path: dir.to_owned(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tf"))
            .collect();
        tf_files.sort();

        let mut module = Module {
            name: name.to_owned(),
            dir: dir.to_owned(),
            meta: Meta::default(),
            inputs: vec![],
            outputs: vec![],
            data_sources: vec![],
            app_ids: vec![],
            about: String::new(),
        };
        for path in tf_files {
            module.read_file(&path)?;
        }
        module.check_downloads()?;
        module.check_local_mode_secrets()?;
        module.check_builds()?;
        Ok(module)
    }

    /// Adds what one `.tf` file declares: variables, outputs, data sources, the metadata block, the apps.
    fn read_file(&mut self, path: &Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let body = hcl::parse(&text).map_err(|e| Error::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if path.file_name().is_some_and(|f| *f == *format!("{}.tf", self.name)) {
            self.about = opening_comment(&text);
        }
        for block in body.blocks() {
            match (block.identifier(), block.labels()) {
                ("variable", [label]) => self.inputs.push(read_input(label.as_str(), block.body())),
                ("output", [label]) => self.outputs.push(read_output(label.as_str(), block.body())),
                ("data", [kind, label]) => self
                    .data_sources
                    .push((kind.as_str().to_owned(), label.as_str().to_owned())),
                ("locals", []) => {
                    if let Some(meta) = attr(block.body(), "ngp_module") {
                        self.meta = read_meta(path, meta)?;
                    }
                    if let Some(apps) = attr(block.body(), crate::contract::MARATHON_APPS) {
                        self.app_ids.extend(literal_ids(apps));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Every download names inputs the module has.
    fn check_downloads(&self) -> Result<(), Error> {
        for download in &self.meta.downloads {
            for input in [&download.url, &download.sha256] {
                if self.input(input).is_none() {
                    return Err(Error::Parse {
                        path: self.dir.join(format!("{}.tf", self.name)),
                        message: format!(
                            "locals.ngp_module.downloads: check {:?} names input {input:?}, which the module does not have",
                            download.check
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Every build names an input of the module, and a crate name that is safe on a command line.
    fn check_builds(&self) -> Result<(), Error> {
        for build in &self.meta.builds {
            let problem = if self.input(&build.input).is_none() {
                format!("names input {:?}, which the module does not have", build.input)
            } else if !ngp_config::is_plain_name(&build.package, 64, |c| c.is_ascii_lowercase(), &['-', '_']) {
                format!("package {:?} is not a crate name", build.package)
            } else if !ngp_config::is_plain_name(build.binary_name(), 64, |c| c.is_ascii_lowercase(), &['-', '_']) {
                format!("binary {:?} is not a binary's name", build.binary_name())
            } else {
                continue;
            };
            return Err(Error::Parse {
                path: self.dir.join(format!("{}.tf", self.name)),
                message: format!("locals.ngp_module.builds: {problem}"),
            });
        }
        Ok(())
    }

    /// Every local-mode secret is a sensitive input of the module: a value drawn at random is never shown.
    fn check_local_mode_secrets(&self) -> Result<(), Error> {
        for name in &self.meta.local_mode_secrets {
            if !self.input(name).is_some_and(|i| i.sensitive) {
                return Err(Error::Parse {
                    path: self.dir.join(format!("{}.tf", self.name)),
                    message: format!(
                        "locals.ngp_module.local_mode_secrets: {name:?} must be a sensitive input of the module"
                    ),
                });
            }
        }
        Ok(())
    }

    pub fn example_path(&self) -> PathBuf {
        self.dir.join(format!("{}.dummy", self.name))
    }

    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.name == name)
    }

    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.name == name)
    }
}

fn attr<'a>(body: &'a hcl::Body, key: &str) -> Option<&'a hcl::Expression> {
    body.attributes().find(|a| a.key() == key).map(|a| a.expr())
}

/// The comment lines that open a file's text, without their `# `; a blank comment line stays a blank line.
fn opening_comment(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    lines.join("\n").trim().to_owned()
}

/// The literal `id` of each object of a list expression.
fn literal_ids(list: &hcl::Expression) -> Vec<String> {
    let hcl::Expression::Array(items) = list else {
        return vec![];
    };
    items
        .iter()
        .filter_map(|item| match item {
            hcl::Expression::Object(fields) => fields.iter().find_map(|(key, value)| {
                let named_id = crate::types::key_name(key).is_some_and(|k| k == "id");
                match value {
                    hcl::Expression::String(id) if named_id => Some(id.clone()),
                    _ => None,
                }
            }),
            _ => None,
        })
        .collect()
}

fn string_attr(body: &hcl::Body, key: &str) -> Option<String> {
    match attr(body, key) {
        Some(hcl::Expression::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn bool_attr(body: &hcl::Body, key: &str) -> Option<bool> {
    match attr(body, key) {
        Some(hcl::Expression::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn read_input(name: &str, body: &hcl::Body) -> Input {
    Input {
        name: name.to_owned(),
        type_expr: attr(body, "type").cloned(),
        description: string_attr(body, "description"),
        default: attr(body, "default").cloned(),
        sensitive: bool_attr(body, "sensitive").unwrap_or(false),
        nullable: bool_attr(body, "nullable"),
    }
}

fn read_output(name: &str, body: &hcl::Body) -> Output {
    Output {
        name: name.to_owned(),
        description: string_attr(body, "description"),
        sensitive: bool_attr(body, "sensitive").unwrap_or(false),
    }
}

fn read_meta(path: &Path, expr: &hcl::Expression) -> Result<Meta, Error> {
    use hcl::eval::Evaluate;
    let bad = |message: String| Error::Parse {
        path: path.to_owned(),
        message: format!("locals.ngp_module: {message}"),
    };
    let value = expr
        .evaluate(&hcl::eval::Context::new())
        .map_err(|_| bad("must be a literal object (no references or functions)".into()))?;
    let json = serde_json::to_value(value).map_err(|e| bad(e.to_string()))?;
    serde_json::from_value(json).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_are_plain() {
        assert!(valid_module_name("manager"));
        assert!(valid_module_name("docker-registry"));
        for bad in ["", "Manager", "1x", "a b", "../x"] {
            assert!(!valid_module_name(bad), "{bad}");
        }
    }
}
