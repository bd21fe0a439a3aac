//! Error answers as Marathon writes them: a status and a JSON body (`message`, and `details` by path for a 422).
//! Its own file, so that the store (`state.rs`) and the request checks (`validate.rs`) both use it without
//! depending on each other.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error answer: a status and Marathon's JSON body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub fn invalid(details: Vec<(String, String)>) -> Self {
        let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, error) in details {
            by_path.entry(path).or_default().push(error);
        }
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "message": "Object is not valid",
                "details": by_path.into_iter().map(|(path, errors)| json!({"path": path, "errors": errors})).collect::<Vec<_>>(),
            }),
        }
    }

    pub fn one(path: &str, error: impl Into<String>) -> Self {
        Self::invalid(vec![(path.to_owned(), error.into())])
    }

    pub fn message(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({ "message": message.into() }),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::message(StatusCode::NOT_FOUND, message)
    }

    pub fn bad_json(details: String) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: json!({ "message": "Invalid JSON", "details": details }),
        }
    }

    pub fn locked(deployments: &[String]) -> Self {
        ApiError {
            status: StatusCode::CONFLICT,
            body: json!({
                "message": format!(
                    "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/{}'.",
                    deployments.join(",")
                ),
                "deployments": deployments.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}
