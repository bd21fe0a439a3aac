//! The snapshot Lambda's two handlers. [`scheduled`] answers the EventBridge rule: it takes a snapshot.
//! [`restore`] answers API Gateway's `POST /restore` (AWS_IAM authorisation, so API Gateway has checked the
//! caller's signature before the event exists): it logs the caller and restores. [`dispatch`] tells the two
//! events apart for the runtime. [`Settings`] come from the function's environment and make the [`Context`].

mod settings;
pub use settings::{Login, Settings};

use std::time::Duration;

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use aws_lambda_events::cloudwatch_events::CloudWatchEvent;
use aws_lambda_events::encodings::Body;
use ngp_marathon::{Client, PathId};
use ngp_snapshot::tree::Change;
use ngp_snapshot::{Error, RestoreOptions, Store};
use serde::Deserialize;
use serde_json::{json, Value};

/// What both handlers work with: Marathon and the snapshots' store.
pub struct Context {
    pub marathon: Client,
    pub store: Store,
    pub timeout: Duration,
}

/// The restore request's body: `{"id": "latest", "only": "/", "prune": false, "dryRun": false}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RestoreRequest {
    #[serde(default = "latest")]
    pub id: String,
    #[serde(default = "root")]
    pub only: String,
    #[serde(default)]
    pub prune: bool,
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub force: bool,
}

fn latest() -> String {
    "latest".into()
}

fn root() -> String {
    "/".into()
}

/// The schedule's event: one snapshot of the whole tree.
pub async fn scheduled(ctx: &Context, event: CloudWatchEvent) -> Result<Value, Error> {
    tracing::info!(rule = ?event.resources, time = %event.time, "scheduled snapshot");
    let (id, doc) = ngp_snapshot::take(&ctx.marathon, &ctx.store).await?;
    tracing::info!(%id, apps = doc.apps, groups = doc.groups, "snapshot taken");
    Ok(json!({"id": id, "apps": doc.apps, "groups": doc.groups, "sha256": doc.sha256}))
}

/// `POST /restore`: the caller named in the log, then the restore; the answer says what changed.
pub async fn restore(ctx: &Context, request: ApiGatewayProxyRequest) -> ApiGatewayProxyResponse {
    let identity = &request.request_context.identity;
    let caller = identity
        .user_arn
        .as_deref()
        .or(identity.caller.as_deref())
        .unwrap_or("unknown");
    tracing::info!(
        caller,
        account = identity.account_id.as_deref().unwrap_or(""),
        source_ip = identity.source_ip.as_deref().unwrap_or(""),
        "restore requested"
    );
    let body = request.body.as_deref().unwrap_or("{}");
    let req: RestoreRequest = match serde_json::from_str(if body.trim().is_empty() { "{}" } else { body }) {
        Ok(r) => r,
        Err(e) => return answer(400, json!({"message": format!("the request body: {e}")})),
    };
    let only = match PathId::parse(&req.only) {
        Ok(p) => p,
        Err(e) => return answer(400, json!({"message": format!("only {}: {e}", req.only)})),
    };
    let options = RestoreOptions {
        only,
        dry_run: req.dry_run,
        prune: req.prune,
        force: req.force,
        timeout: ctx.timeout,
        poll: Duration::from_millis(500),
    };
    match ngp_snapshot::restore(&ctx.marathon, &ctx.store, &req.id, &options).await {
        Ok(report) => {
            tracing::info!(caller, id = %report.id, changes = report.changes.len(), dry_run = req.dry_run, "restored");
            answer(
                200,
                json!({"id": report.id, "dryRun": req.dry_run, "changes": changes_json(&report.changes)}),
            )
        }
        Err(e) => {
            tracing::warn!(caller, "restore failed: {e}");
            answer(status_of(&e), json!({"message": e.to_string()}))
        }
    }
}

fn status_of(err: &Error) -> i64 {
    use ngp_snapshot::store::StoreError;
    match err {
        Error::Store(StoreError::Unknown { .. } | StoreError::Empty { .. }) | Error::NoSuchGroup { .. } => 404,
        Error::Document { .. } | Error::NotAGroup { .. } => 422,
        Error::Marathon(ngp_marathon::Error::Locked { .. }) | Error::Store(StoreError::Locked { .. }) => 409,
        // The group PUT was accepted and Marathon deploys it; API Gateway would cut a longer wait off at 29 s.
        Error::Timeout(..) => 202,
        _ => 502,
    }
}

fn changes_json(changes: &[Change]) -> Vec<Value> {
    changes
        .iter()
        .map(|c| match c {
            Change::Create(id) => json!({"id": id, "action": "create"}),
            Change::Update(id, keys) => json!({"id": id, "action": "update", "keys": keys}),
            Change::Remove(id) => json!({"id": id, "action": "remove"}),
        })
        .collect()
}

fn answer(status: i64, body: Value) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response
        .headers
        .insert("content-type", "application/json".parse().expect("a header value"));
    response.body = Some(Body::Text(body.to_string()));
    response
}

/// Which event this is: API Gateway's proxy events carry `httpMethod` and `requestContext`; the rest must be
/// EventBridge's.
pub async fn dispatch(ctx: &Context, event: Value) -> Result<Value, String> {
    if event.get("httpMethod").is_some() && event.get("requestContext").is_some() {
        let request: ApiGatewayProxyRequest =
            serde_json::from_value(event).map_err(|e| format!("not an API Gateway proxy event: {e}"))?;
        return serde_json::to_value(restore(ctx, request).await).map_err(|e| e.to_string());
    }
    let event: CloudWatchEvent = serde_json::from_value(event).map_err(|e| format!("not an EventBridge event: {e}"))?;
    scheduled(ctx, event).await.map_err(|e| e.to_string())
}
