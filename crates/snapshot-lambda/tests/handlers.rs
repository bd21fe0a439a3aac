//! Both handlers called as the runtime would call them, with real event payloads (the EventBridge schedule's
//! and API Gateway's REST proxy event with an IAM identity), against the Marathon emulator and the local AWS
//! emulator's S3: Lambda cannot be invoked there without Docker.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ngp_marathon::{Group, PathId};
use ngp_snapshot_lambda::{dispatch, Context};
use serde_json::{json, Value};

#[path = "../../snapshot/tests/support/mod.rs"]
mod support;
use support::{live, marathon, moto, settle, store};

/// A log sink the test reads back.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn scheduled_event() -> Value {
    json!({"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": "2026-12-07T00:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/ngp-marathon-snapshot-dev"], "detail": {}})
}

fn restore_event(body: &str) -> Value {
    json!({
        "resource": "/restore", "path": "/restore", "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": null, "multiValueQueryStringParameters": null, "pathParameters": null,
        "stageVariables": null, "body": body, "isBase64Encoded": false,
        "requestContext": {
            "resourceId": "r1", "resourcePath": "/restore", "httpMethod": "POST", "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "accountId": "123456789012", "apiId": "abc123",
            "protocol": "HTTP/1.1", "requestTimeEpoch": 1_796_601_600_000_i64, "path": "/prod/restore",
            "identity": {"accountId": "123456789012", "caller": "AROAEXAMPLE:ops", "accessKey": "ASIAEXAMPLE",
                "sourceIp": "10.0.3.7", "userArn": "arn:aws:sts::123456789012:assumed-role/platform-ops/alice",
                "user": "AROAEXAMPLE:alice", "userAgent": "aws-sdk-rust"}
        }
    })
}

