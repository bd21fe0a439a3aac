//! `ngp init` merging, `ngp module new|list`, and `ngp validate` on the repository's modules.

mod common;

use common::*;

#[test]
fn init_writes_the_examples_and_a_second_run_keeps_the_users_edits() {
    let dir = project_with(&["manager"]);
    let out = run(ngp(dir.path()).args(["init", "--modules", "manager"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let path = dir.path().join("ngp.tfvars");
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first.contains("modules = [\"manager\"]"), "{first}");
    assert!(first.contains("admin_cidrs = [\"192.0.2.0/24\"]"), "{first}");
    assert!(
        first.contains("aws_region = \"us-east-1\""),
        "the region is written too: {first}"
    );

    // The user edits a value and adds a comment; init again must keep both.
    let edited = first.replace("pre_tag     = \"ngp\"", "pre_tag     = \"acme\" # ours");
    assert_ne!(edited, first);
    std::fs::write(&path, &edited).unwrap();
    let out = run(ngp(dir.path()).args(["init", "--modules", "manager"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("is up to date"), "{}", stdout(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);

    // A new module's examples are added; the edit stays; the previous file is backed up.
    let out = run(ngp(dir.path()).args(["module", "new", "extra"]));
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(
        dir.path().join("modules/extra/extra.dummy"),
        "# extra\nextra_size = 3\ncontext = { pre_tag = \"ngp\" }\n",
    )
    .unwrap();
    let out = run(ngp(dir.path()).args(["init", "--modules", "manager,extra"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let third = std::fs::read_to_string(&path).unwrap();
    assert!(third.contains("pre_tag     = \"acme\" # ours"), "{third}");
    assert!(third.contains("modules = [\"manager\", \"extra\"]"), "{third}");
    assert!(third.contains("extra_size = 3"), "{third}");
    assert_eq!(third.lines().filter(|l| l.starts_with("context")).count(), 1, "{third}");
    let backups: Vec<_> = std::fs::read_dir(dir.path().join(".ngp/backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), edited);

    // Another change keeps every earlier backup, not just one.
    let out = run(ngp(dir.path()).args(["init", "--modules", "manager"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(dir.path().join(".ngp/backups")).unwrap().count(), 2);
}

#[test]
fn init_for_an_environment_writes_only_what_the_base_file_lacks() {
    let dir = project_with(&["manager"]);
    std::fs::write(
        dir.path().join("ngp.tfvars"),
        "modules = [\"manager\"]\ncontext = { pre_tag = \"acme\", post_tag = \"stage\", environment = \"stage\" }\n",
    )
    .unwrap();
    let out = run(ngp(dir.path()).args(["init", "--modules", "manager", "--env", "stage"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let overlay = std::fs::read_to_string(dir.path().join("ngp.stage.tfvars")).unwrap();
    assert!(overlay.contains("admin_cidrs"), "{overlay}");
    assert!(!overlay.contains("context"), "{overlay}");
}

#[test]
fn without_a_terminal_or_flags_init_takes_the_defaults() {
    let dir = project_with(&["manager"]);
    let out = run(ngp(dir.path()).args(["init"]).stdin(std::process::Stdio::null()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("using modules manager"), "{}", stderr(&out));
}

#[test]
fn module_new_scaffolds_four_files_that_discovery_picks_up() {
    let dir = project_with(&["manager"]);
    let out = run(ngp(dir.path()).args(["module", "new", "my-app"]));
    assert!(out.status.success(), "{}", stderr(&out));
    for file in ["my-app.tf", "my-app.dummy", "my-app-variables.tf", "my-app-output.tf"] {
        assert!(dir.path().join("modules/my-app").join(file).is_file(), "{file}");
    }
    let list = stdout(&run(ngp(dir.path()).args(["module", "list"])));
    assert!(list.lines().any(|l| l.starts_with("my-app")), "{list}");
    assert!(list.lines().any(|l| l.starts_with("manager  yes")), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(ngp(dir.path()).args(["module", "list", "--json"])))).unwrap();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["manager", "my-app"]);
    assert_eq!(json[0]["default_enabled"], serde_json::json!(true));

    assert_one_error(
        &run(ngp(dir.path()).args(["module", "new", "my-app"])),
        &format!("{} already exists", dir.path().join("modules/my-app").display()),
    );
    assert_one_error(
        &run(ngp(dir.path()).args(["module", "new", "Bad Name"])),
        "module name \"Bad Name\" is not valid",
    );
}

#[test]
fn validate_passes_on_the_repository_modules_and_a_scaffolded_one() {
    if skip_without_terraform() {
        return;
    }
    let dir = project_with(&["manager"]);
    assert!(run(ngp(dir.path()).args(["module", "new", "scaffolded"]))
        .status
        .success());
    let out = run(ngp(dir.path()).args(["init", "--modules", "manager,scaffolded"]));
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(dir.path().join("ngp.prod.tfvars"), "aws_region = \"eu-west-1\"\n").unwrap();
    for env in ["prod", "local"] {
        let out = run(ngp(dir.path()).args(["validate", "--env", env]));
        assert!(out.status.success(), "validate --env {env}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("is valid (modules: manager, scaffolded)"),
            "{}",
            stdout(&out)
        );
    }
    // The scaffold takes the platform's one `context`, the root variable the manager takes too.
    let main = std::fs::read_to_string(dir.path().join(".ngp/prod/main.tf")).unwrap();
    let takes_context = |l: &&str| l.trim().starts_with("context ") && l.trim().ends_with("= var.context");
    assert_eq!(main.lines().filter(takes_context).count(), 2, "{main}");
    // The local root points the provider at the emulator; the prod root does not.
    assert!(std::fs::read_to_string(dir.path().join(".ngp/local/main.tf"))
        .unwrap()
        .contains("http://127.0.0.1:"));
    assert!(!main.contains("http://127.0.0.1:"));
}

#[test]
fn terraform_fmt_passes_on_the_repository_modules() {
    if skip_without_terraform() {
        return;
    }
    let out = std::process::Command::new("terraform")
        .args(["fmt", "-check", "-recursive", "-no-color", "modules"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "terraform fmt -check found: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}
