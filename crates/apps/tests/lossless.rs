//! App definitions survive every round trip through NGP and the Marathon emulator: every field a module sets
//! comes back, every one-field edit is a planned change that apply sends, group trees keep their dependencies,
//! and what the emulator answers validates against Marathon's own JSON Schema. Marathon's example bodies (from
//! `../shared/reference/marathon`) join the apps of our own when that folder is beside the repository.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use ngp_apps::{apply, collect, plan, Action, ApplyOptions, Desired};
use ngp_marathon::{Client, Group, PathId};
use ngp_marathon_emulator::Config;
use serde_json::{json, Value};

async fn emulator() -> (String, Client) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        deployment_delay: Duration::from_millis(5),
        ..Config::default()
    };
    tokio::spawn(ngp_marathon_emulator::serve(listener, config));
    let client = Client::new(&url, None).unwrap();
    (url, client)
}

fn options() -> ApplyOptions {
    ApplyOptions {
        poll: Duration::from_millis(5),
        ..ApplyOptions::default()
    }
}

fn collected(module: &str, apps: &Value) -> Desired {
    let outputs = BTreeMap::from([(
        module.to_owned(),
        BTreeMap::from([("marathon_apps".to_owned(), apps.clone())]),
    )]);
    collect(&outputs).unwrap()
}

fn every_field() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/every-field.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn reference() -> Option<PathBuf> {
    ngp_testing::reference("marathon")
}

