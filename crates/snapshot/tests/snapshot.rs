//! Snapshots end to end: the Marathon emulator in this process, the local AWS emulator's S3. Take, wipe, restore:
//! every field of every app comes back, with groups and their dependencies; a subtree alone; a dry run that
//! changes nothing; no prune unless asked; bad snapshots refused with Marathon untouched.

use std::path::PathBuf;
use std::time::Duration;

use ngp_marathon::{Client, Group, PathId};
use ngp_snapshot::{restore, show, take, RestoreOptions};
use serde_json::{json, Value};

mod support;
use support::{live, marathon, moto, settle, store, thousand_apps};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn options(only: &str) -> RestoreOptions {
    RestoreOptions {
        only: PathId::parse(only).unwrap(),
        dry_run: false,
        prune: false,
        force: false,
        timeout: Duration::from_secs(30),
        poll: Duration::from_millis(5),
    }
}

/// Apps of every shape: every field NGP's lossless tests set, and Marathon's own examples when the reference is
/// beside the repository.
fn sample_apps() -> Vec<Value> {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../apps/tests/fixtures/every-field.json");
    let mut apps: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    if let Some(examples) = ngp_testing::reference("marathon/examples/apps_create.json") {
        let text = std::fs::read_to_string(examples).unwrap();
        apps.extend(serde_json::from_str::<Vec<Value>>(&text).unwrap());
    }
    for (i, app) in apps.iter_mut().enumerate() {
        let app = app.as_object_mut().unwrap();
        for field in ngp_marathon::RESPONSE_ONLY_APP_FIELDS {
            app.remove(*field);
        }
        app.insert("id".into(), json!(format!("app-{i}")));
    }
    apps
}

/// Writes a tree: `/ngp/shapes` with the sample apps, and `/ngp/web/{db,api}` where api depends on db.
async fn seed(client: &Client) {
    let tree = json!({"id": "/ngp", "groups": [
        {"id": "/ngp/shapes", "apps": sample_apps()},
        {"id": "/ngp/web", "groups": [
            {"id": "/ngp/web/db", "apps": [{"id": "/ngp/web/db/pg", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32}]},
            {"id": "/ngp/web/api", "dependencies": ["/ngp/web/db"], "apps": [{"id": "/ngp/web/api/srv", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32, "labels": {"tier": "api"}}]}
        ]}
    ]});
    let group: Group = serde_json::from_value(tree).unwrap();
    let result = client.put_group(&group, false).await.unwrap();
    settle(client, &result.deployment_id).await;
}

async fn wipe(client: &Client) {
    let result = client
        .delete_group(&PathId::parse("/ngp").unwrap(), true)
        .await
        .unwrap()
        .unwrap();
    settle(client, &result.deployment_id).await;
    assert_eq!(
        ngp_snapshot::document::counts(&client.group(&PathId::root()).await.unwrap().unwrap()),
        (0, 0)
    );
}

#[test]
fn take_wipe_restore_brings_back_every_field_and_group() {
    // moto starts and stops outside the async runtime (its client blocks).
    let state = tempfile::tempdir().unwrap();
    let Some(aws) = moto(state.path()) else { return };
    runtime().block_on(take_wipe_restore_brings_back_every_field_and_group_body(&aws.1));
}

async fn take_wipe_restore_brings_back_every_field_and_group_body(endpoint: &str) {
    let (client, store) = (marathon().await, store(endpoint).await);
    seed(&client).await;
    let before = live(&client).await;
    let (id, doc) = take(&client, &store).await.unwrap();
    assert_eq!((doc.groups, doc.cluster.as_str()), (5, "dev"));
    assert_eq!(doc.apps, sample_apps().len() + 2);
    let listed = store.list(10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id.as_str(), listed[0].apps),
        (id.as_str(), Some(doc.apps as u64))
    );
    assert!(listed[0].key.starts_with("marathon/dev/") && listed[0].size > 1000);

    wipe(&client).await;
    let mut dry = options("/");
    dry.dry_run = true;
    let planned = restore(&client, &store, "latest", &dry).await.unwrap();
    assert_eq!(planned.changes.len(), doc.apps, "every app to create");
    assert!(planned.steps.unwrap()["steps"].is_array());
    assert_eq!(
        ngp_snapshot::document::counts(&client.group(&PathId::root()).await.unwrap().unwrap()),
        (0, 0),
        "a dry run changes nothing"
    );

    let report = restore(&client, &store, "latest", &options("/")).await.unwrap();
    assert_eq!(report.id, id);
    assert_eq!(
        live(&client).await,
        before,
        "the tree is back, every field of every app"
    );

    // One subtree alone: the rest stays as it is.
    wipe(&client).await;
    restore(&client, &store, &id, &options("/ngp/web")).await.unwrap();
    let back = client.group_tree(&PathId::root()).await.unwrap().unwrap();
    assert_eq!(
        ngp_snapshot::document::counts(&serde_json::to_value(&back).unwrap()),
        (2, 4)
    );
    let api = client
        .group_tree(&PathId::parse("/ngp/web/api").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(api.dependencies, ["/ngp/web/db"]);
}

