//! One environment's workspace: tfvars → generated root module in `.ngp/<env>/` → a terraform ready to run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use ngp_config::{env_overlay_file, validate_env_name, Origin, Settings, TfvarsFile, BASE_FILE};
use ngp_modules::{generate, wire, Backend, Catalog, Provider, RootOutput, REGION_VARIABLE};
use ngp_terraform::Terraform;
use sha2::{Digest, Sha256};

use super::local_secrets::{self, LocalSecrets};
use crate::project::{write_atomic, Project, LOCAL_ENV};

/// The region local mode uses; the emulator accepts any.
const LOCAL_REGION: &str = "us-east-1";

/// The variables file ngp writes in the workspace.
const TFVARS_FILE: &str = "terraform.tfvars.json";
/// The file, in the workspace, that maps root outputs back to their modules.
const OUTPUTS_FILE: &str = "ngp-outputs.json";
/// The saved plan and the fingerprint of the configuration it was made from.
pub const PLAN_FILE: &str = "ngp.tfplan";
const PLAN_FINGERPRINT: &str = "ngp.tfplan.sha256";
/// Where `ngp validate` keeps the `terraform test` that evaluates the variables' validation rules.
const CHECKS_DIR: &str = "ngp-checks";
/// A plan against a mocked AWS provider: it needs no account, and it evaluates every variable validation.
const VALUES_TEST: &str = "# Written by ngp validate: a plan with a mocked provider, to evaluate the variables' validations.\nmock_provider \"aws\" {}\n\nrun \"values\" {\n  command = plan\n}\n";

/// A prepared environment.
pub struct Workspace {
    pub env: String,
    pub dir: PathBuf,
    pub terraform: Terraform,
    pub modules: Vec<String>,
    /// The modules found in modules/, as discovered for this workspace.
    pub catalog: Catalog,
    /// Hash of everything the plan depends on that Terraform does not check itself.
    pub fingerprint: String,
    /// Where each root variable's value was set (`ngp.tfvars:3`, `$TF_VAR_x`, a default).
    pub origins: BTreeMap<String, String>,
    /// The AWS region the environment is in.
    pub region: String,
    /// In local mode, the AWS emulator's endpoint.
    pub emulator: Option<String>,
    /// Held while the workspace is in use: no other ngp run prepares, plans or applies it meanwhile.
    _lock: crate::project::EnvLock,
}

/// The terraform binary and CLI config.
pub fn terraform_for(project: &Project, dir: &Path) -> Result<Terraform> {
    with_cli_config(project, Terraform::locate(dir)?)
}

/// Runs `terraform` with the CLI config it needs, writing `.ngp/terraform.rc` when that is ngp's own.
fn with_cli_config(project: &Project, terraform: Terraform) -> Result<Terraform> {
    let config = ngp_terraform::cli_config(&project.state_dir())?;
    tracing::debug!(?config, "terraform CLI configuration");
    Ok(match config.env_value() {
        Some(file) => terraform.env("TF_CLI_CONFIG_FILE", file),
        None => terraform,
    })
}

/// The contract's image inputs (`*_image`) of the enabled modules, with the image each is set to: a file's
/// value, else the module's default. One set through `TF_VAR_*` is left out, as ngp does not read those.
pub fn image_inputs(wiring: &ngp_modules::Wiring, settings: &Settings) -> Vec<(String, String)> {
    let image = |(name, variable): (&String, &ngp_modules::RootVariable)| {
        let value = match settings.get(name) {
            Some(setting) => setting.value.as_ref()?.as_str()?.to_owned(),
            None => match variable.input.default.as_ref()? {
                hcl::Expression::String(s) => s.clone(),
                _ => return None,
            },
        };
        Some((name.clone(), value))
    };
    let inputs = wiring
        .variables
        .iter()
        .filter(|(name, _)| name.ends_with(ngp_modules::contract::IMAGE_SUFFIX));
    inputs.filter_map(image).collect()
}

