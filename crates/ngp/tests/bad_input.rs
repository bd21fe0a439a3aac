//! Bad input: each case gives one clear error line, exit code 1, no panic, and writes nothing.

mod common;

use std::net::TcpListener;

use common::*;

#[test]
fn an_unknown_module_on_the_command_line() {
    let dir = project_with(&["manager"]);
    let out = run(ngp(dir.path()).args(["init", "--modules", "manager,nope"]));
    assert_one_error(&out, "unknown module \"nope\" in --modules; the modules are: manager");
    assert!(!dir.path().join("ngp.tfvars").exists());
}

#[test]
fn an_unknown_module_in_tfvars_names_the_file_and_line() {
    let dir = project_with(&["manager"]);
    std::fs::write(
        dir.path().join("ngp.tfvars"),
        "pre_tag = \"x\"\nmodules = [\"manager\", \"nope\"]\n",
    )
    .unwrap();
    let out = run(ngp(dir.path()).args(["validate"]));
    let file = dir.path().join("ngp.tfvars");
    assert_one_error(
        &out,
        &format!(
            "unknown module \"nope\" in {}:2; the modules are: manager",
            file.display()
        ),
    );
}

#[test]
fn malformed_tfvars_names_the_file_and_line() {
    let dir = project_with(&["manager"]);
    std::fs::write(dir.path().join("ngp.tfvars"), "modules = [\"manager\"]\n").unwrap();
    std::fs::write(
        dir.path().join("ngp.stage.tfvars"),
        "post_tag = \"stage\"\n\nadmin_cidrs = [\"10.0.0.0/8\"\nvpc_cidr = \"10.1.0.0/16\"\n",
    )
    .unwrap();
    let out = run(ngp(dir.path()).args(["plan", "--env", "stage"]));
    let file = dir.path().join("ngp.stage.tfvars");
    assert_one_error(&out, &format!("{}:4:", file.display()));
    assert!(
        !dir.path().join(".ngp/stage/main.tf").exists(),
        "nothing is generated from a broken file"
    );
}

#[test]
fn a_reference_in_tfvars_names_the_key() {
    let dir = project_with(&["manager"]);
    std::fs::write(
        dir.path().join("ngp.tfvars"),
        "modules = [\"manager\"]\npre_tag = var.x\n",
    )
    .unwrap();
    let out = run(ngp(dir.path()).args(["validate"]));
    assert_one_error(
        &out,
        &format!(
            "{}:2: pre_tag: expected a literal value",
            dir.path().join("ngp.tfvars").display()
        ),
    );
}

#[test]
fn terraform_missing_from_path() {
    let dir = project_with(&["manager"]);
    std::fs::write(dir.path().join("ngp.tfvars"), "modules = [\"manager\"]\n").unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = run(ngp(dir.path()).args(["validate"]).env("PATH", empty.path()));
    assert_one_error(&out, "terraform was not found on PATH: install Terraform 1.5 or later");
    assert!(
        !dir.path().join(".ngp/default/main.tf").exists(),
        "nothing is generated without terraform"
    );
}

#[test]
fn ngp_terraform_pointing_nowhere() {
    let dir = project_with(&["manager"]);
    std::fs::write(dir.path().join("ngp.tfvars"), "modules = [\"manager\"]\n").unwrap();
    let out = run(ngp(dir.path())
        .args(["plan"])
        .env("NGP_TERRAFORM", "/nonexistent/terraform"));
    assert_one_error(
        &out,
        "NGP_TERRAFORM is /nonexistent/terraform, which is not an executable file",
    );
}

#[test]
fn the_emulator_port_already_taken() {
    let dir = project_with(&["manager"]);
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = run(ngp(dir.path()).args(["local", "up", "--port", &port.to_string()]));
    assert_one_error(
        &out,
        &format!("port {port} on 127.0.0.1 is already in use by another program"),
    );
    // The same through the main path: apply in local mode starts the emulator first.
    std::fs::write(dir.path().join("ngp.tfvars"), "modules = [\"manager\"]\n").unwrap();
    let out = run(ngp(dir.path())
        .args(["apply", "--env", "local"])
        .env("NGP_LOCAL_PORT", port.to_string()));
    assert_one_error(
        &out,
        &format!("port {port} on 127.0.0.1 is already in use by another program"),
    );
    assert!(
        !dir.path().join(".ngp/venv").exists(),
        "nothing is installed for a port that cannot be used"
    );
}

