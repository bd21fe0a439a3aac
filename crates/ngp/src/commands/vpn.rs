//! `ngp vpn profile`: downloads a user-locked OpenVPN profile from the Access Server's REST API
//! (`GET /rest/GetUserlogin` with HTTP basic auth), instead of logging in to its web UI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use ngp_modules::contract::{self, VPN_ADMIN_PASSWORD, VPN_ADMIN_USER, VPN_CONNECT_URL};

use crate::pipeline::outputs;
use crate::project::Project;

/// The REST method that returns the profile of the user who authenticates.
const USER_LOGIN_PATH: &str = "rest/GetUserlogin";

/// Environment variable holding the password of a user other than the admin.
pub const PASSWORD_ENV: &str = "NGP_VPN_PASSWORD";

pub struct ProfileRequest<'a> {
    pub env: &'a str,
    pub user: Option<&'a str>,
    pub url: Option<&'a str>,
    pub ca_cert: Option<&'a Path>,
    pub output: Option<&'a PathBuf>,
}

pub fn profile(project: &Project, req: &ProfileRequest) -> Result<()> {
    let (url, user, password) = credentials(project, req)?;
    let profile = download(&url, &user, &password, req.ca_cert)?;
    match req.output {
        Some(path) => {
            // It holds the user's private key: readable by its owner only.
            crate::project::write_private(path, profile.as_bytes())?;
            eprintln!("wrote {user}'s profile to {}", path.display());
        }
        None => print!("{profile}"),
    }
    Ok(())
}

/// The server URL, the user and the password: from the flags, else from the outputs of the module that has the
/// contract's `vpn_connect_url`.
fn credentials(project: &Project, req: &ProfileRequest) -> Result<(String, String, String)> {
    let outputs = match (req.url, req.user) {
        (Some(_), Some(_)) => None,
        _ => Some(vpn_outputs(project, req.env)?),
    };
    // An output, when the outputs were needed (they are whenever the flags leave something open).
    let output = |key: &str| -> Result<Option<String>> {
        let Some((module, outs)) = &outputs else {
            return Ok(None);
        };
        let text = outs.get(key).and_then(Value::as_str).map(str::to_owned);
        text.map(Some)
            .with_context(|| format!("module {module} has {VPN_CONNECT_URL} but no {key} output"))
    };
    let url = match req.url {
        Some(url) => url.to_owned(),
        None => output(VPN_CONNECT_URL)?.context("no Access Server URL: pass --url")?,
    };
    let admin = output(VPN_ADMIN_USER)?;
    let user = req
        .user
        .map(str::to_owned)
        .or_else(|| admin.clone())
        .context("no VPN user: pass --user")?;
    let password = if admin.as_deref() == Some(user.as_str()) {
        output(VPN_ADMIN_PASSWORD)?.context("no admin password")?
    } else {
        other_password(&user)?
    };
    Ok((url, user, password))
}

/// The outputs of the module in the VPN's role, and its name.
fn vpn_outputs(project: &Project, env: &str) -> Result<(String, BTreeMap<String, Value>)> {
    let mut all = outputs::values(project, env)?;
    let module = contract::provider(&all, VPN_CONNECT_URL)
        .map_err(anyhow::Error::msg)?
        .map(|(m, _)| m.to_owned())
        .with_context(|| {
            format!("environment {env} has no module with a {VPN_CONNECT_URL} output: enable a VPN module and apply, or pass --url")
        })?;
    let outs = all.remove(&module).unwrap_or_default();
    Ok((module, outs))
}

/// A non-admin user's password: from the environment, or asked for on a terminal.
fn other_password(user: &str) -> Result<String> {
    Ok(if let Ok(password) = std::env::var(PASSWORD_ENV) {
        password
    } else if console::Term::stderr().is_term() {
        eprint!("{user}'s VPN password: ");
        console::Term::stderr()
            .read_secure_line()
            .context("cannot read the password")?
    } else {
        bail!("no password for VPN user {user}: set {PASSWORD_ENV}, or run on a terminal to be asked");
    })
}

fn download(base: &str, user: &str, password: &str, ca_cert: Option<&Path>) -> Result<String> {
    let base = reqwest::Url::parse(base).with_context(|| format!("{base:?} is not a URL"))?;
    let loopback = matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if base.scheme() != "https" && !loopback {
        bail!("refusing {base}: a profile carries the user's key, so it is fetched over https only");
    }
    let url = base
        .join(USER_LOGIN_PATH)
        .with_context(|| format!("cannot build the profile URL from {base}"))?;
    let mut client = reqwest::blocking::Client::builder().timeout(std::time::Duration::from_secs(30));
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).with_context(|| format!("cannot read --ca-cert {}", path.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("{}: not a PEM certificate", path.display()))?;
        client = client.add_root_certificate(cert);
    }
    let client = client.build().context("cannot set up the HTTPS client")?;
    let response = client
        .get(url.clone())
        .basic_auth(user, Some(password))
        .send()
        .with_context(|| {
            format!(
                "cannot reach the Access Server at {base} (a self-signed certificate needs --ca-cert; \
                 the DNS name needs the apply to have finished)"
            )
        })?;
    let status = response.status();
    let body = response.text().unwrap_or_default();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        bail!("the Access Server at {base} refused user {user} ({status}): check the user name and password");
    }
    if !status.is_success() {
        // A short plain-text reason is worth showing; a page of HTML is not.
        let plain = !body.contains('<') && body.len() <= 300;
        let detail = if plain {
            body.trim()
        } else {
            "(an error page, not shown)"
        };
        bail!("GET {url} answered {status}: {detail}");
    }
    if !body.lines().any(|l| l.trim_start().starts_with("remote ")) {
        bail!("GET {url} answered, but not with an OpenVPN profile (no `remote` line)");
    }
    Ok(body)
}