/// The image inputs of environment `env`, as [`image_inputs`] finds them; nothing is written.
pub fn images_of(project: &Project, env: &str) -> Result<Vec<(String, String)>> {
    validate_env_name(env)?;
    let wired = Wired::read(project, env)?;
    Ok(image_inputs(&wired.wiring, &wired.settings))
}

/// The images the lock pins, by digest, in place of their tags in `values`.
fn pin_images(
    project: &Project,
    wiring: &ngp_modules::Wiring,
    settings: &Settings,
    values: &mut BTreeMap<String, serde_json::Value>,
) -> Result<()> {
    let pins = ngp_images::Lock::read(&project.dir.join(ngp_images::LOCK_FILE))?;
    for (name, image) in image_inputs(wiring, settings) {
        if let Some(pinned) = pins.pinned(&image) {
            values.insert(name, pinned.into());
        }
    }
    Ok(())
}

/// An environment's modules as its tfvars enable them, wired; read only, nothing written.
struct Wired {
    catalog: Catalog,
    settings: Settings,
    modules: Vec<String>,
    wiring: ngp_modules::Wiring,
}

impl Wired {
    fn read(project: &Project, env: &str) -> Result<Wired> {
        let catalog = project.catalog()?;
        let settings = Settings::load(&project.dir, overlay_env(env), std::env::vars())?;
        let modules = enabled_modules(project, &catalog, &settings)?;
        let from = settings.get(ngp_config::MODULES_KEY).map(|s| s.origin.to_string());
        let wiring = wire(&catalog, &modules, from.as_deref())?;
        Ok(Wired {
            catalog,
            settings,
            modules,
            wiring,
        })
    }
}

/// Warns of each key a file sets that no enabled module takes: likely a typo, or a disabled module's value.
/// Keys set in a file that no enabled module takes. One that no module at all takes is an error, naming the
/// nearest input (a typo would otherwise lose the value to the default); one of a module that is not enabled is
/// only warned about, since its values may wait in the file for the module.
fn check_unused(
    settings: &Settings,
    declared: impl Fn(&str) -> bool,
    catalog: &Catalog,
    modules: &[String],
) -> Result<()> {
    let known: std::collections::BTreeSet<&str> = catalog
        .modules
        .values()
        .flat_map(|m| m.inputs.iter().map(|i| i.name.as_str()))
        .chain([REGION_VARIABLE])
        .collect();
    for (key, origin) in settings.unused_keys(declared) {
        if known.contains(key) {
            tracing::warn!(
                "{origin}: {key} is not an input of any enabled module ({}); it is ignored",
                modules.join(", ")
            );
            continue;
        }
        let hint = ngp_config::nearest(key, known.iter().copied())
            .map(|n| format!("; did you mean {n}?"))
            .unwrap_or_default();
        bail!("{origin}: {key} is not an input of any module{hint}");
    }
    Ok(())
}

/// Workspaces hold state and plans: `.ngp/.gitignore` keeps them out of git even where the repository does not.
fn ignore_state_dir(project: &Project) -> Result<()> {
    let ignore = project.state_dir().join(".gitignore");
    if !ignore.exists() {
        write_atomic(&ignore, b"*\n")?;
    }
    Ok(())
}

