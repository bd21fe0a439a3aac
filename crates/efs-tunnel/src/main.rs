//! `ngp-efs-tunnel`: run once per private agent by Marathon (the `jenkins` module's app). See the crate's library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use clap::Parser;
use ngp_efs_tunnel::identity::Target;
use ngp_efs_tunnel::tunnel::{self, Upstream};

/// Serves an EFS access point on a loopback NFS port, over TLS to the file system's mount target.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The file system (`fs-…`).
    #[arg(long, env = "NGP_EFS_FILE_SYSTEM")]
    file_system: String,
    /// The access point (`fsap-…`) whose root directory and POSIX user EFS applies.
    #[arg(long, env = "NGP_EFS_ACCESS_POINT")]
    access_point: String,
    /// The file system's region.
    #[arg(long, env = "NGP_EFS_REGION")]
    region: String,
    /// Where NFS clients connect (`mount -o port=…` against 127.0.0.1).
    #[arg(long, env = "NGP_EFS_LISTEN", default_value = "127.0.0.1:20490")]
    listen: SocketAddr,
    /// Connect here instead of `<fs-id>.efs.<region>.amazonaws.com:2049` (the certificate must still carry that name).
    #[arg(long, env = "NGP_EFS_CONNECT")]
    connect: Option<String>,
    /// Trust these certificates (PEM) instead of the public roots.
    #[arg(long, env = "NGP_EFS_CA_FILE")]
    ca_file: Option<PathBuf>,
}

fn main() {
    let args = Args::parse();
    ngp_daemon::run("ngp-efs-tunnel", run(args));
}

async fn run(args: Args) -> Result<()> {
    let target = Target::new(&args.file_system, &args.access_point)?;
    let server_name = target.server_name(&args.region);
    let address = args.connect.unwrap_or_else(|| format!("{server_name}:2049"));
    let upstream = Arc::new(Upstream {
        roots: tunnel::roots(args.ca_file.as_deref())?,
        target,
        server_name,
        address,
    });
    let listener = tunnel::bind(args.listen).await?;
    tracing::info!(
        "serving {} through {} on {} ({})",
        upstream.target.access_point_id,
        upstream.target.file_system_id,
        args.listen,
        upstream.address
    );
    tunnel::serve(listener, upstream).await
}
