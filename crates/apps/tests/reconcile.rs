//! The reconciler against the Marathon emulator: create, update of one field, unchanged with 0 writes, removal,
//! a 409 lock then success, a 422 with Marathon's details, one-per-agent apps, a timeout, and Marathon down.

use std::collections::BTreeMap;
use std::time::Duration;

use ngp_apps::{apply, collect, plan, Action, ApplyError, ApplyOptions, Desired, Progress};
use ngp_marathon::{Client, Error, PathId};
use ngp_marathon_emulator::Config;
use serde_json::{json, Value};

/// Starts an emulator on a free loopback port; returns its URL.
async fn emulator(config: Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(ngp_marathon_emulator::serve(listener, config));
    url
}

fn quick() -> Config {
    Config {
        deployment_delay: Duration::from_millis(50),
        ..Config::default()
    }
}

fn options() -> ApplyOptions {
    ApplyOptions {
        poll: Duration::from_millis(20),
        ..ApplyOptions::default()
    }
}

fn desired(modules: &[(&str, Value)]) -> Desired {
    let outputs: BTreeMap<String, BTreeMap<String, Value>> = modules
        .iter()
        .map(|(m, apps)| {
            (
                m.to_string(),
                BTreeMap::from([("marathon_apps".to_owned(), apps.clone())]),
            )
        })
        .collect();
    collect(&outputs).unwrap()
}

fn registry(mem: u32) -> Value {
    json!([{
        "id": "registry",
        "instances": 1,
        "cpus": 0.5,
        "mem": mem,
        "container": {"type": "DOCKER", "docker": {"image": "registry:2.8.3"}},
        "portDefinitions": [{"port": 0, "protocol": "tcp", "labels": {"VIP_0": "192.168.0.1:5000"}}],
        "env": {"REGISTRY_STORAGE": "s3"},
        "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/", "portIndex": 0}],
    }])
}