#[test]
fn a_restore_prunes_only_when_asked_and_bad_snapshots_change_nothing() {
    // moto starts and stops outside the async runtime (its client blocks).
    let state = tempfile::tempdir().unwrap();
    let Some(aws) = moto(state.path()) else { return };
    runtime().block_on(a_restore_prunes_only_when_asked_and_bad_snapshots_change_nothing_body(
        &aws.1,
    ));
}

async fn a_restore_prunes_only_when_asked_and_bad_snapshots_change_nothing_body(endpoint: &str) {
    let (client, store) = (marathon().await, store(endpoint).await);
    seed(&client).await;
    let at_snapshot = live(&client).await;
    let (id, _) = take(&client, &store).await.unwrap();
    let extra: Group = serde_json::from_value(
        json!({"id": "/ngp/later", "apps": [{"id": "/ngp/later/x", "cmd": "sleep 1", "cpus": 0.1, "mem": 16}]}),
    )
    .unwrap();
    settle(&client, &client.put_group(&extra, false).await.unwrap().deployment_id).await;
    restore(&client, &store, &id, &options("/")).await.unwrap();
    assert!(
        client
            .group_tree(&PathId::parse("/ngp/later").unwrap())
            .await
            .unwrap()
            .is_some(),
        "kept without --prune"
    );
    let mut prune = options("/");
    prune.prune = true;
    let report = restore(&client, &store, &id, &prune).await.unwrap();
    assert!(report
        .changes
        .iter()
        .any(|c| matches!(c, ngp_snapshot::tree::Change::Remove(id) if id == "/ngp/later/x")));
    assert_eq!(
        live(&client).await,
        at_snapshot,
        "pruned: the tree is the snapshot's again"
    );

    // Bad snapshots: each a clear error, and Marathon as it was.
    let before = live(&client).await;
    let good = store.get(&id).await.unwrap();
    let text = String::from_utf8(good.clone()).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("20000101T000000.001Z", good[..good.len() / 2].to_vec(), "is truncated"),
        (
            "20000101T000000.002Z",
            text.replacen("sleep 1000", "sleep 1001", 1).into_bytes(),
            "checksum does not match",
        ),
        (
            "20000101T000000.003Z",
            text.replace("ngp.marathon-snapshot/1", "ngp.marathon-snapshot/9")
                .into_bytes(),
            "schema is \"ngp.marathon-snapshot/9\"",
        ),
    ];
    for (bad_id, bytes, expected) in cases {
        let key = format!("marathon/dev/{bad_id}.json");
        store
            .s3
            .put_object()
            .bucket("snapshots")
            .key(key)
            .body(bytes.into())
            .send()
            .await
            .unwrap();
        let err = restore(&client, &store, bad_id, &options("/"))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("snapshot {bad_id}: the snapshot")) && err.contains(expected),
            "{err}"
        );
    }
    let err = show(&store, "19990101T000000.000Z").await.unwrap_err().to_string();
    assert_eq!(
        err,
        "no snapshot 19990101T000000.000Z in s3://snapshots/marathon/dev/: `ngp snapshot list` shows the ids"
    );
    let err = restore(&client, &store, &id, &options("/nowhere"))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(err, format!("snapshot {id} has no group /nowhere"));
    assert_eq!(live(&client).await, before, "no bad snapshot changed Marathon");
}

#[test]
fn a_thousand_apps_in_nested_groups_round_trip() {
    let state = tempfile::tempdir().unwrap();
    let Some(aws) = moto(state.path()) else { return };
    runtime().block_on(async {
        let (client, store) = (marathon().await, store(&aws.1).await);
        settle(
            &client,
            &client.put_group(&thousand_apps(), false).await.unwrap().deployment_id,
        )
        .await;
        let before = live(&client).await;
        let (id, doc) = take(&client, &store).await.unwrap();
        assert_eq!((doc.apps, doc.groups), (1000, 111));
        let result = client
            .delete_group(&PathId::parse("/bulk").unwrap(), true)
            .await
            .unwrap()
            .unwrap();
        settle(&client, &result.deployment_id).await;
        restore(&client, &store, &id, &options("/")).await.unwrap();
        assert_eq!(live(&client).await, before);
    });
}

#[test]
fn a_snapshot_and_a_restore_never_overlap() {
    let state = tempfile::tempdir().unwrap();
    let Some(aws) = moto(state.path()) else { return };
    runtime().block_on(async {
        let (client, store) = (marathon().await, store(&aws.1).await);
        seed(&client).await;
        let (id, _) = take(&client, &store).await.unwrap();
        // A take gives its lock back: a second take and a restore both run.
        take(&client, &store).await.unwrap();
        // While another run holds the lock, a take and a restore are refused, naming the holder, and write nothing.
        let held = store.lock("a restore started elsewhere").await.unwrap();
        let refused = take(&client, &store).await.unwrap_err().to_string();
        assert!(refused.contains("held by a restore started elsewhere"), "{refused}");
        let refused = restore(&client, &store, &id, &options("/"))
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("held by a restore started elsewhere"), "{refused}");
        assert_eq!(
            store.list(10).await.unwrap().len(),
            2,
            "no snapshot written while locked"
        );
        store.unlock(held).await.unwrap();
        take(&client, &store).await.unwrap();
        assert_eq!(store.list(10).await.unwrap().len(), 3);
    });
}
