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
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/marathon/examples");
    dir.is_dir().then_some(dir)
}

fn example(dir: &std::path::Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

#[tokio::test]
async fn accepts_marathons_own_example_bodies() {
    let Some(dir) = examples() else {
        eprintln!("skipped: ../shared/reference/marathon/examples is not beside the repository");
        return;
    };
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
        ("/Upper", "path contains character 'U'"),
        ("/a/versions", "'versions' is a reserved name"),
        ("/-x", "'-x' is not a valid id segment"),
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
    assert_eq!(body["fetch"], json!([{"uri": "http://a/b"}]), "bare uris become fetch");

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
