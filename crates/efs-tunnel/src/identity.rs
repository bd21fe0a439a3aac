//! The client certificate that carries the access point to EFS.

use anyhow::{Context, Result};
use rcgen::{CertificateParams, CustomExtension, DistinguishedName, DnType, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// `1.3.6.1.4.1.4843.7.1`: the access point id.
pub const ACCESS_POINT_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 4843, 7, 1];
/// `1.3.6.1.4.1.4843.7.3`: the file system id.
pub const FILE_SYSTEM_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 4843, 7, 3];

/// What EFS reads from the client certificate.
#[derive(Clone, Debug)]
pub struct Target {
    pub file_system_id: String,
    pub access_point_id: String,
}

impl Target {
    /// Checks the ids' form (`fs-…`, `fsap-…`, hexadecimal), so that a typo fails at start, not at mount time.
    pub fn new(file_system_id: &str, access_point_id: &str) -> Result<Self> {
        check_id("file system", "fs-", file_system_id)?;
        check_id("access point", "fsap-", access_point_id)?;
        Ok(Self {
            file_system_id: file_system_id.to_owned(),
            access_point_id: access_point_id.to_owned(),
        })
    }

    /// The name the mount target's certificate carries: `<fs-id>.efs.<region>.amazonaws.com`.
    pub fn server_name(&self, region: &str) -> String {
        format!("{}.efs.{region}.amazonaws.com", self.file_system_id)
    }
}

fn check_id(what: &str, prefix: &str, id: &str) -> Result<()> {
    let hex = id.strip_prefix(prefix).unwrap_or("");
    if hex.len() < 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        anyhow::bail!("{what} id {id:?} is not of the form {prefix}<hexadecimal>");
    }
    Ok(())
}

/// A fresh self-signed certificate (ECDSA P-256, valid from an hour ago for a day) naming the target.
pub fn client_certificate(target: &Target) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>)> {
    let key = KeyPair::generate().context("cannot generate the client key")?;
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "ngp-efs-tunnel");
    params.distinguished_name = name;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(1);
    params.custom_extensions = vec![
        utf8_extension(ACCESS_POINT_OID, &target.access_point_id),
        utf8_extension(FILE_SYSTEM_OID, &target.file_system_id),
    ];
    let cert = params.self_signed(&key).context("cannot sign the client certificate")?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().clone(), key))
}

/// A non-critical extension whose value is a DER UTF8String.
fn utf8_extension(oid: &[u64], value: &str) -> CustomExtension {
    let content = yasna::construct_der(|w| w.write_utf8_string(value));
    CustomExtension::from_oid_content(oid, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(Target::new("fs-0123abcd", "fsap-0123456789abcdef0").is_ok());
        let err = Target::new("fsap-0123abcd", "fsap-0123456789abcdef0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "file system id \"fsap-0123abcd\" is not of the form fs-<hexadecimal>"
        );
        assert!(Target::new("fs-0123abcd", "fsap-xyz").is_err());
    }

    #[test]
    fn the_certificate_names_the_access_point_and_the_file_system() {
        let target = Target::new("fs-0123abcd", "fsap-0123456789abcdef0").unwrap();
        let (cert, _) = client_certificate(&target).unwrap();
        // Extension ::= SEQUENCE { extnID OID, extnValue OCTET STRING (UTF8String id) }, non-critical.
        let expect = |oid_tail: u8, id: &str| {
            let mut ext = vec![0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xa5, 0x6b, 0x07, oid_tail];
            ext.extend([0x04, id.len() as u8 + 2, 0x0c, id.len() as u8]);
            ext.extend(id.as_bytes());
            ext
        };
        for (tail, id) in [(1, "fsap-0123456789abcdef0"), (3, "fs-0123abcd")] {
            let needle = expect(tail, id);
            assert!(
                cert.windows(needle.len()).any(|w| w == needle.as_slice()),
                "no extension .7.{tail} = {id}"
            );
        }
        assert_eq!(
            target.server_name("eu-west-1"),
            "fs-0123abcd.efs.eu-west-1.amazonaws.com"
        );
    }
}
