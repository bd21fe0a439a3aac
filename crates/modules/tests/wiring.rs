//! Module discovery, wiring and root generation, on module folders written by the tests.

use std::path::Path;

use ngp_modules::{generate, wire, Catalog, Error, InputSource, Provider};

/// Writes a module folder with the four files; `vars` and `outputs` are names, `meta` the ngp_module object.
fn module(dir: &Path, name: &str, vars: &[&str], outputs: &[&str], meta: &str) {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join(format!("{name}.tf")),
        format!("locals {{\n  ngp_module = {meta}\n}}\n"),
    )
    .unwrap();
    std::fs::write(d.join(format!("{name}.dummy")), "# example\n").unwrap();
    let vars: String = vars
        .iter()
        .map(|v| format!("variable \"{v}\" {{\n  description = \"{v} input\"\n  type = string\n}}\n"))
        .collect();
    std::fs::write(d.join(format!("{name}-variables.tf")), vars).unwrap();
    let outs: String = outputs
        .iter()
        .map(|o| format!("output \"{o}\" {{\n  description = \"{o} out\"\n  value = \"x\"\n}}\n"))
        .collect();
    std::fs::write(d.join(format!("{name}-output.tf")), outs).unwrap();
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn network_and_app(dir: &Path) {
    module(
        dir,
        "net",
        &["pre_tag"],
        &["vpc_id", "marathon_apps"],
        "{ default_enabled = true }",
    );
    module(dir, "app", &["pre_tag", "vpc_id", "app_port"], &["marathon_apps"], "{}");
}

#[test]
fn discovers_every_folder_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    std::fs::write(dir.path().join("README.md"), "not a module").unwrap();
    std::fs::create_dir(dir.path().join(".hidden")).unwrap();
    let catalog = Catalog::discover(dir.path()).unwrap();
    assert_eq!(catalog.names(), names(&["app", "net"]));
    assert_eq!(catalog.default_enabled(), names(&["net"]));
    assert_eq!(catalog.modules["app"].inputs.len(), 3);
}

#[test]
fn a_folder_missing_one_of_the_four_files_is_named() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    std::fs::remove_file(dir.path().join("app/app-output.tf")).unwrap();
    let err = Catalog::discover(dir.path()).unwrap_err();
    assert!(
        matches!(err, Error::MissingFile { ref module, .. } if module == "app"),
        "{err}"
    );
    assert!(err.to_string().contains("app-output.tf"), "{err}");
}

#[test]
fn inputs_take_outputs_of_the_same_name_and_the_rest_become_shared_variables() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    let catalog = Catalog::discover(dir.path()).unwrap();
    // Both modules output marathon_apps; nobody consumes it, so that is fine.
    let wiring = wire(&catalog, &names(&["net", "app"]), None).unwrap();
    let app = wiring.modules.iter().find(|m| m.name == "app").unwrap();
    assert_eq!(
        app.inputs,
        vec![
            ("pre_tag".to_owned(), InputSource::Variable),
            ("vpc_id".to_owned(), InputSource::Module("net".into())),
            ("app_port".to_owned(), InputSource::Variable),
        ]
    );
    assert_eq!(wiring.variables.keys().collect::<Vec<_>>(), vec!["app_port", "pre_tag"]);
    assert_eq!(wiring.variables["pre_tag"].used_by, names(&["app", "net"]));

    // Without the network module, vpc_id comes from the user instead.
    let alone = wire(&catalog, &names(&["app"]), None).unwrap();
    assert!(alone.is_variable("vpc_id"));
}

#[test]
fn two_providers_of_a_consumed_output_is_an_error_that_says_how_to_choose() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    module(dir.path(), "othernet", &[], &["vpc_id"], "{}");
    let catalog = Catalog::discover(dir.path()).unwrap();
    let err = wire(&catalog, &names(&["net", "othernet", "app"]), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "input \"vpc_id\" of module \"app\" is an output of several enabled modules (net, othernet): state which \
         one in modules/app/app.tf with `locals { ngp_module = { inputs_from = { vpc_id = \"net\" } } }`"
    );
}