#[test]
fn a_bad_environment_name() {
    let dir = project_with(&["manager"]);
    let out = run(ngp(dir.path()).args(["plan", "--env", "../prod"]));
    assert_one_error(&out, "environment name \"../prod\" is not valid");
}

#[test]
fn no_tfvars_yet_says_to_run_init() {
    let dir = project_with(&["manager"]);
    let out = run(ngp(dir.path()).args(["plan"]));
    assert_one_error(
        &out,
        &format!(
            "{} does not exist: run `ngp init`",
            dir.path().join("ngp.tfvars").display()
        ),
    );
}

#[test]
fn a_missing_required_value_is_named_with_where_to_set_it() {
    if skip_without_terraform() {
        return;
    }
    let dir = project_with(&["manager"]);
    std::fs::write(
        dir.path().join("ngp.tfvars"),
        "modules = [\"manager\"]\naws_region = \"eu-west-1\"\n",
    )
    .unwrap();
    let out = run(ngp(dir.path()).args(["validate", "--env", "prod"]));
    assert_one_error(&out, "no value for admin_cidrs (used by manager), context (used by manager): set it in ngp.tfvars or ngp.prod.tfvars or as TF_VAR_<name>");
}

#[test]
fn outside_a_project() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(ngp(dir.path()).args(["plan"]));
    assert_one_error(&out, &format!("{} has no modules/ folder", dir.path().display()));
}

#[test]
fn a_backend_file_without_a_bucket() {
    if skip_without_terraform() {
        return;
    }
    let dir = project_with(&["manager"]);
    std::fs::write(dir.path().join("ngp.tfvars"), "modules = [\"manager\"]\n").unwrap();
    std::fs::write(
        dir.path().join("ngp.prod.tfbackend"),
        "key = \"prod/terraform.tfstate\"\nregion = \"eu-west-1\"\n",
    )
    .unwrap();
    let out = run(ngp(dir.path()).args(["validate", "--env", "prod"]));
    let file = dir.path().join("ngp.prod.tfbackend");
    assert_one_error(
        &out,
        &format!(
            "{}: bucket: expected a string; an S3 backend needs bucket, key and region",
            file.display()
        ),
    );
}

/// Every file below `dir` with its contents, to prove a failed command wrote nothing of the user's: the
/// generated workspace `.ngp/<env>/` and terraform's CLI config `.ngp/terraform.rc` (caches ngp regenerates on
/// every run that gets as far as terraform) are left out, the state is not.
fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    fn walk(dir: &std::path::Path, into: &mut std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, into);
            } else if !generated(&path) {
                into.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    /// `.ngp/<env>/...`, but not the state or a saved plan.
    fn generated(path: &std::path::Path) -> bool {
        let names: Vec<String> = path.iter().map(|c| c.to_string_lossy().into_owned()).collect();
        let Some(at) = names.iter().position(|n| n == ".ngp") else {
            return false;
        };
        let file = names.last().map(String::as_str).unwrap_or("");
        let kept = file.starts_with("terraform.tfstate") || file.starts_with("ngp.tfplan");
        let workspace = names.len() > at + 2 && names[at + 1] != "backups" && !kept;
        workspace || names[at + 1..] == [".gitignore"] || names[at + 1..] == ["terraform.rc"]
    }
    let mut files = std::collections::BTreeMap::new();
    walk(dir, &mut files);
    files
}

