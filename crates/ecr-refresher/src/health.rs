//! `/health` for Marathon's check: 200 while the archive on disk is younger than the threshold, 503 after (or
//! before the first success), with the age in the body.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::{extract::State, http::StatusCode, routing::get, Json, Router};

/// When the archive was last written, shared by the refresh loop and the server.
#[derive(Clone)]
pub struct Freshness {
    written: Arc<Mutex<Option<Instant>>>,
    max_age: Duration,
}

impl Freshness {
    pub fn new(max_age: Duration) -> Self {
        Freshness {
            written: Arc::new(Mutex::new(None)),
            max_age,
        }
    }

    pub fn record(&self) {
        *self.written.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// The status code and body `/health` answers.
    pub fn report(&self) -> (StatusCode, serde_json::Value) {
        let written = *self.written.lock().unwrap_or_else(|p| p.into_inner());
        match written.map(|t| t.elapsed()) {
            Some(age) if age <= self.max_age => (
                StatusCode::OK,
                serde_json::json!({ "status": "fresh", "age_seconds": age.as_secs() }),
            ),
            Some(age) => (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "status": "stale", "age_seconds": age.as_secs(), "max_age_seconds": self.max_age.as_secs() }),
            ),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "status": "no credentials written yet" }),
            ),
        }
    }
}

pub fn router(freshness: Freshness) -> Router {
    Router::new()
        .route(
            "/health",
            get(|State(f): State<Freshness>| async move {
                let (code, body) = f.report();
                (code, Json(body))
            }),
        )
        .with_state(freshness)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_only_between_a_write_and_the_threshold() {
        let fresh = Freshness::new(Duration::from_millis(50));
        assert_eq!(fresh.report().0, StatusCode::SERVICE_UNAVAILABLE);
        fresh.record();
        assert_eq!(fresh.report().0, StatusCode::OK);
        std::thread::sleep(Duration::from_millis(80));
        let (code, body) = fresh.report();
        assert_eq!(
            (code, body["status"].as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, Some("stale"))
        );
    }
}