#[test]
fn the_consumer_states_which_provider_it_means() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    module(dir.path(), "othernet", &[], &["vpc_id"], "{}");
    module(
        dir.path(),
        "app",
        &["vpc_id"],
        &[],
        "{ inputs_from = { vpc_id = \"othernet\" } }",
    );
    let catalog = Catalog::discover(dir.path()).unwrap();
    let wiring = wire(&catalog, &names(&["net", "othernet", "app"]), None).unwrap();
    let app = wiring.modules.iter().find(|m| m.name == "app").unwrap();
    assert_eq!(
        app.inputs,
        vec![("vpc_id".to_owned(), InputSource::Module("othernet".into()))]
    );

    // Stating a module that is not enabled is an error, not a silent fallback.
    let err = wire(&catalog, &names(&["net", "app"]), None).unwrap_err().to_string();
    assert!(
        err.contains("comes from module \"othernet\", but it is not enabled"),
        "{err}"
    );
}

#[test]
fn an_unknown_module_is_named_with_where_it_came_from_and_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    let catalog = Catalog::discover(dir.path()).unwrap();
    let err = wire(&catalog, &names(&["net", "nope"]), Some("ngp.tfvars"))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "unknown module \"nope\" in ngp.tfvars; the modules are: app, net");
}

#[test]
fn conflicting_types_of_a_shared_variable_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    let d = dir.path().join("app");
    std::fs::write(
        d.join("app-variables.tf"),
        "variable \"pre_tag\" {\n  type = number\n}\n",
    )
    .unwrap();
    let catalog = Catalog::discover(dir.path()).unwrap();
    let err = wire(&catalog, &names(&["net", "app"]), None).unwrap_err().to_string();
    assert!(err.contains("both take input \"pre_tag\""), "{err}");
}

#[test]
fn the_generated_root_wires_modules_by_reference() {
    let dir = tempfile::tempdir().unwrap();
    network_and_app(dir.path());
    let catalog = Catalog::discover(dir.path()).unwrap();
    let wiring = wire(&catalog, &names(&["net", "app"]), None).unwrap();
    let root = generate(
        &catalog,
        &wiring,
        "../../modules",
        &Provider::Emulator {
            endpoint: "http://127.0.0.1:4599".into(),
        },
        None,
    );

    let main = hcl::parse(&root.main_tf).unwrap();
    let app = main
        .blocks()
        .find(|b| b.identifier() == "module" && b.labels()[0].as_str() == "app")
        .unwrap();
    let attr = |k: &str| {
        app.body()
            .attributes()
            .find(|a| a.key() == k)
            .unwrap()
            .expr()
            .to_string()
    };
    assert_eq!(attr("source"), "\"../../modules/app\"");
    assert_eq!(attr("vpc_id"), "module.net.vpc_id");
    assert_eq!(attr("pre_tag"), "var.pre_tag");

    let provider = main.blocks().find(|b| b.identifier() == "provider").unwrap();
    let endpoints = provider
        .body()
        .blocks()
        .find(|b| b.identifier() == "endpoints")
        .unwrap();
    assert!(endpoints.body().attributes().any(|a| a.key() == "ec2"));

    let vars = hcl::parse(&root.variables_tf).unwrap();
    let var_names: Vec<_> = vars.blocks().map(|b| b.labels()[0].as_str().to_owned()).collect();
    assert_eq!(var_names, names(&["aws_region", "app_port", "pre_tag"]));

    let out_names: Vec<_> = root.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(out_names, vec!["app_marathon_apps", "net_vpc_id", "net_marathon_apps"]);
}

#[test]
fn the_repository_modules_are_well_formed() {
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../modules");
    let catalog = Catalog::discover(&modules).unwrap();
    let manager = catalog.get("manager", None).unwrap();
    assert!(manager.meta.default_enabled);
    // Naming and tags travel as one object: every module takes `context`, and none the six old variables.
    for module in catalog.modules.values() {
        assert!(
            module.input("context").is_some(),
            "{} has no context input",
            module.name
        );
        for old in [
            "pre_tag",
            "post_tag",
            "tag_service",
            "tag_environment",
            "tag_version",
            "tags",
        ] {
            assert!(module.input(old).is_none(), "{} still takes {old}", module.name);
        }
    }
    assert_eq!(
        manager.meta.local_mode_inputs["manager_detailed_monitoring"],
        serde_json::json!(false)
    );
    for module in catalog.modules.values() {
        for input in &module.inputs {
            assert!(
                input.description.is_some(),
                "{}: variable {} has no description",
                module.name,
                input.name
            );
            assert!(
                input.type_expr.is_some(),
                "{}: variable {} has no type",
                module.name,
                input.name
            );
        }
        for output in &module.outputs {
            assert!(
                output.description.is_some(),
                "{}: output {} has no description",
                module.name,
                output.name
            );
        }
    }
}

