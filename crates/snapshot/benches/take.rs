//! A snapshot of 1,000 apps in nested groups (goal: under 1 s and 50 MB): the time of `take` (read the tree,
//! write the document to S3) and the peak resident memory of the process that takes it. The Marathon emulator
//! and moto run in other processes (this bench, re-run as a child, is the client), so the memory is the
//! client's alone.
//!
//! `cargo bench -p ngp-snapshot --bench take`

use std::time::{Duration, Instant};

use ngp_marathon::Client;
use ngp_snapshot::Store;

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let (Ok(marathon), Ok(s3)) = (std::env::var("BENCH_MARATHON"), std::env::var("BENCH_S3")) {
        return rt.block_on(client(&marathon, &s3));
    }
    let state = tempfile::tempdir().unwrap();
    let Some(aws) = support::moto(state.path()) else { return };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let marathon = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move {
        listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let config = ngp_marathon_emulator::Config {
            deployment_delay: Duration::from_millis(1),
            ..Default::default()
        };
        ngp_marathon_emulator::serve(listener, config).await
    });
    rt.block_on(async {
        let client = Client::new(&marathon, None).unwrap();
        let id = client
            .put_group(&support::thousand_apps(), false)
            .await
            .unwrap()
            .deployment_id;
        while client.deployments().await.unwrap().iter().any(|d| d.id == id) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        store(&aws.1)
            .await
            .s3
            .create_bucket()
            .bucket("bench")
            .send()
            .await
            .unwrap();
    });
    for run in 1..=3 {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env("BENCH_MARATHON", &marathon)
            .env("BENCH_S3", &aws.1)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        print!("run {run}: {}", String::from_utf8_lossy(&out.stdout));
    }
}

async fn store(endpoint: &str) -> Store {
    let config = ngp_aws::sdk_config("us-east-1", Some(endpoint)).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    Store {
        s3,
        bucket: "bench".into(),
        prefix: "marathon".into(),
        cluster: "bench".into(),
    }
}

/// The child: one take, timed, then its peak resident memory.
async fn client(marathon: &str, s3: &str) {
    let (client, store) = (Client::new(marathon, None).unwrap(), store(s3).await);
    let started = Instant::now();
    let (_, doc) = ngp_snapshot::take(&client, &store).await.unwrap();
    let took = started.elapsed();
    assert_eq!(doc.apps, 1000);
    let size = doc.to_bytes().len();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: ? kB");
    let peak_kb: f64 = peak
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    println!(
        "take of {} apps, {} groups ({:.0} kB): {:.3} s, peak RSS {:.1} MB",
        doc.apps,
        doc.groups,
        size as f64 / 1e3,
        took.as_secs_f64(),
        peak_kb / 1e3
    );
}
