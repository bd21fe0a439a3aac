//! Every query parameter of ../shared/reference/marathon (API.md and the RAML), one row each, parsed as Marathon
//! parses it: booleans in any case, `embed` repeated, label selectors, `cmd` and `id` filters, unknown
//! parameters ignored.

use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

async fn emulator() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = ngp_marathon_emulator::Config {
        deployment_delay: Duration::from_millis(0),
        ..Default::default()
    };
    tokio::spawn(ngp_marathon_emulator::serve(listener, config));
    url
}

/// One row: the request, the status it must get, and what its body must show.
struct Row {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    status: StatusCode,
    check: fn(&Value) -> bool,
}

fn ids(body: &Value) -> Vec<&str> {
    body["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect()
}

fn rows() -> Vec<Row> {
    let row = |method, path, body, status, check| Row {
        method,
        path,
        body,
        status,
        check,
    };
    let app =
        |id: &str, cmd: &str, labels: Value| json!({"id": id, "cmd": cmd, "cpus": 0.1, "mem": 16, "labels": labels});
    vec![
        row(
            Method::POST,
            "/v2/apps?force=TRUE&nosuch=1",
            Some(app("/t/a", "sleep 9", json!({"env": "prod", "tier": "web"}))),
            StatusCode::CREATED,
            |_| true,
        ),
        row(
            Method::POST,
            "/v2/apps?force=False",
            Some(app("/t/b", "python serve", json!({"env": "stage"}))),
            StatusCode::CREATED,
            |_| true,
        ),
        row(Method::GET, "/v2/apps?label=env%3D%3Dprod", None, StatusCode::OK, |b| {
            ids(b) == ["/t/a"]
        }),
        row(Method::GET, "/v2/apps?label=env!%3Dprod", None, StatusCode::OK, |b| {
            ids(b) == ["/t/b"]
        }),
        row(
            Method::GET,
            "/v2/apps?label=env%20in%20(prod,%20stage)",
            None,
            StatusCode::OK,
            |b| ids(b) == ["/t/a", "/t/b"],
        ),
        row(
            Method::GET,
            "/v2/apps?label=env%20notin%20(prod)",
            None,
            StatusCode::OK,
            |b| ids(b) == ["/t/b"],
        ),
        row(
            Method::GET,
            "/v2/apps?label=tier,env%3D%3Dprod",
            None,
            StatusCode::OK,
            |b| ids(b) == ["/t/a"],
        ),
        row(
            Method::GET,
            "/v2/apps?label=env%20in%20prod",
            None,
            StatusCode::BAD_REQUEST,
            |b| b["message"].as_str().unwrap().contains("label selector"),
        ),
        row(Method::GET, "/v2/apps?cmd=python", None, StatusCode::OK, |b| {
            ids(b) == ["/t/b"]
        }),
        row(Method::GET, "/v2/apps?id=/t/a&unknown=x", None, StatusCode::OK, |b| {
            ids(b) == ["/t/a"]
        }),
        row(
            Method::GET,
            "/v2/apps?embed=apps.tasks&embed=apps.counts",
            None,
            StatusCode::OK,
            |b| {
                b["apps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|a| a["tasks"].is_array() && a["tasksRunning"].is_number())
            },
        ),
        row(Method::GET, "/v2/apps?embed=apps.counts", None, StatusCode::OK, |b| {
            b["apps"][0].get("tasks").is_none()
        }),
        row(
            Method::PUT,
            "/v2/apps/t/b?partialUpdate=TRUE&force=false",
            Some(json!({"instances": 2})),
            StatusCode::OK,
            |_| true,
        ),
        row(
            Method::GET,
            "/v2/apps?label=env%3D%3Dstage",
            None,
            StatusCode::OK,
            |b| b["apps"][0]["instances"] == 2,
        ),
        row(
            Method::PUT,
            "/v2/apps/t/a?partialUpdate=False",
            Some(json!({"id": "/t/a", "cmd": "sleep 5", "cpus": 0.1, "mem": 16})),
            StatusCode::OK,
            |_| true,
        ),
        row(Method::GET, "/v2/apps?label=tier", None, StatusCode::OK, |b| {
            ids(b).is_empty()
        }),
        row(
            Method::POST,
            "/v2/apps/t/a/restart?force=True",
            None,
            StatusCode::OK,
            |b| b["deploymentId"].is_string(),
        ),
        row(
            Method::GET,
            "/v2/groups?embed=group.apps&embed=group.groups",
            None,
            StatusCode::OK,
            |b| b["groups"][0]["apps"].as_array().is_some_and(|a| a.len() == 2),
        ),
        row(
            Method::GET,
            "/v2/queue?embed=lastUnusedOffers",
            None,
            StatusCode::OK,
            |b| b["queue"].is_array(),
        ),
        row(
            Method::PUT,
            "/v2/groups/t?dryRun=True",
            Some(json!({"id": "/t", "apps": []})),
            StatusCode::OK,
            |b| b["steps"].is_array(),
        ),
        row(Method::GET, "/v2/apps", None, StatusCode::OK, |b| ids(b).len() == 2),
        row(Method::DELETE, "/v2/apps/t/b?force=FALSE", None, StatusCode::OK, |_| {
            true
        }),
        row(Method::DELETE, "/v2/groups/t?force=True", None, StatusCode::OK, |_| {
            true
        }),
    ]
}

#[tokio::test]
async fn every_query_parameter_as_marathon_reads_it() {
    let url = emulator().await;
    for row in rows() {
        let mut request = Client::new().request(row.method.clone(), format!("{url}{}", row.path));
        if let Some(body) = &row.body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
        assert_eq!(status, row.status, "{} {}: {body}", row.method, row.path);
        assert!((row.check)(&body), "{} {}: {body}", row.method, row.path);
        // Let each deployment finish before the next row.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
