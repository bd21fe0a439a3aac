//! The emulator keeps to Marathon's published semantics (`API.md`) and accepts Marathon's own example bodies
//! (read from `../shared/reference/marathon/examples` beside the repository; skipped when that is absent).

use std::path::PathBuf;
use std::time::Duration;

use ngp_marathon_emulator::Config;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

async fn emulator(delay_ms: u64) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        deployment_delay: Duration::from_millis(delay_ms),
        ..Config::default()
    };
    tokio::spawn(ngp_marathon_emulator::serve(listener, config));
    url
}

async fn call(url: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = Client::new().request(method, format!("{url}{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn examples() -> Option<PathBuf> {
    ngp_testing::reference("marathon/examples")
}

fn example(dir: &std::path::Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

#[tokio::test]
async fn accepts_marathons_own_example_bodies() {
    let Some(dir) = examples() else { return };
    let url = emulator(0).await;
    let (status, body) = call(&url, Method::POST, "/v2/apps", Some(example(&dir, "app.json"))).await;
    assert_eq!(status, StatusCode::CREATED, "POST app.json: {body}");
    assert_eq!(body["id"], json!("/foo"));
    let (status, body) = call(&url, Method::PUT, "/v2/apps/foo", Some(example(&dir, "app.json"))).await;
    assert_eq!(status, StatusCode::OK, "PUT app.json: {body}");
    assert!(
        body["deploymentId"].is_string() && body["version"].is_string(),
        "{body}"
    );
    let (status, body) = call(
        &url,
        Method::PATCH,
        "/v2/apps/foo",
        Some(example(&dir, "app_patch.json")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "PATCH app_patch.json: {body}");
    let (status, body) = call(&url, Method::PUT, "/v2/apps", Some(example(&dir, "apps_create.json"))).await;
    assert_eq!(status, StatusCode::OK, "PUT apps_create.json: {body}");
    let (status, body) = call(&url, Method::PATCH, "/v2/apps", Some(example(&dir, "apps_patch.json"))).await;
    assert_eq!(status, StatusCode::OK, "PATCH apps_patch.json: {body}");
    let (status, body) = call(&url, Method::PUT, "/v2/groups", Some(example(&dir, "group.json"))).await;
    assert_eq!(status, StatusCode::OK, "PUT group.json: {body}");
    let (_, tree) = call(
        &url,
        Method::GET,
        "/v2/groups?embed=group.apps&embed=group.groups",
        None,
    )
    .await;
    let tools = tree["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == json!("/tools"))
        .unwrap();
    assert_eq!(tools["apps"].as_array().unwrap().len(), 2, "{tools}");
    // The root group PUT holds only /tools: the apps created above, outside it, are stopped.
    let (status, _) = call(&url, Method::GET, "/v2/apps/foo", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ids_are_normalised_and_validated() {
    let url = emulator(0).await;
    let (status, body) = call(
        &url,
        Method::POST,
        "/v2/apps",
        Some(json!({"id": "//a/./b/../c/", "cmd": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], json!("/a/c"));
    for (id, expected) in [
        ("/Upper", "'Upper' in '/Upper' must match"),
        ("/a/versions", "'versions' is a reserved name"),
        ("/-x", "'-x' in '/-x' must match"),
    ] {
        let (status, body) = call(&url, Method::POST, "/v2/apps", Some(json!({"id": id, "cmd": "x"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{id}: {body}");
        assert_eq!(body["message"], json!("Object is not valid"));
        assert_eq!(body["details"][0]["path"], json!("/id"));
        assert!(
            body["details"][0]["errors"][0].as_str().unwrap().starts_with(expected),
            "{body}"
        );
    }
    let (status, body) = call(&url, Method::POST, "/v2/apps", Some(json!({"id": "/a/c", "cmd": "x"}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["message"], json!("An app with id [/a/c] already exists."));
    let (status, body) = call(&url, Method::GET, "/v2/apps/nope", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, json!({"message": "App '/nope' does not exist"}))
    );
    let (status, body) = call(&url, Method::GET, "/v2/groups/nope", None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"message": "Group '/nope' does not exist"})
        )
    );
}

#[tokio::test]
async fn bodies_are_validated() {
    let url = emulator(0).await;
    let response = Client::new()
        .post(format!("{url}/v2/apps"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["message"], json!("Invalid JSON"));

    let both = json!({"id": "/x", "cmd": "x", "uris": ["http://a/b"], "fetch": [{"uri": "http://a/c"}]});
    let (status, body) = call(&url, Method::POST, "/v2/apps", Some(both)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, body) = call(
        &url,
        Method::POST,
        "/v2/apps",
        Some(json!({"id": "/x", "uris": ["http://a/b"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["fetch"],
        json!([{"uri": "http://a/b", "extract": true, "executable": false, "cache": false}]),
        "bare uris become fetch, with the artifact's defaults"
    );

    let (status, body) = call(
        &url,
        Method::PUT,
        "/v2/apps/x",
        Some(json!({"version": "2020-01-01T00:00:00.000Z", "cmd": "y"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a version beside other fields: {body}"
    );

    let (status, body) = call(
        &url,
        Method::POST,
        "/v2/apps",
        Some(json!({"id": "/y", "instances": "two"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let cyclic = json!({"id": "/g", "apps": [
        {"id": "a", "cmd": "x", "dependencies": ["b"]},
        {"id": "b", "cmd": "x", "dependencies": ["/g/a"]}]});
    let (status, body) = call(&url, Method::PUT, "/v2/groups/g", Some(cyclic)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["details"][0]["errors"][0],
        json!("Dependency graph has cyclic dependencies.")
    );

    let outside = json!({"id": "/g", "apps": [{"id": "/elsewhere/a", "cmd": "x"}]});
    let (status, body) = call(&url, Method::PUT, "/v2/groups/g", Some(outside)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn deployments_lock_then_finish() {
    let url = emulator(400).await;
    let group = json!({"id": "/g", "apps": [{"id": "a", "cmd": "x", "instances": 2}]});
    let (status, result) = call(&url, Method::PUT, "/v2/groups/g", Some(group.clone())).await;
    assert_eq!(status, StatusCode::OK);
    let deployment = result["deploymentId"].as_str().unwrap().to_owned();

    let (_, running) = call(&url, Method::GET, "/v2/deployments", None).await;
    assert_eq!(running[0]["id"], json!(deployment));
    assert_eq!(running[0]["affectedApps"], json!(["/g/a"]));
    let (_, app) = call(&url, Method::GET, "/v2/apps/g/a", None).await;
    assert_eq!(
        app["app"]["tasksRunning"],
        json!(0),
        "not running before the deployment finishes"
    );

    let changed = json!({"id": "/g", "apps": [{"id": "a", "cmd": "y", "instances": 2}]});
    let (status, body) = call(&url, Method::PUT, "/v2/groups/g", Some(changed.clone())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["deployments"], json!([{"id": deployment}]));
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("App is locked by one or more deployments."));
    let (status, _) = call(&url, Method::DELETE, "/v2/groups/g", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "group delete does not force by default");

    // The same body again changes nothing: accepted at once, and it locks nothing.
    let (status, _) = call(&url, Method::PUT, "/v2/groups/g", Some(group)).await;
    assert_eq!(status, StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, running) = call(&url, Method::GET, "/v2/deployments", None).await;
    assert_eq!(running, json!([]));
    let (_, app) = call(&url, Method::GET, "/v2/apps/g/a", None).await;
    assert_eq!(app["app"]["tasksRunning"], json!(2));
    let (status, _) = call(&url, Method::PUT, "/v2/groups/g?dryRun=true", Some(changed.clone())).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&url, Method::PUT, "/v2/groups/g?force=true", Some(changed)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, versions) = call(&url, Method::GET, "/v2/apps/g/a/versions", None).await;
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn partial_bodies_are_accepted_and_filled_with_defaults() {
    let url = emulator(0).await;
    let partial = json!({
        "id": "/p", "cmd": "x",
        "upgradeStrategy": {"minimumHealthCapacity": 0.5},
        "container": {"docker": {"image": "nginx"}},
        "portDefinitions": [{"name": "http"}],
        "networks": [{"name": "dcos"}],
        "healthChecks": [{"protocol": "COMMAND", "command": {"value": "true"}}],
        "fetch": [{"uri": "https://a/b"}],
    });
    let (status, app) = call(&url, Method::POST, "/v2/apps", Some(partial)).await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    assert_eq!(
        app["upgradeStrategy"],
        json!({"minimumHealthCapacity": 0.5, "maximumOverCapacity": 1.0})
    );
    assert_eq!(app["container"]["type"], json!("DOCKER"));
    assert_eq!(app["portDefinitions"][0]["protocol"], json!("tcp"));
    assert!(app["portDefinitions"][0]["port"].as_u64().unwrap() >= 10000, "{app}");
    assert_eq!(app["networks"], json!([{"mode": "container", "name": "dcos"}]));
    assert_eq!(app["healthChecks"][0]["gracePeriodSeconds"], json!(300));
    assert_eq!(app["healthChecks"][0]["delaySeconds"], json!(15));
    assert_eq!(
        app["fetch"][0],
        json!({"uri": "https://a/b", "extract": true, "executable": false, "cache": false})
    );
}

#[tokio::test]
async fn what_marathon_rejects_is_a_422_naming_the_field() {
    let url = emulator(0).await;
    for (body, path) in [
        (json!({"killSelection": "RANDOM"}), "/killSelection"),
        (
            json!({"upgradeStrategy": {"maximumOverCapacity": 2}}),
            "/upgradeStrategy/maximumOverCapacity",
        ),
        (json!({"instances": "two"}), "/instances"),
        (json!({"mem": -1}), "/mem"),
        (
            json!({"healthChecks": [{"protocol": "SMTP"}]}),
            "/healthChecks(0)/protocol",
        ),
        (json!({"id": "/Bad"}), "/id"),
    ] {
        let mut body = body;
        body.as_object_mut().unwrap().entry("id").or_insert(json!("/r"));
        let (status, answer) = call(&url, Method::POST, "/v2/apps", Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["details"][0]["path"], json!(path), "{body}: {answer}");
    }
    let (_, apps) = call(&url, Method::GET, "/v2/apps", None).await;
    assert_eq!(apps, json!({"apps": []}), "nothing was stored");
}

#[tokio::test]
async fn the_endpoints_that_client_libraries_call() {
    let url = emulator(0).await;
    let text = reqwest::get(format!("{url}/ping")).await.unwrap().text().await.unwrap();
    assert_eq!(text, "pong");
    let (_, leader) = call(&url, Method::GET, "/v2/leader", None).await;
    assert!(leader["leader"].is_string());
    let (_, info) = call(&url, Method::GET, "/v2/info", None).await;
    for key in [
        "marathon_config",
        "zookeeper_config",
        "http_config",
        "leader",
        "version",
    ] {
        assert!(!info[key].is_null(), "{key}: {info}");
    }
    let app = json!({"id": "/web", "cmd": "x", "instances": 2, "portDefinitions": [{"port": 0}]});
    let (status, _) = call(&url, Method::POST, "/v2/apps", Some(app)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, tasks) = call(&url, Method::GET, "/v2/tasks", None).await;
    let tasks = tasks["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0]["appId"], json!("/web"));
    assert_eq!(tasks[0]["state"], json!("TASK_RUNNING"));
    let (_, own) = call(&url, Method::GET, "/v2/apps/web/tasks", None).await;
    assert_eq!(own["tasks"].as_array().unwrap().len(), 2);
    let (status, restarted) = call(&url, Method::POST, "/v2/apps/web/restart", Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{restarted}");
    assert!(restarted["deploymentId"].is_string());
    let (_, versions) = call(&url, Method::GET, "/v2/apps/web/versions", None).await;
    let latest = versions["versions"][0].as_str().unwrap().to_owned();
    let (status, at) = call(&url, Method::GET, &format!("/v2/apps/web/versions/{latest}"), None).await;
    assert_eq!((status, &at["id"]), (StatusCode::OK, &json!("/web")));
    let (status, queue) = call(&url, Method::GET, "/v2/queue", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue["queue"].is_array());
    // The restart replaced the tasks: kill one of the new ones, shrinking the app.
    let (_, tasks) = call(&url, Method::GET, "/v2/apps/web/tasks", None).await;
    let id = tasks["tasks"][0]["id"].as_str().unwrap();
    let (status, scaled) = call(
        &url,
        Method::POST,
        "/v2/tasks/delete?scale=true",
        Some(json!({"ids": [id]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scaled}");
    let (_, app) = call(&url, Method::GET, "/v2/apps/web", None).await;
    assert_eq!(app["app"]["instances"], json!(1));
    let (status, subs) = call(&url, Method::GET, "/v2/eventSubscriptions", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(subs["message"].as_str().unwrap().contains("http_callback"));
    let (status, pods) = call(&url, Method::GET, "/v2/pods", None).await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert!(pods["message"].as_str().unwrap().contains("not emulated"));
}

/// Query booleans as Jersey reads them: `True`, `TRUE` and `true` are true; `False`, `0` or anything else false;
/// unknown parameters are ignored. Python clients send `force=False`.
#[tokio::test]
async fn query_booleans_in_any_case_and_unknown_parameters_ignored() {
    let url = emulator(0).await;
    let app = json!({"id": "/q/web", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32, "instances": 1});
    let (status, _) = call(&url, Method::POST, "/v2/apps?force=False&nosuch=1", Some(app)).await;
    assert_eq!(status, StatusCode::CREATED);
    for force in ["True", "TRUE", "true", "False", "false", "0", "yes"] {
        let path = format!("/v2/apps/q/web?force={force}&partialUpdate=True&unknown=x");
        let (status, body) = call(&url, Method::PUT, &path, Some(json!({"instances": 2}))).await;
        assert!(status.is_success(), "force={force}: {status} {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, _) = call(&url, Method::DELETE, "/v2/apps/q/web?force=True", None).await;
    assert!(status.is_success());
}