#[test]
fn a_gathered_input_concatenates_every_enabled_modules_output() {
    let dir = tempfile::tempdir().unwrap();
    module(
        dir.path(),
        "nodes",
        &["node_files"],
        &[],
        "{ inputs_from = { node_files = \"*\" } }",
    );
    module(dir.path(), "ca", &[], &["node_files"], "{}");
    module(dir.path(), "tls", &[], &["node_files"], "{}");
    let catalog = Catalog::discover(dir.path()).unwrap();

    let all = wire(&catalog, &names(&["nodes", "ca", "tls"]), None).unwrap();
    let nodes = all.modules.iter().find(|m| m.name == "nodes").unwrap();
    assert_eq!(
        nodes.inputs,
        vec![("node_files".to_owned(), InputSource::Gathered(names(&["ca", "tls"])))]
    );
    let root = generate(&catalog, &all, "../../modules", &Provider::Aws, None);
    assert!(
        root.main_tf
            .contains("node_files = concat(module.ca.node_files, module.tls.node_files)"),
        "{}",
        root.main_tf
    );
    assert!(!all.is_variable("node_files"), "a gathered input is no root variable");

    let alone = wire(&catalog, &names(&["nodes"]), None).unwrap();
    let root = generate(&catalog, &alone, "../../modules", &Provider::Aws, None);
    assert!(root.main_tf.contains("node_files = []"), "{}", root.main_tf);
}

/// The error discovering a module `name` with `inputs` and the metadata `meta` gives.
fn metadata_error(inputs: &[&str], meta: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), "probe", inputs, &[], meta);
    Catalog::discover(dir.path()).unwrap_err().to_string()
}

#[test]
fn metadata_that_names_what_the_module_lacks_is_refused() {
    let cases = [
        (
            &["url"][..],
            "{ downloads = [{ check = \"installer\", url = \"url\", sha256 = \"digest\" }] }",
            "locals.ngp_module.downloads: check \"installer\" names input \"digest\", which the module does not have",
        ),
        (
            &["binary"][..],
            "{ builds = [{ input = \"bin\", package = \"agent\" }] }",
            "locals.ngp_module.builds: names input \"bin\", which the module does not have",
        ),
        (
            &["binary"][..],
            "{ builds = [{ input = \"binary\", package = \"a; rm -rf\" }] }",
            "locals.ngp_module.builds: package \"a; rm -rf\" is not a crate name",
        ),
        // `api_key` is an input, but not marked sensitive: a value drawn at random would be shown.
        (
            &["api_key"][..],
            "{ local_mode_secrets = [\"api_key\"] }",
            "locals.ngp_module.local_mode_secrets: \"api_key\" must be a sensitive input of the module",
        ),
    ];
    for (inputs, meta, expected) in cases {
        let err = metadata_error(inputs, meta);
        assert!(err.ends_with(expected), "{meta}: {err}");
    }
}

/// Every repository module's README.md is what `ngp module docs` writes from its HCL now.
#[test]
fn the_module_readmes_are_current() {
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../modules");
    let catalog = Catalog::discover(&modules).unwrap();
    let stale: Vec<&str> = catalog
        .modules
        .values()
        .filter(|m| {
            let written = std::fs::read_to_string(m.dir.join(ngp_modules::docs::README)).unwrap_or_default();
            written != ngp_modules::docs::readme(m)
        })
        .map(|m| m.name.as_str())
        .collect();
    assert!(stale.is_empty(), "stale README.md in {stale:?}: run `ngp module docs`");
}