#[test]
fn the_schedule_takes_and_the_api_restores() {
    let state = tempfile::tempdir().unwrap();
    let Some(aws) = moto(state.path()) else { return };
    let log = Log::default();
    let sink = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let ctx = context(&aws.1).await;
        let tree: Group = serde_json::from_value(json!({"id": "/ngp", "groups": [
            {"id": "/ngp/a", "apps": [{"id": "/ngp/a/x", "cmd": "sleep 9", "cpus": 0.1, "mem": 16, "someFutureField": {"k": [1, 2]}}]},
            {"id": "/ngp/b", "dependencies": ["/ngp/a"], "apps": [{"id": "/ngp/b/y", "cmd": "sleep 9", "cpus": 0.1, "mem": 16}]}]}))
        .unwrap();
        settle(&ctx.marathon, &ctx.marathon.put_group(&tree, false).await.unwrap().deployment_id).await;
        let before = live(&ctx.marathon).await;

        let taken = dispatch(&ctx, scheduled_event()).await.unwrap();
        assert_eq!((taken["apps"].as_u64(), taken["groups"].as_u64()), (Some(2), Some(3)));
        let wiped = ctx.marathon.delete_group(&PathId::parse("/ngp").unwrap(), true).await.unwrap().unwrap();
        settle(&ctx.marathon, &wiped.deployment_id).await;

        let answer = dispatch(&ctx, restore_event(r#"{"id": "latest"}"#)).await.unwrap();
        assert_eq!(answer["statusCode"], 200, "{answer}");
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert_eq!((body["id"].as_str(), body["changes"].as_array().unwrap().len()), (taken["id"].as_str(), 2));
        assert_eq!(live(&ctx.marathon).await, before, "every field back, with the groups' dependencies");

        for (request, status, says) in [
            (r#"{"id": "19990101T000000.000Z"}"#, 404, "no snapshot 19990101T000000.000Z"),
            (r#"{"id": "latest", "only": "/nowhere"}"#, 404, "has no group /nowhere"),
            (r#"{"idd": "latest"}"#, 400, "unknown field `idd`"),
            ("not json", 400, "the request body"),
        ] {
            let answer = dispatch(&ctx, restore_event(request)).await.unwrap();
            assert_eq!(answer["statusCode"], status, "{request}: {answer}");
            assert!(answer["body"].as_str().unwrap().contains(says), "{request}: {answer}");
        }
        assert_eq!(live(&ctx.marathon).await, before, "no bad request changed Marathon");
    });
    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("caller=\"arn:aws:sts::123456789012:assumed-role/platform-ops/alice\""),
        "{logged}"
    );
}

async fn context(endpoint: &str) -> Context {
    Context {
        marathon: marathon().await,
        store: store(endpoint).await,
        timeout: Duration::from_secs(30),
    }
}

/// DC/OS's login endpoint, standing in: it answers a token to the one uid and password it knows.
async fn login_stand_in(password: &'static str) -> String {
    use axum::{http::StatusCode, routing::post, Json, Router};
    let app = Router::new().route(
        "/acs/api/v1/auth/login",
        post(move |Json(body): Json<Value>| async move {
            if body == json!({"uid": "ngp-admin", "password": password}) {
                Ok(Json(json!({"token": "t0ken"})))
            } else {
                Err(StatusCode::UNAUTHORIZED)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/acs/api/v1/auth/login", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// The function's environment makes the context: the password is read from Secrets Manager (through the
/// endpoint the environment names, as the module's VPC endpoint is), the login is done, and the schedule's
/// handler then takes a snapshot. A wrong password and a missing setting are one line each.
#[test]
fn the_environment_logs_in_with_the_password_from_secrets_manager() {
    let state = tempfile::tempdir().unwrap();
    let Some(aws) = moto(state.path()) else { return };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let moto_config = ngp_aws::sdk_config("us-east-1", Some(&aws.1)).await;
            let secrets = aws_sdk_secretsmanager::Client::new(&moto_config);
            let secret = |name: &'static str, value: &'static str| {
                let secrets = secrets.clone();
                async move {
                    let made = secrets
                        .create_secret()
                        .name(name)
                        .secret_string(value)
                        .send()
                        .await
                        .unwrap();
                    made.arn().unwrap().to_owned()
                }
            };
            let (right, wrong) = (secret("superuser", "s3cret-pw").await, secret("stale", "old-pw").await);
            let store = store(&aws.1).await;
            let marathon = marathon().await;
            let login_url = login_stand_in("s3cret-pw").await;
            let vars = |secret_arn: &str| -> std::collections::HashMap<String, String> {
                [
                    ("NGP_SNAPSHOT_BUCKET", store.bucket.as_str()),
                    ("NGP_SNAPSHOT_PREFIX", &store.prefix),
                    ("NGP_SNAPSHOT_CLUSTER", &store.cluster),
                    ("NGP_MARATHON_URL", marathon.base()),
                    ("NGP_MARATHON_LOGIN_URL", &login_url),
                    ("NGP_MARATHON_UID", "ngp-admin"),
                    ("NGP_MARATHON_PASSWORD_SECRET", secret_arn),
                    ("NGP_SECRETS_ENDPOINT", &aws.1),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
            };
            // Every other AWS call goes nowhere: only the named endpoint can answer for Secrets Manager.
            let nowhere = ngp_aws::sdk_config("us-east-1", Some("http://127.0.0.1:9")).await;

            let settings = ngp_snapshot_lambda::Settings::from_vars(&vars(&right)).unwrap();
            assert_eq!(settings.login.as_ref().unwrap().password_secret, right);
            let ctx = settings.connect(&nowhere, store.s3.clone()).await.unwrap();
            let taken = dispatch(&ctx, scheduled_event()).await.unwrap();
            assert_eq!(taken["apps"], 0, "{taken}");
            assert_eq!(ctx.store.list(10).await.unwrap().len(), 1);

            let stale = ngp_snapshot_lambda::Settings::from_vars(&vars(&wrong)).unwrap();
            let refused = stale.connect(&nowhere, store.s3.clone()).await.err().unwrap();
            assert!(refused.contains("refused the login of ngp-admin: 401"), "{refused}");

            let mut partial = vars(&right);
            partial.remove("NGP_MARATHON_UID");
            let err = ngp_snapshot_lambda::Settings::from_vars(&partial).unwrap_err();
            assert!(
                err.contains("needs all of NGP_MARATHON_LOGIN_URL, NGP_MARATHON_UID"),
                "{err}"
            );
            partial.remove("NGP_SNAPSHOT_BUCKET");
            partial.retain(|k, _| !k.contains("LOGIN") && !k.contains("PASSWORD"));
            let err = ngp_snapshot_lambda::Settings::from_vars(&partial).unwrap_err();
            assert_eq!(err, "the function's environment lacks NGP_SNAPSHOT_BUCKET");
        });
}
