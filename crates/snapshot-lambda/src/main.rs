//! `bootstrap`: the snapshot Lambda on `provided.al2023`. Its settings come from the function's environment,
//! which the marathon-snapshot module sets; see the crate's library for the handlers.

// The runtime's service future nests the SDK's and the snapshot library's deeply.
#![recursion_limit = "256"]

use lambda_runtime::{service_fn, LambdaEvent};
use ngp_snapshot_lambda::{dispatch, Settings};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ngp_daemon::init_logs(false);
    let config = ngp_aws::environment_config().await;
    let settings = Settings::from_vars(&std::env::vars().collect())?;
    let s3 = aws_sdk_s3::Client::new(&config);
    let (settings, config, s3) = (&settings, &config, &s3);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let ctx = settings.connect(config, s3.clone()).await?;
        dispatch(&ctx, event.payload).await.map_err(lambda_runtime::Error::from)
    }))
    .await
}
