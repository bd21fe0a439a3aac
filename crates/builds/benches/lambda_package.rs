//! The snapshot Lambda's deployment package (goal: a zip under 15 MB) and its cold-start init time: how long
//! `bootstrap`, started as Lambda starts it, takes to ask the Runtime API for its first event. A stand-in
//! Runtime API on loopback times the first `GET /2018-06-01/runtime/invocation/next`; the settings, the AWS
//! configuration and the runtime are all set up by then. The same is timed for a static program that does
//! nothing (`true`), so the ratio says what the init costs beyond starting a process, on any machine.
//!
//! `cargo bench -p ngp-builds --bench lambda_package`

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn main() {
    let started = Instant::now();
    let binary = ngp_builds::static_binary("ngp-snapshot-lambda", "bootstrap").unwrap();
    let build = started.elapsed();
    let zip = ngp_builds::zip_alone(&binary).unwrap();
    let (binary_size, zip_size) = (size(&binary), size(&zip));
    println!(
        "build (cargo, current when nothing changed): {:.1} s",
        build.as_secs_f64()
    );
    println!(
        "bootstrap: {:.1} MB; zip: {:.1} MB (goal < 15 MB)",
        mb(binary_size),
        mb(zip_size)
    );

    let init = median((0..RUNS).map(|_| until_first_poll(&binary)).collect());
    let spawn = median((0..RUNS).map(|_| until_exit(Path::new("true"))).collect());
    println!(
        "cold-start init, median of {RUNS}: {:.1} ms; starting `true`: {:.1} ms; ratio {:.1}",
        ms(init),
        ms(spawn),
        init.as_secs_f64() / spawn.as_secs_f64()
    );
}

/// Starts `bootstrap` with a Lambda function's environment and times its first poll of the Runtime API.
fn until_first_poll(binary: &Path) -> Duration {
    let api = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = api.local_addr().unwrap().to_string();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .envs(lambda_environment(&address))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (stream, _) = api.accept().unwrap();
    let mut request_line = String::new();
    BufReader::new(&stream).read_line(&mut request_line).unwrap();
    let elapsed = started.elapsed();
    assert!(
        request_line.starts_with("GET /2018-06-01/runtime/invocation/next"),
        "{request_line}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    elapsed
}

fn until_exit(program: &Path) -> Duration {
    let started = Instant::now();
    Command::new(program).status().unwrap();
    started.elapsed()
}

/// What Lambda sets for a `provided.al2023` function, and the marathon-snapshot module's settings.
fn lambda_environment(runtime_api: &str) -> Vec<(&'static str, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", "ngp-marathon-snapshot-dev"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/ngp-marathon-snapshot-dev"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/07/[$LATEST]bench"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "ASIABENCH"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_SESSION_TOKEN", "bench"),
        ("NGP_SNAPSHOT_BUCKET", "snapshots"),
        ("NGP_SNAPSHOT_PREFIX", "marathon"),
        ("NGP_SNAPSHOT_CLUSTER", "ngp-dev"),
        ("NGP_MARATHON_URL", "https://dcos.example.com/service/marathon"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