/// Bad input, case by case: exit 1, one line that names the file, line and key where there is one, and not one
/// file changed. `{dir}` in a message is the project folder.
#[test]
fn each_bad_input_is_one_line_and_writes_nothing() {
    if skip_without_terraform() {
        return;
    }
    let base = "modules = [\"manager\"]\naws_region = \"us-east-1\"\nadmin_cidrs = [\"10.0.0.0/8\"]\n";
    let complete = &format!("{base}context = {{ pre_tag = \"ngp\", post_tag = \"dev\", environment = \"dev\" }}\n");
    let cases: &[(&str, &str, &[&str], &str, &[(&str, &str)])] = &[
        ("", base, &["init", "--modules", ""], "--modules names no module", &[]),
        (
            "",
            "modules = []\n",
            &["validate"],
            "{dir}/ngp.tfvars:1: modules: the list is empty",
            &[],
        ),
        (
            "admin_cidrs = \"10.0.0.0/8\"\n",
            base,
            &["validate", "--env", "dev"],
            "{dir}/ngp.dev.tfvars:1: admin_cidrs: expected a list, found \"10.0.0.0/8\"",
            &[],
        ),
        (
            "\ncreate_manager_node = \"maybe\"\n",
            base,
            &["plan", "--env", "dev"],
            "{dir}/ngp.dev.tfvars:2: create_manager_node: expected true or false, found \"maybe\"",
            &[],
        ),
        (
            "admin_cidrs = [\"0.0.0.0/0\"]\n",
            complete,
            &["validate", "--env", "dev"],
            "{dir}/ngp.dev.tfvars:1: admin_cidrs: admin_cidrs are admins' own ranges: each must be /8 or narrower",
            &[],
        ),
        (
            "admin_cidrs = [\"10.0.0.0/8\", \"0.0.0.0/1\"]\n",
            complete,
            &["validate", "--env", "dev"],
            "{dir}/ngp.dev.tfvars:1: admin_cidrs: admin_cidrs are admins' own ranges: each must be /8 or narrower",
            &[],
        ),
        (
            "context = { pre_tag = \"ngp\", environment = \"dev\" }\n",
            base,
            &["validate", "--env", "dev"],
            "{dir}/ngp.dev.tfvars:1: context: post_tag is missing",
            &[],
        ),
        (
            "context = { pre_tag = \"NGP\", post_tag = \"dev\", environment = \"dev\" }\n",
            complete,
            &["validate", "--env", "dev"],
            "{dir}/ngp.dev.tfvars:1: context: context.pre_tag must be 1-20 characters",
            &[],
        ),
        (
            "",
            base,
            &["plan", "--env", "eu_west"],
            "environment name \"eu_west\" is not valid",
            &[],
        ),
        (
            "",
            base,
            &["destroy", "--env", "zzz", "--auto-approve"],
            "environment zzz has no state",
            &[],
        ),
        (
            "",
            base,
            &["output", "--env", "zzz"],
            "environment zzz has no workspace yet",
            &[],
        ),
        (
            "",
            base,
            &["force-unlock", "--env", "zzz", "some-id"],
            "environment zzz has no workspace yet",
            &[],
        ),
        (
            "",
            "modules = [\"manager\", \"nope\"]\n",
            &["init"],
            "unknown module \"nope\" in {dir}/ngp.tfvars:1; the modules are: manager",
            &[],
        ),
        (
            "manager_instance_typ = \"t3.large\"\n",
            complete,
            &["validate", "--env", "dev"],
            "{dir}/ngp.dev.tfvars:1: manager_instance_typ is not an input of any module; did you mean manager_instance_type?",
            &[],
        ),
        (
            "",
            "modules = [\"manager\", \"manager\"]\n",
            &["validate"],
            "{dir}/ngp.tfvars:1: modules: module \"manager\" is listed twice",
            &[],
        ),
        (
            "",
            complete,
            &["plan", "--env", "dev"],
            "$TF_VAR_admin_cidrs: admin_cidrs: expected a value of type list(string)",
            &[("TF_VAR_admin_cidrs", "not-a-list")],
        ),
        (
            "",
            complete,
            &["plan", "--env", "dev"],
            "$TF_VAR_admin_cidrs: admin_cidrs: [0]: expected a string, found [1]",
            &[("TF_VAR_admin_cidrs", "[[1]]")],
        ),
    ];
    for (overlay, tfvars, args, expected, env) in cases {
        let project = project_with(&["manager"]);
        let dir = project.path();
        std::fs::write(dir.join("ngp.tfvars"), tfvars).unwrap();
        if !overlay.is_empty() {
            std::fs::write(dir.join("ngp.dev.tfvars"), overlay).unwrap();
        }
        let before = snapshot(dir);
        let out = run(ngp(dir)
            .args(*args)
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null()));
        assert_one_error(&out, &expected.replace("{dir}", &dir.display().to_string()));
        let after = snapshot(dir);
        let changed: Vec<_> = after
            .keys()
            .chain(before.keys())
            .filter(|p| after.get(*p) != before.get(*p))
            .collect();
        assert!(changed.is_empty(), "{args:?} changed {changed:?}");
    }
}