fn read(dir: &std::path::Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

/// Marathon's example apps, as a module would export them: plain ids, no response-only fields.
fn example_apps(dir: &std::path::Path) -> Vec<Value> {
    let examples = dir.join("examples");
    let mut apps = vec![read(&examples, "app.json")];
    apps.extend(read(&examples, "apps_create.json").as_array().unwrap().iter().cloned());
    apps.extend(
        read(&examples, "group.json")["apps"]
            .as_array()
            .unwrap()
            .iter()
            .cloned(),
    );
    for (i, app) in apps.iter_mut().enumerate() {
        let app = app.as_object_mut().unwrap();
        for field in ngp_marathon::RESPONSE_ONLY_APP_FIELDS {
            app.remove(*field);
        }
        app.insert("id".into(), json!(format!("example-{i}")));
    }
    apps
}

/// `set` is in `got`: every key set, at every depth, is there with an equal value (lists in order, numbers by
/// value); a port 0 is the port Marathon chose. Returns the first path that differs.
fn contained(set: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (set, got) {
        (Value::Object(s), Value::Object(g)) => s.iter().try_for_each(|(k, v)| {
            let chosen = matches!(k.as_str(), "port" | "servicePort" | "hostPort") && v == &json!(0);
            if chosen && g.get(k).is_some_and(Value::is_u64) {
                return Ok(());
            }
            contained(v, g.get(k).unwrap_or(&Value::Null), &format!("{path}.{k}"))
        }),
        (Value::Array(s), Value::Array(g)) if s.len() == g.len() => s
            .iter()
            .zip(g)
            .enumerate()
            .try_for_each(|(i, (a, b))| contained(a, b, &format!("{path}[{i}]"))),
        (Value::Number(s), Value::Number(g)) if s.as_f64() == g.as_f64() => Ok(()),
        (s, g) if s == g => Ok(()),
        (s, g) => Err(format!("{path}: set {s}, got {g}")),
    }
}

async fn live(client: &Client, module: &str) -> BTreeMap<String, Value> {
    let group = PathId::parse(&format!("/ngp/{module}")).unwrap();
    let tree = client.group(&group).await.unwrap().unwrap();
    tree["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a.clone()))
        .collect()
}

/// Applies `apps` as module `m` and returns the plan's actions by app id.
async fn reconcile(client: &Client, apps: &Value) -> BTreeMap<String, Action> {
    let desired = collected("m", apps);
    let p = plan(client, &desired, "").await.unwrap();
    apply(client, &p, &options(), |_| {}).await.unwrap();
    p.modules
        .iter()
        .flat_map(|m| &m.apps)
        .map(|a| (a.id.to_string(), a.action.clone()))
        .collect()
}

#[tokio::test]
async fn every_field_set_comes_back_and_a_rerun_changes_nothing() {
    let (_, client) = emulator().await;
    let mut apps = every_field().as_array().unwrap().clone();
    if let Some(dir) = reference() {
        apps.extend(example_apps(&dir));
    }
    let apps = Value::Array(apps);
    reconcile(&client, &apps).await;
    let sent = &collected("m", &apps).modules["m"];
    let live = live(&client, "m").await;
    for app in sent {
        let set = serde_json::to_value(app).unwrap();
        let got = live
            .get(&app.id)
            .unwrap_or_else(|| panic!("{} was not deployed", app.id));
        contained(&set, got, &app.id).unwrap();
    }
    // The deprecated forms come back as Marathon reports them.
    assert_eq!(
        live["/ngp/m/other"]["fetch"][0]["uri"],
        json!("https://example.com/b.tgz")
    );
    assert_eq!(live["/ngp/m/other"]["portDefinitions"].as_array().unwrap().len(), 1);
    assert_eq!(live["/ngp/m/every"]["dependencies"], json!(["/ngp/m/other"]));
    let again = reconcile(&client, &apps).await;
    assert!(again.values().all(|a| *a == Action::Unchanged), "{again:?}");
}

/// A new value for each top-level field of the every-field app.
fn edits() -> Vec<(&'static str, Value)> {
    vec![
        ("args", json!(["--quiet"])),
        ("user", json!("root")),
        ("instances", json!(3)),
        ("cpus", json!(0.5)),
        ("mem", json!(96)),
        ("disk", json!(20)),
        ("gpus", json!(1)),
        ("executor", json!("")),
        ("executorResources", json!({"cpus": 0.2, "mem": 32, "disk": 10})),
        ("constraints", json!([["hostname", "UNIQUE"]])),
        ("acceptedResourceRoles", json!(["slave_public"])),
        (
            "container",
            json!({"type": "DOCKER", "docker": {"image": "registry:2.8.3", "forcePullImage": false}}),
        ),
        ("networks", json!([{"mode": "container", "name": "dcos"}])),
        ("ipAddress", json!({"networkName": "other"})),
        ("portDefinitions", json!([{"port": 0, "name": "web"}])),
        ("requirePorts", json!(true)),
        ("env", json!({"MODE": "prod", "TOKEN": {"secret": "token"}})),
        ("secrets", json!({"token": {"source": "/ngp/every/other"}})),
        ("labels", json!({"owner": "someone"})),
        ("fetch", json!([{"uri": "https://example.com/a.tgz", "cache": false}])),
        (
            "healthChecks",
            json!([{"protocol": "COMMAND", "command": {"value": "true"}}]),
        ),
        (
            "readinessChecks",
            json!([{"name": "ready", "protocol": "HTTP", "path": "/ready2", "portName": "http"}]),
        ),
        ("dependencies", json!([])),
        ("upgradeStrategy", json!({"minimumHealthCapacity": 0.25})),
        ("unreachableStrategy", json!("disabled")),
        ("killSelection", json!("YOUNGEST_FIRST")),
        ("residency", json!({"taskLostBehavior": "RELAUNCH_AFTER_TIMEOUT"})),
        ("backoffSeconds", json!(3)),
        ("backoffFactor", json!(2.0)),
        ("maxLaunchDelaySeconds", json!(900)),
        ("taskKillGracePeriodSeconds", json!(60)),
    ]
}

#[tokio::test]
async fn each_one_field_edit_is_planned_and_sent() {
    let (_, client) = emulator().await;
    let base = every_field();
    reconcile(&client, &base).await;
    let every = base[0].as_object().unwrap();
    let untouched: Vec<&str> = every
        .keys()
        .map(String::as_str)
        .filter(|k| !edits().iter().any(|(e, _)| e == k))
        .collect();
    assert_eq!(untouched, ["id"], "every field but the id has an edit");
    assert_eq!(edits().len(), every.len() - 1);
    for (field, value) in edits() {
        let mut apps = base.clone();
        apps[0][field] = value.clone();
        let actions = reconcile(&client, &apps).await;
        match &actions["/ngp/m/every"] {
            Action::Update(keys) => assert!(keys.contains(&field.to_owned()), "{field}: {keys:?}"),
            other => panic!("{field}: planned {other:?}"),
        }
        let got = &live(&client, "m").await["/ngp/m/every"];
        contained(&value, &got[field], field).unwrap();
        // And back, so that each edit is measured against the same base.
        reconcile(&client, &base).await;
    }
}

#[tokio::test]
async fn a_field_no_longer_set_is_a_change() {
    let (_, client) = emulator().await;
    let base = every_field();
    reconcile(&client, &base).await;
    let mut apps = base.clone();
    apps[0].as_object_mut().unwrap().remove("killSelection");
    let actions = reconcile(&client, &apps).await;
    assert!(matches!(actions["/ngp/m/every"], Action::Update(_)), "{actions:?}");
    assert_eq!(
        live(&client, "m").await["/ngp/m/every"]["killSelection"],
        json!("YOUNGEST_FIRST")
    );
}

#[tokio::test]
async fn a_group_tree_with_dependencies_comes_back_whole() {
    let (_, client) = emulator().await;
    let tree: Group = serde_json::from_value(json!({
        "id": "/ngp/tree",
        "dependencies": ["/ngp/base"],
        "apps": [{"id": "/ngp/tree/api", "cmd": "sleep 1", "dependencies": ["/ngp/tree/db/pg"]}],
        "groups": [
            {"id": "/ngp/tree/db", "apps": [{"id": "/ngp/tree/db/pg", "cmd": "sleep 1", "killSelection": "OLDEST_FIRST"}]},
            {"id": "/ngp/tree/web", "dependencies": ["/ngp/tree/db"], "apps": []}
        ]
    }))
    .unwrap();
    let result = client.put_group(&tree, false).await.unwrap();
    assert!(!result.deployment_id.is_empty());
    let back = client
        .group_tree(&PathId::parse("/ngp/tree").unwrap())
        .await
        .unwrap()
        .unwrap();
    let back = back.into_request();
    contained(
        &serde_json::to_value(&tree).unwrap(),
        &serde_json::to_value(&back).unwrap(),
        "tree",
    )
    .unwrap();
    assert_eq!(back.groups[1].dependencies, ["/ngp/tree/db"]);
    // Written back as read, the tree changes nothing.
    client.put_group(&back, false).await.unwrap();
    let again = client
        .group_tree(&PathId::parse("/ngp/tree").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.into_request(), back);
}

/// Fields that only `AppInfo` answers carry beside the definition (not in `AppDefinition.json`, which does
/// have `version` and `versionInfo`).
fn app_info_only() -> impl Iterator<Item = &'static str> {
    let extra = ["readinessCheckResults"];
    ngp_marathon::RESPONSE_ONLY_APP_FIELDS
        .iter()
        .copied()
        .filter(|f| !f.starts_with("version"))
        .chain(extra)
}

fn validator(dir: &std::path::Path, name: &str) -> jsonschema::Validator {
    let mut schema = read(&dir.join("schema"), name);
    // Draft 4, as Marathon's schemas are; their `$schema` and `id` would only send the validator to the network.
    schema.as_object_mut().unwrap().remove("$schema");
    schema.as_object_mut().unwrap().remove("id");
    let items = schema.pointer_mut("/properties/apps/items");
    if let Some(items) = items {
        // Apps are validated on their own, against AppDefinition.json.
        *items = json!({"type": "object"});
    }
    jsonschema::draft4::new(&schema).unwrap()
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect()
}

#[tokio::test]
async fn the_emulators_answers_follow_marathons_schema() {
    let Some(dir) = reference() else { return };
    let (url, client) = emulator().await;
    let mut apps = every_field().as_array().unwrap().clone();
    apps.extend(example_apps(&dir));
    let apps = Value::Array(apps);
    reconcile(&client, &apps).await;
    let app_schema = validator(&dir, "AppDefinition.json");
    let group_schema = validator(&dir, "Group.json");
    // What was sent, by id: an answer must validate whenever its request did. (Marathon's own app.json sets
    // both `cmd` and `args`, which its schema forbids; the emulator echoes that back, as Marathon would.)
    let sent: BTreeMap<String, Value> = collected("m", &apps).modules["m"]
        .iter()
        .map(|a| (a.id.clone(), serde_json::to_value(a).unwrap()))
        .collect();
    let listed: Value = reqwest::get(format!("{url}/v2/apps"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for app in listed["apps"].as_array().unwrap() {
        let mut app = app.clone();
        for field in app_info_only() {
            app.as_object_mut().unwrap().remove(field);
        }
        let mut request = sent[app["id"].as_str().unwrap()].clone();
        // `tty` is a later (RAML) field that the 1.7 schema does not know; Marathon's own example sets it.
        for body in [&mut app, &mut request] {
            body.as_object_mut().unwrap().remove("tty");
        }
        if errors(&app_schema, &request).is_empty() {
            assert_eq!(errors(&app_schema, &app), Vec::<String>::new(), "{}", app["id"]);
            checked += 1;
        }
    }
    assert!(checked >= sent.len() - 1, "{checked} of {}", sent.len());
    let tree = client.group(&PathId::root()).await.unwrap().unwrap();
    fn groups(tree: &Value, out: &mut Vec<Value>) {
        out.push(tree.clone());
        tree["groups"].as_array().unwrap().iter().for_each(|g| groups(g, out));
    }
    let mut all = Vec::new();
    groups(&tree, &mut all);
    assert!(all.len() >= 3, "/, /ngp and /ngp/m");
    for group in all {
        assert_eq!(errors(&group_schema, &group), Vec::<String>::new(), "{}", group["id"]);
    }
}

#[tokio::test]
async fn an_invalid_app_is_named_and_nothing_changes() {
    let (_, client) = emulator().await;
    let base = every_field();
    reconcile(&client, &base).await;
    let before = client.group(&PathId::root()).await.unwrap().unwrap();
    for (field, value, expected) in [
        (
            "instaces",
            json!(3),
            "module m, app every: instaces: unknown key; did you mean \"instances\"?",
        ),
        (
            "mem",
            json!("lots"),
            "module m, app every: mem: expected a number, found \"lots\"",
        ),
        (
            "backoffFactor",
            json!(0.5),
            "module m, app every: backoffFactor: must be at least 1, found 0.5",
        ),
        ("id", json!("Every"), "module m: output marathon_apps: app id \"Every\""),
    ] {
        let mut apps = base.clone();
        apps[0][field] = value;
        let outputs = BTreeMap::from([("m".to_owned(), BTreeMap::from([("marathon_apps".to_owned(), apps)]))]);
        let err = collect(&outputs).unwrap_err().to_string();
        assert!(err.contains(expected), "{field}: {err}");
        assert!(
            err.contains("1 problem in the apps, nothing deployed") || field == "id",
            "{err}"
        );
    }
    let after = client.group(&PathId::root()).await.unwrap().unwrap();
    assert_eq!(before, after, "nothing changed on Marathon");
}
