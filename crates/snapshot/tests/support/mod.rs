//! What the snapshot tests, the Lambda's tests and the bench share: the local AWS emulator, the Marathon
//! emulator, a store with its bucket, and a generated tree of 1,000 apps.
#![allow(dead_code)]

use std::time::Duration;

use ngp_marathon::{Client, Group, PathId};
use ngp_snapshot::Store;
use serde_json::{json, Value};

pub use ngp_testing::moto;

/// 1,000 apps in groups three deep (10 × 10 × 10), each group depending on its previous sibling.
pub fn thousand_apps() -> Group {
    let group = |id: String, apps: Vec<Value>, groups: Vec<Value>, deps: Vec<String>| json!({"id": id, "apps": apps, "groups": groups, "dependencies": deps});
    let top: Vec<Value> = (0..10)
        .map(|a| {
            let mid: Vec<Value> = (0..10)
                .map(|b| {
                    let id = format!("/bulk/g{a}/g{b}");
                    let apps = (0..10)
                        .map(|c| json!({"id": format!("{id}/app{c}"), "cmd": format!("sleep {}", 100 + c), "cpus": 0.01, "mem": 8, "instances": 0, "labels": {"n": format!("{a}{b}{c}")}}))
                        .collect();
                    let deps = if b > 0 { vec![format!("/bulk/g{a}/g{}", b - 1)] } else { vec![] };
                    group(id, apps, vec![], deps)
                })
                .collect();
            group(format!("/bulk/g{a}"), vec![], mid, vec![])
        })
        .collect();
    serde_json::from_value(group("/bulk".into(), vec![], top, vec![])).unwrap()
}

/// The Marathon emulator on this runtime, and a client of it.
pub async fn marathon() -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = ngp_marathon_emulator::Config {
        deployment_delay: Duration::from_millis(5),
        ..Default::default()
    };
    tokio::spawn(ngp_marathon_emulator::serve(listener, config));
    Client::new(&url, None).unwrap()
}

/// The store `snapshots/marathon/dev/` in the emulator's S3, its bucket made.
pub async fn store(endpoint: &str) -> Store {
    let config = ngp_aws::sdk_config("us-east-1", Some(endpoint)).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket("snapshots").send().await.unwrap();
    Store {
        s3,
        bucket: "snapshots".into(),
        prefix: "marathon".into(),
        cluster: "dev".into(),
    }
}

/// Waits until deployment `id` is done.
pub async fn settle(client: &Client, id: &str) {
    while client.deployments().await.unwrap().iter().any(|d| d.id == id) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The live tree without what only Marathon's answers carry (versions, tasks, counts), for comparing.
pub async fn live(client: &Client) -> Value {
    let tree = client.group_tree(&PathId::root()).await.unwrap().unwrap();
    serde_json::to_value(tree.into_request()).unwrap()
}
