//! `bootstrap`: the snapshot Lambda on `provided.al2023`. Its settings come from the function's environment,
//! which the marathon-snapshot module sets; see the crate's library for the handlers.

// The runtime's service future nests the SDK's and the snapshot library's deeply.
#![recursion_limit = "256"]

use std::time::Duration;

use lambda_runtime::{service_fn, LambdaEvent};
use ngp_snapshot::Store;
use ngp_snapshot_lambda::{dispatch, Context};
use serde_json::Value;

fn setting(name: &str) -> Result<String, lambda_runtime::Error> {
    std::env::var(name).map_err(|_| format!("the function's environment lacks {name}").into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(false)
        .without_time()
        .init();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(ngp_aws::https_client())
        .load()
        .await;
    let store = Store {
        s3: aws_sdk_s3::Client::new(&config),
        bucket: setting("NGP_SNAPSHOT_BUCKET")?,
        prefix: setting("NGP_SNAPSHOT_PREFIX")?,
        cluster: setting("NGP_SNAPSHOT_CLUSTER")?,
    };
    let marathon = ngp_marathon::Client::new(&setting("NGP_MARATHON_URL")?, std::env::var("NGP_MARATHON_TOKEN").ok())?;
    let ctx = Context {
        marathon,
        store,
        timeout: Duration::from_secs(600),
    };
    let ctx = &ctx;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        dispatch(ctx, event.payload).await.map_err(lambda_runtime::Error::from)
    }))
    .await
}