/// The region the settings name (empty when none does).
fn region_of(settings: &Settings) -> String {
    settings
        .get(REGION_VARIABLE)
        .and_then(|s| s.value.as_ref())
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The environment's name as ngp uses it: `default` reads no overlay.
pub fn overlay_env(env: &str) -> Option<&str> {
    (env != "default").then_some(env)
}

/// Reads the backend file `ngp.<env>.tfbackend`, if any: the settings of an S3 backend with locking.
fn read_backend(project: &Project, env: &str) -> Result<Option<Backend>> {
    let path = project.dir.join(format!("ngp.{env}.tfbackend"));
    let Some(file) = TfvarsFile::read_optional(&path)? else {
        return Ok(None);
    };
    if env == LOCAL_ENV {
        bail!(
            "{}: the local environment keeps its state beside the emulator; remote state is for real environments",
            path.display()
        );
    }
    let mut settings: BTreeMap<String, serde_json::Value> = file.entries.into_iter().map(|(k, v, _)| (k, v)).collect();
    for key in ["bucket", "key", "region"] {
        if !settings.get(key).is_some_and(|v| v.is_string()) {
            bail!(
                "{}: {key}: expected a string; an S3 backend needs bucket, key and region",
                path.display()
            );
        }
    }
    if !settings.contains_key("dynamodb_table") {
        settings
            .entry("use_lockfile".into())
            .or_insert(serde_json::Value::Bool(true));
    }
    settings
        .entry("encrypt".into())
        .or_insert(serde_json::Value::Bool(true));
    Ok(Some(Backend { settings }))
}

/// The values terraform gets in a workspace: its tfvars file, plus `TF_VAR_*` (which ngp never writes down).
pub struct Values(BTreeMap<String, serde_json::Value>);

impl Values {
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(TFVARS_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let values = serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        Ok(Values(values))
    }

    pub fn get(&self, key: &str) -> Option<serde_json::Value> {
        if let Ok(raw) = std::env::var(format!("TF_VAR_{key}")) {
            return Some(serde_json::from_str(&raw).unwrap_or(serde_json::Value::String(raw)));
        }
        self.0.get(key).filter(|v| !v.is_null()).cloned()
    }

    pub fn string(&self, key: &str) -> Option<String> {
        self.get(key).and_then(|v| v.as_str().map(str::to_owned))
    }
}

/// The AWS provider, or in local mode the emulator, whose region and modules' local-mode values become defaults
/// below the user's.
fn provider(
    env: &str,
    emulator: Option<&str>,
    catalog: &Catalog,
    modules: &[String],
    settings: &mut Settings,
) -> Result<Provider> {
    match (env == LOCAL_ENV, emulator) {
        (true, Some(endpoint)) => {
            settings.add_default(REGION_VARIABLE, LOCAL_REGION.into(), "local mode");
            for name in modules {
                for (key, value) in &catalog.modules[name].meta.local_mode_inputs {
                    settings.add_default(key, value.clone(), format!("local mode default of module {name}"));
                }
            }
            Ok(Provider::Emulator {
                endpoint: endpoint.to_owned(),
            })
        }
        (true, None) => bail!("the local environment needs the emulator: start it with `ngp local up`"),
        (false, _) => Ok(Provider::Aws),
    }
}

/// The enabled modules' folders, with their subfolders (templates, scripts) and the shared submodules under
/// modules/.shared/ that they call, hashed.
fn modules_hash(project: &Project, catalog: &Catalog, modules: &[String]) -> Result<String> {
    let mut hasher = Sha256::new();
    for name in modules {
        hash_dir(&mut hasher, &catalog.modules[name].dir)?;
    }
    let shared = project.modules_dir().join(".shared");
    if shared.is_dir() {
        hash_dir(&mut hasher, &shared)?;
    }
    Ok(hex::encode(hasher.finalize()))
}

/// What a saved plan depends on that terraform does not check itself: the generated files, the modules and
/// the names of the `TF_VAR_*` values.
fn fingerprint(files: &[(&str, &[u8])], modules_hash: &str, settings: &Settings) -> String {
    let mut hasher = Sha256::new();
    for (name, contents) in files {
        hasher.update(name.as_bytes());
        hasher.update(contents);
    }
    hasher.update(modules_hash.as_bytes());
    let mut env_keys: Vec<String> = settings
        .iter()
        .filter(|(_, s)| matches!(s.origin, Origin::Env { .. }))
        .map(|(k, _)| k.to_owned())
        .collect();
    env_keys.sort();
    hasher.update(env_keys.join(",").as_bytes());
    hex::encode(hasher.finalize())
}

/// Every root variable without a default has a value: else one line names them all and where to set them.
fn check_missing(wiring: &ngp_modules::Wiring, settings: &Settings, env: &str) -> Result<()> {
    let missing: Vec<String> = wiring
        .variables
        .iter()
        .filter(|(name, var)| var.input.default.is_none() && settings.get(name).is_none())
        .map(|(name, var)| format!("{name} (used by {})", var.used_by.join(", ")))
        .chain(
            (settings.get(REGION_VARIABLE).is_none() && !wiring.is_variable(REGION_VARIABLE))
                .then(|| format!("{REGION_VARIABLE} (the AWS region)")),
        )
        .collect();
    if !missing.is_empty() {
        let files: Vec<String> = std::iter::once(BASE_FILE.to_owned())
            .chain(overlay_env(env).map(env_overlay_file))
            .collect();
        bail!(
            "no value for {}: set it in {} or as TF_VAR_<name>",
            missing.join(", "),
            files.join(" or ")
        );
    }
    Ok(())
}

/// The modules the settings enable; without a `modules` list, says how to write one.
fn enabled_modules(project: &Project, catalog: &Catalog, settings: &Settings) -> Result<Vec<String>> {
    if let Some(modules) = settings.modules()? {
        return Ok(modules);
    }
    let base = project.dir.join(BASE_FILE);
    if !base.exists() {
        bail!(
            "{} does not exist: run `ngp init` to choose modules and write it",
            base.display()
        );
    }
    let example = catalog.default_enabled().join("\", \"");
    bail!(
        "{}: modules: not set; list the modules to enable, e.g. modules = [\"{example}\"], or run `ngp init`",
        base.display()
    );
}

/// A secret (an input a module marks `sensitive`) is never written in a tfvars file, where it would sit in git
/// and in backups: it comes from `TF_VAR_<name>`, or the module reads it from Secrets Manager.
fn check_secrets_not_in_files(wiring: &ngp_modules::Wiring, settings: &Settings) -> Result<()> {
    for (name, variable) in &wiring.variables {
        let Some(setting) = settings.get(name).filter(|_| variable.input.sensitive) else {
            continue;
        };
        if matches!(setting.origin, Origin::File { .. }) {
            bail!(
                "{}: {name}: a secret is never written in a tfvars file; remove it and set TF_VAR_{name} instead",
                setting.origin
            );
        }
    }
    Ok(())
}

/// Every value set in a file (or by a default) fits its variable's type: a wrong one is named where the user
/// wrote it (`ngp.tfvars:3: admin_cidrs: expected a list, found "10.0.0.0/8"`), not in the generated files.
fn check_types(wiring: &ngp_modules::Wiring, settings: &Settings) -> Result<()> {
    for (name, variable) in &wiring.variables {
        let (Some(constraint), Some(setting)) = (&variable.input.type_expr, settings.get(name)) else {
            continue;
        };
        let value = match (&setting.value, &setting.origin) {
            (Some(value), _) => value.clone(),
            (None, Origin::Env { var }) => env_value(var, name, constraint)?,
            (None, _) => continue,
        };
        if let Some(problem) = ngp_modules::types::mismatch(constraint, &value) {
            bail!("{}: {name}: {problem}", setting.origin);
        }
    }
    Ok(())
}

/// A `TF_VAR_<name>` value as Terraform reads it: the raw text for a string, number or bool; an HCL expression
/// for a list, map or object. Its text is never repeated in an error: it may be a secret.
fn env_value(var: &str, name: &str, constraint: &hcl::Expression) -> Result<serde_json::Value> {
    let raw = std::env::var(var).unwrap_or_default();
    if matches!(constraint, hcl::Expression::Variable(_)) {
        return Ok(serde_json::Value::String(raw));
    }
    let parsed = TfvarsFile::parse(Path::new(var), &format!("value = {raw}\n"))
        .ok()
        .and_then(|file| file.entries.into_iter().next())
        .filter(|(key, _, _)| key == "value");
    match parsed {
        Some((_, value, _)) => Ok(value),
        None => bail!(
            "${var}: {name}: expected a value of type {}, written as in a tfvars file (e.g. [\"a\", \"b\"] for a list, {{ key = \"value\" }} for a map or object)",
            hcl::format::to_string(constraint).unwrap_or_else(|_| "of its variable".into())
        ),
    }
}

impl Workspace {
    /// A terraform error in the user's terms: a value that failed its variable's validation is named where it
    /// was set (`ngp.local.tfvars:2: context: ...`), not in the generated files.
    pub fn explain(&self, err: ngp_terraform::Error) -> anyhow::Error {
        let ngp_terraform::Error::InvalidValues(values) = &err else {
            return err.into();
        };
        let lines: Vec<String> = values
            .iter()
            .map(|(name, message)| {
                let origin = self.origins.get(name).map_or("the variable's default", String::as_str);
                format!("{origin}: {name}: {message}")
            })
            .collect();
        anyhow::anyhow!("{}", lines.join("; "))
    }

    /// Evaluates the variables' validation rules without AWS: `terraform test` with a mocked provider plans the
    /// configuration, and only its verdicts on the values are kept (the mock's made-up data makes its other
    /// complaints meaningless). A value that fails is named where it was set.
    pub fn check_values(&self) -> Result<()> {
        write_atomic(
            &self.dir.join(CHECKS_DIR).join("values.tftest.hcl"),
            VALUES_TEST.as_bytes(),
        )?;
        let mut invalid = Vec::new();
        let directory = format!("-test-directory={CHECKS_DIR}");
        self.terraform.run_json(&["test", "-json", &directory], &[0, 1], |e| {
            invalid.extend(e.diagnostic.as_ref().and_then(|d| d.invalid_variable()));
        })?;
        if invalid.is_empty() {
            return Ok(());
        }
        invalid.dedup();
        Err(self.explain(ngp_terraform::Error::InvalidValues(invalid)))
    }

    /// Generates `.ngp/<env>/` from the modules and tfvars and makes sure terraform is initialised there.
    /// `emulator` is the emulator's endpoint in local mode.
    pub fn prepare(project: &Project, env: &str, emulator: Option<&str>) -> Result<Self> {
        validate_env_name(env)?;
        let dir = project.workspace(env);
        // Terraform is found before anything else is read; its CLI config is written only once all checks pass.
        let mut terraform = Terraform::locate(&dir)?;

        let Wired {
            catalog,
            mut settings,
            modules,
            wiring,
        } = Wired::read(project, env)?;

        let provider = provider(env, emulator, &catalog, &modules, &mut settings)?;
        let mut local_secrets = None;
        if matches!(provider, Provider::Emulator { .. }) {
            let mut secrets = LocalSecrets::load(dir.join(local_secrets::FILE))?;
            for (key, value) in secrets.supply(&catalog, &modules, &mut settings)? {
                terraform = terraform.env(key, value);
            }
            local_secrets = Some(secrets);
        }
        let backend = read_backend(project, env)?;
        let root = generate(&catalog, &wiring, "../../modules", &provider, backend.as_ref());

        let declared = |k: &str| k == REGION_VARIABLE || wiring.is_variable(k);
        check_unused(&settings, declared, &catalog, &modules)?;
        // What the user wrote comes first: a wrong value is named before a missing one.
        check_types(&wiring, &settings)?;
        check_secrets_not_in_files(&wiring, &settings)?;
        // The binaries modules upload: built now, so that their inputs are set (cargo skips what is current).
        super::builds::supply(&catalog, &modules, &mut settings)?;
        check_missing(&wiring, &settings, env)?;
        let mut values = settings.terraform_values(declared);
        pin_images(project, &wiring, &settings, &mut values)?;

        // Nothing is written before every check above passed; from here on, this run holds the environment.
        let lock = project.lock_env(env)?;
        let terraform = with_cli_config(project, terraform)?;
        if let Some(secrets) = &local_secrets {
            secrets.save()?;
        }
        let files = write_files(&dir, &terraform, &root, &values)?;
        ignore_state_dir(project)?;
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_slice())).collect();

        let modules_hash = modules_hash(project, &catalog, &modules)?;
        let fingerprint = fingerprint(&files, &modules_hash, &settings);
        let origins = settings
            .iter()
            .map(|(k, s)| (k.to_owned(), s.origin.to_string()))
            .collect();
        let region = region_of(&settings);
        let ws = Workspace {
            env: env.to_owned(),
            dir,
            terraform,
            modules,
            catalog,
            fingerprint,
            origins,
            region,
            emulator: emulator.map(str::to_owned),
            _lock: lock,
        };
        ws.init_if_needed(&root.main_tf, &modules_hash)?;
        Ok(ws)
    }

    /// Runs `terraform init` when the workspace is new, or its backend or modules changed (a module may have
    /// started calling a submodule, which terraform must install).
    fn init_if_needed(&self, main_tf: &str, modules_hash: &str) -> Result<()> {
        let marker = self.dir.join(".terraform/ngp-init.sha256");
        let want = hex::encode(Sha256::digest(format!("{main_tf}\n{modules_hash}").as_bytes()));
        if std::fs::read_to_string(&marker).ok().as_deref() == Some(want.as_str()) {
            return Ok(());
        }
        tracing::info!("terraform init in {}", self.dir.display());
        self.terraform.output(&["init", "-input=false", "-no-color"])?;
        write_atomic(&marker, want.as_bytes())
    }

    /// The root outputs, as generated.
    pub fn root_outputs(dir: &Path) -> Result<Vec<RootOutput>> {
        let path = dir.join(OUTPUTS_FILE);
        let text = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_slice(&text)
            .with_context(|| format!("{} is damaged: run `ngp plan` to write it again", path.display()))
    }

    pub fn plan_path(&self) -> PathBuf {
        self.dir.join(PLAN_FILE)
    }

    pub fn save_plan_fingerprint(&self) -> Result<()> {
        write_atomic(&self.dir.join(PLAN_FINGERPRINT), self.fingerprint.as_bytes())
    }

    /// Refuses a saved plan made from other configuration than the current one.
    pub fn check_saved_plan(&self) -> Result<()> {
        if !self.plan_path().is_file() {
            bail!(
                "there is no saved plan for environment {}: run `ngp plan --env {}` first",
                self.env,
                self.env
            );
        }
        let saved = std::fs::read_to_string(self.dir.join(PLAN_FINGERPRINT)).unwrap_or_default();
        if saved.trim() != self.fingerprint {
            bail!(
                "the saved plan for environment {} is stale: the modules, tfvars or TF_VAR_* names changed since `ngp plan`; run `ngp plan --env {}` again",
                self.env,
                self.env
            );
        }
        Ok(())
    }

    pub fn forget_plan(&self) {
        let _ = std::fs::remove_file(self.plan_path());
        let _ = std::fs::remove_file(self.dir.join(PLAN_FINGERPRINT));
    }
}

