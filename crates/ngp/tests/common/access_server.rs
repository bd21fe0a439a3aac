//! A stand-in for the OpenVPN Access Server that keeps to its REST contract: `GET /rest/GetUserlogin` with HTTP
//! basic auth answers the authenticated user's profile, or 401 with the server's XML error.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use super::serve;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use base64::Engine;

/// The profile the stand-in hands out for `user`.
pub fn profile_for(user: &str) -> String {
    format!(
        "# OpenVPN client profile for {user}\nclient\ndev tun\nremote vpn.ngp.test 443 tcp\nremote vpn.ngp.test 1194 udp\nauth-user-pass\n<ca>\n-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n</ca>\n"
    )
}

async fn get_userlogin(State(users): State<Arc<HashMap<String, String>>>, headers: HeaderMap) -> impl IntoResponse {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    match credentials.as_deref().and_then(|c| c.split_once(':')) {
        Some((user, password)) if users.get(user).map(String::as_str) == Some(password) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            profile_for(user),
        ),
        _ => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"OpenVPN Access Server\"")],
            "<Error><Type>Authorization Required</Type><Synopsis>REST method failed</Synopsis></Error>".to_owned(),
        ),
    }
}

/// Starts a stand-in Access Server knowing these users; returns its URL.
pub fn access_server(users: &[(&str, &str)]) -> String {
    let users: HashMap<String, String> = users.iter().map(|(u, p)| (u.to_string(), p.to_string())).collect();
    serve(
        axum::Router::new()
            .route("/rest/GetUserlogin", get(get_userlogin))
            .with_state(Arc::new(users)),
    )
}
