//! `ngp-ecr-refresher`: run once per agent by Marathon (the `ecr` module's app). See the crate's library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use ngp_ecr_refresher::{archive, health::Freshness, login, schedule};

/// Keeps a Docker credentials archive for ECR fresh on this host.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The archive Marathon apps fetch (`fetch: [{uri: "file:///etc/docker.tar.gz"}]`).
    #[arg(long, env = "NGP_ECR_OUTPUT", default_value = "/etc/docker.tar.gz")]
    output: PathBuf,
    /// Other registries' auths to put in the archive beside ECR's: every `*.json` file here.
    #[arg(long, env = "NGP_ECR_AUTHS_DIR", default_value = "/etc/ngp/docker-auths")]
    auths_dir: PathBuf,
    /// Time between refreshes; ECR tokens last 12 hours.
    #[arg(long, env = "NGP_ECR_INTERVAL", default_value = "6h", value_parser = humantime::parse_duration)]
    interval: Duration,
    /// `/health` turns unhealthy when the archive is older than this.
    #[arg(long, env = "NGP_ECR_MAX_AGE", default_value = "9h", value_parser = humantime::parse_duration)]
    max_age: Duration,
    /// Where `/health` listens (Marathon's checks reach the host's loopback).
    #[arg(long, env = "NGP_ECR_LISTEN", default_value = "127.0.0.1:8095")]
    listen: SocketAddr,
    /// Write the archive once and exit.
    #[arg(long)]
    once: bool,
}

fn main() {
    let args = Args::parse();
    ngp_daemon::run("ngp-ecr-refresher", run(args));
}

async fn run(args: Args) -> Result<()> {
    let config = ngp_aws::environment_config().await;
    let client = aws_sdk_ecr::Client::new(&config);
    let dir = ngp_fs::dir_of(&args.output);
    match ngp_fs::remove_leftovers(dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            "removed {n} temporary file(s) an interrupted run left in {}",
            dir.display()
        ),
        Err(err) => tracing::warn!("cannot clean {}: {err}", dir.display()),
    }
    if args.once {
        return refresh(&client, &args).await;
    }
    let freshness = Freshness::new(args.max_age);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let app = ngp_ecr_refresher::health::router(freshness.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut failures = 0;
    loop {
        match refresh(&client, &args).await {
            Ok(()) => {
                freshness.record();
                failures = 0;
            }
            Err(err) => {
                failures += 1;
                tracing::warn!("refresh failed ({failures} in a row), keeping the last archive: {err:#}");
            }
        }
        tokio::time::sleep(schedule::next_wait(args.interval, failures)).await;
    }
}

/// One login, one archive, replaced atomically.
async fn refresh(client: &aws_sdk_ecr::Client, args: &Args) -> Result<()> {
    let output = &args.output;
    let others = archive::read_auths_dir(&args.auths_dir)?;
    let logins = login::fetch(client).await?;
    let config = serde_json::to_vec_pretty(&archive::docker_config(&logins, others))?;
    let bytes = archive::tar_gz(&config).context("cannot build the archive")?;
    ngp_fs::write_atomic(output, &bytes, ngp_fs::Mode::Set(0o600))
        .with_context(|| format!("cannot write {}", output.display()))?;
    let hosts: Vec<&str> = logins.iter().map(|l| l.host.as_str()).collect();
    tracing::info!("wrote {} for {}", output.display(), hosts.join(", "));
    Ok(())
}
