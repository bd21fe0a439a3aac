//! Certificates that modules ask for with an `ngp_tls` output: a CA and a server certificate, generated here
//! after apply and written straight into the module's Secrets Manager secrets. Terraform only makes the
//! secrets, so no private key is ever in its state or outputs. The CA's key is written once, last, and never
//! read back (the module's secret policy denies reading it); the certificates are generated only while it has
//! no value, so a second apply changes nothing.

use std::net::IpAddr;

use anyhow::{anyhow, Context, Result};
use ngp_modules::contract::{Outputs, NGP_TLS};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use serde::Deserialize;

use crate::pipeline::workspace::Workspace;

/// The `ngp_tls` output of a module.
#[derive(Debug, Deserialize)]
pub struct TlsRequest {
    pub ca_key_secret_arn: String,
    pub ca_cert_secret_arn: String,
    pub server_cert_secret_arn: String,
    pub server_key_secret_arn: String,
    pub common_name: String,
    #[serde(default)]
    pub ip_addresses: Vec<String>,
    #[serde(default)]
    pub dns_names: Vec<String>,
}

/// A CA and a server certificate signed by it, in PEM.
pub struct Generated {
    pub ca_key: String,
    pub ca_cert: String,
    pub server_key: String,
    pub server_cert: String,
}

/// Generates a CA (valid 10 years) and a server certificate for the request's names (valid 2 years).
pub fn generate(req: &TlsRequest) -> Result<Generated> {
    let now = time::OffsetDateTime::now_utc();
    let ca_key = KeyPair::generate().context("cannot generate the CA's key")?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name
        .push(DnType::CommonName, format!("NGP CA for {}", req.common_name));
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = now - time::Duration::hours(1);
    ca.not_after = now + time::Duration::days(3650);
    let ca_cert = ca.self_signed(&ca_key).context("cannot sign the CA's certificate")?;

    let server_key = KeyPair::generate().context("cannot generate the server's key")?;
    let mut server =
        CertificateParams::new(req.dns_names.clone()).with_context(|| format!("bad DNS names {:?}", req.dns_names))?;
    for ip in &req.ip_addresses {
        let ip: IpAddr = ip
            .parse()
            .with_context(|| format!("ngp_tls.ip_addresses: {ip:?} is not an IP address"))?;
        server.subject_alt_names.push(SanType::IpAddress(ip));
    }
    server
        .distinguished_name
        .push(DnType::CommonName, req.common_name.clone());
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.not_before = now - time::Duration::hours(1);
    server.not_after = now + time::Duration::days(730);
    let server_cert = server
        .signed_by(&server_key, &ca_cert, &ca_key)
        .context("cannot sign the server's certificate")?;
    Ok(Generated {
        ca_key: ca_key.serialize_pem(),
        ca_cert: ca_cert.pem(),
        server_key: server_key.serialize_pem(),
        server_cert: server_cert.pem(),
    })
}

/// For every module with an `ngp_tls` output: generates and stores its certificates unless they exist.
pub fn ensure(ws: &Workspace, outputs: &Outputs) -> Result<()> {
    let requests: Vec<(&String, TlsRequest)> = outputs
        .iter()
        .filter_map(|(m, outs)| outs.get(NGP_TLS).map(|v| (m, v)))
        .map(|(m, v)| {
            serde_json::from_value(v.clone())
                .map(|r| (m, r))
                .map_err(|e| anyhow!("module {m}: output {NGP_TLS}: {e}"))
        })
        .collect::<Result<_>>()?;
    if requests.is_empty() {
        return Ok(());
    }
    crate::runtime()?.block_on(async {
        let sdk = ngp_aws::sdk_config(&ws.region, ws.emulator.as_deref()).await;
        let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
        for (module, req) in requests {
            if has_value(&secrets, &req.ca_key_secret_arn).await? {
                println!("{module}: TLS certificates exist; unchanged");
                continue;
            }
            let generated = generate(&req)?;
            // The CA's key goes last: its value means everything else was written.
            for (arn, value) in [
                (&req.server_key_secret_arn, &generated.server_key),
                (&req.server_cert_secret_arn, &generated.server_cert),
                (&req.ca_cert_secret_arn, &generated.ca_cert),
                (&req.ca_key_secret_arn, &generated.ca_key),
            ] {
                secrets
                    .put_secret_value()
                    .secret_id(arn)
                    .secret_string(value)
                    .send()
                    .await
                    .map_err(|e| anyhow!("module {module}: cannot write secret {arn}: {}", ngp_aws::one_line(&e)))?;
            }
            println!(
                "{module}: generated a CA and a TLS certificate for {} into Secrets Manager",
                req.common_name
            );
        }
        Ok(())
    })
}

/// Whether a secret has a current value, asked without reading it.
async fn has_value(secrets: &aws_sdk_secretsmanager::Client, arn: &str) -> Result<bool> {
    let described = secrets
        .describe_secret()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| anyhow!("cannot describe secret {arn}: {}", ngp_aws::one_line(&e)))?;
    Ok(described
        .version_ids_to_stages()
        .is_some_and(|versions| versions.values().any(|stages| stages.iter().any(|s| s == "AWSCURRENT"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn request() -> TlsRequest {
        TlsRequest {
            ca_key_secret_arn: "a".into(),
            ca_cert_secret_arn: "b".into(),
            server_cert_secret_arn: "c".into(),
            server_key_secret_arn: "d".into(),
            common_name: "registry.ngp".into(),
            ip_addresses: vec!["192.168.0.1".into()],
            dns_names: vec!["registry.ngp".into()],
        }
    }

    #[test]
    fn the_server_certificate_verifies_against_the_ca_for_its_names() {
        let generated = generate(&request()).unwrap();
        assert!(generated.ca_key.contains("PRIVATE KEY") && generated.server_key.contains("PRIVATE KEY"));
        let Ok(openssl) = which::which("openssl") else {
            assert!(
                std::env::var_os("NGP_REQUIRE_TOOLS").is_none(),
                "openssl is required here"
            );
            eprintln!("skipped the openssl check: openssl is not installed");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::File::create(&path)
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            path
        };
        let ca = write("ca.pem", &generated.ca_cert);
        let server = write("server.pem", &generated.server_cert);
        for check in [["-verify_ip", "192.168.0.1"], ["-verify_hostname", "registry.ngp"]] {
            let out = std::process::Command::new(&openssl)
                .args(["verify", "-CAfile"])
                .arg(&ca)
                .args(check)
                .arg(&server)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{check:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let out = std::process::Command::new(&openssl)
            .args(["verify", "-CAfile"])
            .arg(&ca)
            .args(["-verify_hostname", "elsewhere.example"])
            .arg(&server)
            .output()
            .unwrap();
        assert!(!out.status.success(), "a name the certificate does not carry must fail");
    }

    #[test]
    fn a_bad_ip_address_names_the_field() {
        let mut req = request();
        req.ip_addresses = vec!["not-an-ip".into()];
        let err = generate(&req).err().unwrap().to_string();
        assert_eq!(err, "ngp_tls.ip_addresses: \"not-an-ip\" is not an IP address");
    }
}