#[test]
fn the_marathon_emulators_port_taken_leaves_nothing_running() {
    let venv = repo().join(".ngp/venv");
    if !venv.join("bin/python").exists() {
        assert!(
            std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
            "moto is required here (`ngp setup`)"
        );
        eprintln!("skipped: moto is not installed (run `ngp setup`)");
        return;
    }
    let dir = project_with(&["manager"]);
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let marathon = taken.local_addr().unwrap().port();
    let moto = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let local = |args: &[&str]| {
        run(ngp(dir.path())
            .args(args)
            .env("NGP_LOCAL_VENV", &venv)
            .env("NGP_LOCAL_MARATHON_PORT", marathon.to_string()))
    };
    let out = local(&["local", "up", "--port", &moto.to_string()]);
    assert_one_error(
        &out,
        &format!("port {marathon} on 127.0.0.1, the Marathon emulator's, is already in use by another program: stop it, or pick a free port with NGP_LOCAL_MARATHON_PORT"),
    );
    // The AWS emulator it had started is stopped again.
    assert_eq!(local(&["local", "status"]).status.code(), Some(3));
    assert!(
        TcpListener::bind(("127.0.0.1", moto)).is_ok(),
        "moto still holds its port"
    );
}

#[test]
fn a_secret_written_in_a_tfvars_file_is_refused() {
    if skip_without_terraform() {
        return;
    }
    let project = vault_project("token = \"s3cret\"\n");
    let dir = project.path();
    let out = run(ngp(dir).args(["validate", "--env", "dev"]));
    assert_one_error(
        &out,
        &format!(
            "{}:4: token: a secret is never written in a tfvars file; remove it and set TF_VAR_token instead",
            dir.join("ngp.tfvars").display()
        ),
    );
    assert!(!dir.join(".ngp/dev").exists(), "nothing is written");
    // From the environment it is taken, and never written down.
    std::fs::write(
        dir.join("ngp.tfvars"),
        "modules = [\"vault\"]\naws_region = \"eu-west-1\"\nlabel = \"demo\"\n",
    )
    .unwrap();
    let out = run(ngp(dir)
        .args(["validate", "--env", "dev"])
        .env("TF_VAR_token", "s3cret"));
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.join(".ngp/dev/terraform.tfvars.json")).unwrap();
    assert!(!written.contains("s3cret"), "{written}");
}

#[test]
fn port_zero_is_refused_at_once_naming_the_variable() {
    let dir = project_with(&["manager"]);
    std::fs::write(dir.path().join("ngp.tfvars"), "modules = [\"manager\"]\n").unwrap();
    for args in [&["local", "up"][..], &["apply", "--env", "local"][..]] {
        let started = std::time::Instant::now();
        let out = run(ngp(dir.path()).args(args).env("NGP_LOCAL_PORT", "0"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert!(!out.status.success(), "{args:?}: {err}");
        let first = err.lines().next().unwrap_or("");
        assert!(
            first.starts_with("error: ") && first.contains("NGP_LOCAL_PORT"),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path().join(".ngp/venv").exists(), "nothing installed for port 0");
}