/// Writes the workspace's files (the root module, formatted; the values; the outputs map), each atomically and
/// only when it changed. Returns them, for the fingerprint.
fn write_files(
    dir: &Path,
    terraform: &Terraform,
    root: &ngp_modules::RootFiles,
    values: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files: Vec<(&'static str, Vec<u8>)> = root
        .files()
        .iter()
        .map(|(n, t)| Ok((*n, terraform.fmt(t)?.into_bytes())))
        .collect::<Result<_, ngp_terraform::Error>>()?;
    files.push((TFVARS_FILE, serde_json::to_vec_pretty(values)?));
    files.push((OUTPUTS_FILE, serde_json::to_vec_pretty(&root.outputs)?));
    for (name, contents) in &files {
        let path = dir.join(name);
        if std::fs::read(&path).ok().as_ref() != Some(contents) {
            write_atomic(&path, contents)?;
        }
    }
    Ok(files)
}

/// Hashes every file under `dir`, recursively, in a stable order, with its path relative to `dir`.
fn hash_dir(hasher: &mut Sha256, dir: &Path) -> Result<()> {
    hasher.update(dir.as_os_str().as_encoded_bytes());
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let relative = path.strip_prefix(dir).unwrap_or(path);
        hasher.update(relative.as_os_str().as_encoded_bytes());
        hasher.update(std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?);
    }
    Ok(())
}