async fn writes(url: &str) -> u64 {
    let stats: Value = reqwest::get(format!("{url}/ngp-emulator/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["writes"].as_u64().unwrap()
}

async fn live_app(client: &Client, id: &str) -> Option<Value> {
    let id = PathId::parse(id).unwrap();
    let group = client.group(&id.parent()).await.unwrap()?;
    group["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == json!(id.to_string()))
        .cloned()
}

#[tokio::test]
async fn create_update_unchanged_remove() {
    let url = emulator(quick()).await;
    let client = Client::new(&url, None).unwrap();
    let mesos = format!("{url}/mesos");

    // Create.
    let want = desired(&[("registry", registry(256))]);
    let p = plan(&client, &want, &mesos).await.unwrap();
    assert_eq!(p.modules[0].apps[0].action, Action::Create);
    let report = apply(&client, &p, &options(), |_| {}).await.unwrap();
    assert_eq!(report.created, vec!["/ngp/registry/registry"]);
    let app = live_app(&client, "/ngp/registry/registry").await.unwrap();
    assert_eq!(
        app["tasksRunning"],
        json!(1),
        "the deployment finished before apply returned"
    );

    // Unchanged: Marathon's defaults and the port it chose are not changes; nothing is written.
    let before = writes(&url).await;
    let client = Client::new(&url, None).unwrap();
    let p = plan(&client, &want, &mesos).await.unwrap();
    assert!(p.is_empty(), "{p:?}");
    let report = apply(&client, &p, &options(), |_| {}).await.unwrap();
    assert_eq!(report.unchanged, vec!["/ngp/registry/registry"]);
    assert_eq!(writes(&url).await - before, 0);
    assert_eq!(client.calls(), (1, 0), "one read of the /ngp tree, no write");

    // Update of one field: exactly that key, one group PUT.
    let before = writes(&url).await;
    let p = plan(&client, &desired(&[("registry", registry(512))]), &mesos)
        .await
        .unwrap();
    assert_eq!(p.modules[0].apps[0].action, Action::Update(vec!["mem".to_owned()]));
    let report = apply(&client, &p, &options(), |_| {}).await.unwrap();
    assert_eq!(report.updated, vec!["/ngp/registry/registry"]);
    assert_eq!(writes(&url).await - before, 1);
    assert_eq!(
        live_app(&client, "/ngp/registry/registry").await.unwrap()["mem"],
        json!(512.0)
    );

    // A key NGP stops setting is a change too.
    let mut fewer = registry(512);
    fewer[0].as_object_mut().unwrap().remove("healthChecks");
    let p = plan(&client, &desired(&[("registry", fewer)]), &mesos).await.unwrap();
    assert!(matches!(&p.modules[0].apps[0].action, Action::Update(_)), "{p:?}");

    // Removal: an app taken out of the config goes; apps outside /ngp are never touched.
    let other = reqwest::Client::new()
        .put(format!("{url}/v2/apps/other/app"))
        .json(&json!({"cmd": "sleep 1000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
    let p = plan(&client, &desired(&[("registry", json!([]))]), &mesos)
        .await
        .unwrap();
    assert_eq!(p.modules[0].apps[0].action, Action::Remove);
    let report = apply(&client, &p, &options(), |_| {}).await.unwrap();
    assert_eq!(report.removed, vec!["/ngp/registry/registry"]);
    assert!(live_app(&client, "/ngp/registry/registry").await.is_none());
    assert!(live_app(&client, "/other/app").await.is_some());
}

#[tokio::test]
async fn a_module_that_exports_no_apps_any_more_loses_its_group() {
    let url = emulator(quick()).await;
    let client = Client::new(&url, None).unwrap();
    let mesos = format!("{url}/mesos");
    let p = plan(
        &client,
        &desired(&[("registry", registry(256)), ("tyk", json!([{"id": "gateway"}]))]),
        &mesos,
    )
    .await
    .unwrap();
    apply(&client, &p, &options(), |_| {}).await.unwrap();
    let p = plan(&client, &desired(&[("registry", registry(256))]), &mesos)
        .await
        .unwrap();
    let report = apply(&client, &p, &options(), |_| {}).await.unwrap();
    assert_eq!(report.removed, vec!["/ngp/tyk/gateway"]);
    assert_eq!(report.unchanged, vec!["/ngp/registry/registry"]);
    assert!(client
        .group(&PathId::parse("/ngp/tyk").unwrap())
        .await
        .unwrap()
        .is_none());
}

/// The registry deployed by someone else's write, whose deployment holds it for `delay`, and a plan that
/// changes it.
async fn held_by_a_deployment(delay: Duration) -> (Client, ngp_apps::Plan) {
    let url = emulator(Config {
        deployment_delay: delay,
        ..Config::default()
    })
    .await;
    let client = Client::new(&url, None).unwrap();
    let mesos = format!("{url}/mesos");
    let p = plan(&client, &desired(&[("registry", registry(256))]), &mesos)
        .await
        .unwrap();
    client
        .put_group(p.modules[0].body.as_ref().unwrap(), false)
        .await
        .unwrap();
    let p = plan(&client, &desired(&[("registry", registry(300))]), &mesos)
        .await
        .unwrap();
    (client, p)
}

#[tokio::test]
async fn a_lock_is_waited_out_then_the_write_succeeds() {
    let (client, p) = held_by_a_deployment(Duration::from_millis(800)).await;
    let mut events = Vec::new();
    let report = apply(&client, &p, &options(), |e| events.push(e)).await.unwrap();
    assert_eq!(report.updated, vec!["/ngp/registry/registry"]);
    assert!(
        events.iter().any(|e| matches!(e, Progress::Locked { .. })),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| matches!(e, Progress::Waiting { .. })),
        "{events:?}"
    );
    assert_eq!(
        live_app(&client, "/ngp/registry/registry").await.unwrap()["mem"],
        json!(300.0)
    );
}

#[tokio::test]
async fn force_cancels_the_lock_instead_of_waiting() {
    let (client, p) = held_by_a_deployment(Duration::from_secs(30)).await;
    let locked = client
        .put_group(p.modules[0].body.as_ref().unwrap(), false)
        .await
        .unwrap_err();
    assert!(matches!(locked, Error::Locked { .. }), "{locked}");
    let timeout = ApplyOptions {
        force: true,
        timeout: Duration::from_millis(300),
        ..options()
    };
    // Forced, the write goes through; its own 30 s deployment then outlasts the timeout, which says so.
    let err = apply(&client, &p, &timeout, |_| {}).await.unwrap_err();
    assert!(matches!(err, ApplyError::Timeout { .. }));
    assert!(err.to_string().contains("did not finish within 0s"), "{err}");
    assert_eq!(
        live_app(&client, "/ngp/registry/registry").await.unwrap()["mem"],
        json!(300.0)
    );
}

#[tokio::test]
async fn a_422_shows_marathons_details() {
    let url = emulator(quick()).await;
    let client = Client::new(&url, None).unwrap();
    let bad = json!([{"id": "web", "dependencies": ["/Upper/case"]}]);
    let p = plan(&client, &desired(&[("web", bad)]), &format!("{url}/mesos"))
        .await
        .unwrap();
    let err = apply(&client, &p, &options(), |_| {}).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("Marathon rejected group /ngp/web: Object is not valid; /apps(0)/dependencies(0): 'Upper'"),
        "{text}"
    );
}

#[tokio::test]
async fn one_per_agent_apps_follow_the_live_agents_and_cannot_stall() {
    let url = emulator(Config {
        public_agents: 3,
        ..quick()
    })
    .await;
    let client = Client::new(&url, None).unwrap();
    let app = json!([{"id": "edge", "labels": {"NGP_PER_AGENT": "public"}, "cmd": "sleep 1000"}]);
    let p = plan(&client, &desired(&[("edge", app)]), &format!("{url}/mesos"))
        .await
        .unwrap();
    apply(&client, &p, &options(), |_| {}).await.unwrap();
    let live = live_app(&client, "/ngp/edge/edge").await.unwrap();
    assert_eq!(live["instances"], json!(3));
    assert_eq!(
        live["upgradeStrategy"],
        json!({"minimumHealthCapacity": 0.0, "maximumOverCapacity": 0.0})
    );
    assert_eq!(live["constraints"], json!([["hostname", "UNIQUE"]]));
    assert_eq!(live["acceptedResourceRoles"], json!(["slave_public"]));
}

#[tokio::test]
async fn marathon_down_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let client = Client::new(&url, None).unwrap();
    let err = plan(
        &client,
        &desired(&[("registry", registry(256))]),
        &format!("{url}/mesos"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }));
    assert!(
        err.to_string()
            .starts_with(&format!("cannot reach Marathon at {url}: ")),
        "{err}"
    );
}

#[tokio::test]
async fn a_web_page_is_not_an_empty_marathon() {
    let page = || async {
        (
            axum::http::StatusCode::NOT_FOUND,
            [("content-type", "text/html")],
            "<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>",
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().fallback(page)).await });
    let client = Client::new(&url, None).unwrap();
    let err = plan(&client, &desired(&[("registry", registry(128))]), "")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("answered 404 with something other than Marathon's JSON"),
        "{err}"
    );
    assert!(
        err.contains("is this Marathon's address?") && !err.contains("<h1>"),
        "{err}"
    );
}
