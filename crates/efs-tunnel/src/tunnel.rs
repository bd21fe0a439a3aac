//! The loopback listener: each NFS connection goes to the mount target over TLS.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsConnector;

use crate::identity::{self, Target};

/// Where and how to reach the file system.
pub struct Upstream {
    pub target: Target,
    /// The name the mount target's certificate must carry (`<fs-id>.efs.<region>.amazonaws.com`).
    pub server_name: String,
    /// The address to connect to: by default the server name, port 2049 (the mount target in this host's zone).
    pub address: String,
    /// The roots that sign the mount target's certificate: the public web roots unless a CA file is given.
    pub roots: Arc<RootCertStore>,
}

/// The public roots (Amazon's among them), or the certificates of a PEM file.
pub fn roots(ca_file: Option<&Path>) -> Result<Arc<RootCertStore>> {
    let mut store = RootCertStore::empty();
    match ca_file {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .with_context(|| format!("{}: not a PEM file of certificates", path.display()))?;
            let (added, _) = store.add_parsable_certificates(certs);
            anyhow::ensure!(added > 0, "{}: holds no certificate", path.display());
        }
    }
    Ok(Arc::new(store))
}

/// Accepts connections on `listener` for ever, each tunnelled on a task of its own.
pub async fn serve(listener: TcpListener, upstream: Arc<Upstream>) -> Result<()> {
    loop {
        let (client, peer) = listener.accept().await.context("cannot accept a connection")?;
        let upstream = upstream.clone();
        tokio::spawn(async move {
            match forward(client, &upstream).await {
                Ok((up, down)) => tracing::info!("{peer}: closed after {up} bytes up, {down} bytes down"),
                Err(err) => tracing::warn!("{peer}: {err:#}"),
            }
        });
    }
}

/// One connection: TLS to the mount target with a fresh client certificate, then bytes both ways until either
/// side closes.
async fn forward(mut client: TcpStream, upstream: &Upstream) -> Result<(u64, u64)> {
    let (cert, key) = identity::client_certificate(&upstream.target)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("no TLS version in common with ring")?
        .with_root_certificates(upstream.roots.clone())
        .with_client_auth_cert(vec![cert], key)
        .context("cannot use the client certificate")?;
    let name = ServerName::try_from(upstream.server_name.clone())
        .with_context(|| format!("{:?} is not a DNS name", upstream.server_name))?;
    let tcp = TcpStream::connect(&upstream.address)
        .await
        .with_context(|| format!("cannot connect to {}", upstream.address))?;
    let _ = tcp.set_nodelay(true);
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .with_context(|| format!("TLS with {} ({}) failed", upstream.address, upstream.server_name))?;
    let moved = tokio::io::copy_bidirectional(&mut client, &mut tls).await?;
    Ok(moved)
}

/// Binds the listener, refusing any address but loopback: NFS behind it carries no authentication of its own.
pub async fn bind(listen: SocketAddr) -> Result<TcpListener> {
    anyhow::ensure!(
        listen.ip().is_loopback(),
        "--listen {listen}: the tunnel listens on loopback only (127.0.0.1), since NFS behind it trusts every client"
    );
    TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))
}
