//! The entry point of the binaries NGP runs on the nodes (the ECR refresher, the EFS tunnel) and in Lambda (the
//! snapshot and OpenSearch-roles functions): logs on stderr without colours, where journald, Docker or CloudWatch
//! keep them; for a daemon, a current-thread runtime, and an error that ends the process with one line and exit 1.

use std::future::Future;

/// Logs on stderr, plain. `timestamps`: false where the log's keeper adds its own (Lambda's CloudWatch).
pub fn init_logs(timestamps: bool) {
    let logs = tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::stderr);
    if timestamps {
        logs.init();
    } else {
        logs.without_time().init();
    }
}

/// Runs a daemon's `main` on a current-thread runtime, after the logs are set up; an error ends the process
/// with `<name>: <error and its causes>` and exit 1.
pub fn run<F>(name: &str, main: F)
where
    F: Future<Output = anyhow::Result<()>>,
{
    init_logs(true);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(main),
        Err(err) => Err(anyhow::Error::from(err).context("cannot start the async runtime")),
    };
    if let Err(err) = result {
        eprintln!("{name}: {err:#}");
        std::process::exit(1);
    }
}
