//! The security plugin's REST calls, recorded by a stand-in: each role, then its mapping, as the master user;
//! a second run sends the same calls (idempotent PUTs); a refusal is an error naming the URL and the answer.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::put;
use axum::Router;
use ngp_search_roles::{apply, Master, Role, Roles};
use serde_json::{json, Value};

type Calls = Arc<Mutex<Vec<(String, String, Value)>>>;

async fn serve(status: StatusCode) -> (String, Calls) {
    let calls: Calls = Arc::default();
    let record = move |State(calls): State<Calls>, uri: Uri, headers: HeaderMap, body: String| async move {
        let auth = headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        calls
            .lock()
            .unwrap()
            .push((uri.path().to_owned(), auth, serde_json::from_str(&body).unwrap()));
        (status, "{\"status\":\"OK\"}")
    };
    let app = Router::new().route("/{*path}", put(record)).with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

fn logstash() -> Roles {
    let role = json!({
        "cluster_permissions": ["cluster_monitor", "indices:admin/template/*"],
        "index_permissions": [{ "index_patterns": ["ngp-logs-*"], "allowed_actions": ["crud", "create_index"] }],
    });
    let arn = "arn:aws:iam::123456789012:role/ngp-agents".to_owned();
    Roles::from([(
        "ngp_logstash".to_owned(),
        Role {
            role,
            backend_roles: vec![arn],
        },
    )])
}

fn master() -> Master {
    Master {
        user: "admin".into(),
        password: "s3cret".into(),
    }
}

#[tokio::test]
async fn writes_each_role_then_its_mapping_as_the_master_user_and_again_the_same() {
    let (url, calls) = serve(StatusCode::OK).await;
    let http = reqwest::Client::new();
    let first = apply(&http, &url, &master(), &logstash()).await.unwrap();
    let second = apply(&http, &url, &master(), &logstash()).await.unwrap();
    assert_eq!(
        first,
        [
            "/_plugins/_security/api/roles/ngp_logstash",
            "/_plugins/_security/api/rolesmapping/ngp_logstash"
        ]
    );
    assert_eq!(first, second);
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 4);
    assert_eq!(calls[..2], calls[2..], "a second run sends exactly the same calls");
    // "admin:s3cret", base64.
    assert!(calls.iter().all(|(_, auth, _)| auth == "Basic YWRtaW46czNjcmV0"));
    assert_eq!(calls[0].2, logstash()["ngp_logstash"].role);
    assert_eq!(
        calls[1].2,
        json!({ "backend_roles": ["arn:aws:iam::123456789012:role/ngp-agents"] })
    );
}

#[tokio::test]
async fn a_refusal_names_the_url_and_the_answer() {
    let (url, calls) = serve(StatusCode::FORBIDDEN).await;
    let err = apply(&reqwest::Client::new(), &url, &master(), &logstash())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/_plugins/_security/api/roles/ngp_logstash answered 403"),
        "{err}"
    );
    assert_eq!(calls.lock().unwrap().len(), 1, "nothing after the first refusal");
}
