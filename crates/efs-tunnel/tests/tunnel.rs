//! The real binary between an NFS client and a stand-in mount target: a TLS server with its own CA, for the name
//! EFS's certificate carries, that demands a client certificate and echoes what it reads.

use std::io::{Read, Write};
use std::net::{TcpListener as StdListener, TcpStream as StdStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FS: &str = "fs-0123abcd";
const AP: &str = "fsap-0123456789abcdef0";

/// Takes any client certificate (as EFS does: it reads the extensions, there is no chain to check) and keeps it.
#[derive(Debug)]
struct Keep(Arc<Mutex<Vec<Vec<u8>>>>);

impl ClientCertVerifier for Keep {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        end: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.0.lock().unwrap().push(end.to_vec());
        Ok(ClientCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(m, c, d, &algs)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(m, c, d, &algs)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

struct MountTarget {
    port: u16,
    ca_file: tempfile::NamedTempFile,
    client_certs: Arc<Mutex<Vec<Vec<u8>>>>,
}

/// Starts the stand-in on a thread of its own, with a certificate for `name`.
fn mount_target(name: &str) -> MountTarget {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec![name.to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let mut ca_file = tempfile::NamedTempFile::new().unwrap();
    ca_file.write_all(ca.pem().as_bytes()).unwrap();
    let client_certs = Arc::new(Mutex::new(Vec::new()));
    let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(Arc::new(Keep(client_certs.clone())))
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || echo(listener, config));
    MountTarget {
        port,
        ca_file,
        client_certs,
    }
}

/// Echoes each connection's bytes back over TLS, until the client closes.
fn echo(listener: StdListener, config: ServerConfig) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                while let Ok(n) = tls.read(&mut buf).await {
                    if n == 0 || tls.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    let _ = tls.flush().await;
                }
            });
        }
    });
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The running binary, its port, and what it has logged so far.
struct Tunnel(Child, u16, Arc<Mutex<String>>);

impl Drop for Tunnel {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tunnel(target: &MountTarget) -> Tunnel {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ngp-efs-tunnel"))
        .args(["--file-system", FS, "--access-point", AP, "--region", "us-east-1"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--connect", &format!("127.0.0.1:{}", target.port)])
        .arg("--ca-file")
        .arg(target.ca_file.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (mut stderr, sink) = (child.stderr.take().unwrap(), log.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = stderr.read(&mut buf) {
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    // Ready once it says so: a probe connection would be tunnelled like any other.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log.lock().unwrap().contains("serving") {
        assert!(
            Instant::now() < deadline,
            "the tunnel does not listen: {}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Tunnel(child, port, log)
}

/// Writes `data` through the tunnel and reads until that many bytes came back or the tunnel closed.
fn round_trip(port: u16, data: &[u8]) -> Vec<u8> {
    let mut nfs = StdStream::connect(("127.0.0.1", port)).unwrap();
    nfs.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    nfs.write_all(data).unwrap();
    let mut back = vec![0u8; data.len()];
    let mut got = 0;
    while got < data.len() {
        match nfs.read(&mut back[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    back.truncate(got);
    back
}

#[test]
fn nfs_bytes_cross_over_tls_with_the_access_point_in_the_certificate() {
    let target = mount_target(&format!("{FS}.efs.us-east-1.amazonaws.com"));
    let tunnel = tunnel(&target);
    // An NFS record's worth of bytes, and more than one TLS record.
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    assert_eq!(round_trip(tunnel.1, &data), data);
    let certs = target.client_certs.lock().unwrap();
    let [cert] = certs.as_slice() else {
        panic!("{} client certificates", certs.len())
    };
    let ap_extension = [
        &[
            0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xa5, 0x6b, 0x07, 0x01, 0x04, 24, 0x0c, 22,
        ][..],
        AP.as_bytes(),
    ]
    .concat();
    assert!(
        cert.windows(ap_extension.len()).any(|w| w == ap_extension),
        "no access point extension"
    );
}

#[test]
fn a_mount_target_with_another_name_gets_no_bytes() {
    let target = mount_target("fs-99999999.efs.us-east-1.amazonaws.com");
    let tunnel = tunnel(&target);
    assert_eq!(round_trip(tunnel.1, b"secret nfs"), b"");
    assert!(target.client_certs.lock().unwrap().is_empty());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tunnel.2.lock().unwrap().contains("TLS with") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = tunnel.2.lock().unwrap().clone();
    assert!(
        log.contains("TLS with 127.0.0.1:") && log.contains("certificate not valid for name"),
        "{log}"
    );
}

#[test]
fn bad_arguments_are_one_line() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ngp-efs-tunnel"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let base = ["--file-system", FS, "--access-point", AP, "--region", "us-east-1"];
    let open = run(&[&base[..], &["--listen", "0.0.0.0:20490"]].concat());
    assert!(
        open.starts_with("ngp-efs-tunnel: --listen 0.0.0.0:20490: the tunnel listens on loopback only")
            && open.lines().count() == 1,
        "{open}"
    );
    let typo = run(&["--file-system", "fs-zz", "--access-point", AP, "--region", "us-east-1"]);
    assert_eq!(
        typo,
        "ngp-efs-tunnel: file system id \"fs-zz\" is not of the form fs-<hexadecimal>\n"
    );
}
