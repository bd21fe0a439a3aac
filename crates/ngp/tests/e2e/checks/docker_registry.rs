//! The private registry (the `docker-registry` module): its generated TLS, one tfvars value reaching exactly
//! one app key, its password, its files on the nodes, and `ngp registry check` against the real Debian
//! `docker-registry`.

use std::process::{Command, Stdio};

use crate::common::local::*;
use crate::common::*;
use crate::fixture::{apps_of, node_file, Platform};

/// ngp generated a CA and a certificate into Secrets Manager; no key is in the state; openssl verifies the
/// server's certificate against the CA.
pub async fn tls_generated_into_secrets_manager(p: &Platform) {
    assert!(
        p.up.contains("docker-registry: generated a CA and a TLS certificate for registry.ngp into Secrets Manager"),
        "{}",
        p.up
    );
    let state = std::fs::read_to_string(p.dir().join(".ngp/local/terraform.tfstate")).unwrap();
    assert!(
        !state.contains("PRIVATE KEY"),
        "a private key is in the Terraform state"
    );
    let registry = &p.outputs["docker-registry"];
    let secret = |path: &[&str]| {
        let arn = path.iter().fold(registry, |v, k| &v[*k]).as_str().unwrap().to_owned();
        async move { p.aws.secret(&arn).await }
    };
    let ca_pem = secret(&["registry_ca_secret_arn"]).await;
    let server_pem = secret(&["registry_tls_secret_arns", "certificate"]).await;
    let key_pem = secret(&["registry_tls_secret_arns", "private_key"]).await;
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----") && key_pem.contains("PRIVATE KEY"));
    let Some(openssl) = crate::common::installed_tool("/usr/bin/openssl", "openssl") else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    std::fs::write(certs.path().join("ca.pem"), &ca_pem).unwrap();
    std::fs::write(certs.path().join("server.pem"), &server_pem).unwrap();
    let verified = Command::new(openssl)
        .args(["verify", "-CAfile", "ca.pem", "-verify_ip", "192.168.0.1", "server.pem"])
        .current_dir(certs.path())
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

/// One registry value set in the tfvars changes exactly that app, in exactly that key; when it leaves the
/// tfvars, the app returns to the module's default.
pub async fn one_tfvars_value_changes_one_app_key(p: &Platform) {
    let overlay = p.dir().join("ngp.local.tfvars");
    std::fs::write(&overlay, "registry_mem = 1024\n").unwrap();
    let applied = p.ngp(&["apply", "--env", "local"]);
    std::fs::remove_file(&overlay).unwrap();
    assert!(
        applied.contains("  ~ /ngp/docker-registry/registry (update: mem)")
            && applied.contains("Apps reconciled: 0 created, 1 updated, 11 unchanged, 0 removed")
            && applied.contains("docker-registry: TLS certificates exist; unchanged"),
        "{applied}"
    );
    let applied = p.ngp(&["apply", "--env", "local"]);
    assert!(
        applied.contains("  ~ /ngp/docker-registry/registry (update: mem)"),
        "{applied}"
    );
}

/// The registry's node_files reach the nodes through the cluster's gathered input: every node trusts the CA, the
/// private agents' user-data writes the registry's key, and every registry instance reads the one shared upload
/// secret (docs/real-aws.md, row 6).
pub async fn node_files_reach_the_nodes(p: &Platform) {
    let scripts = p.scripts();
    let writing = |path: &str| {
        let line = format!("write_file '{path}'");
        scripts.iter().filter(|(_, s)| s.contains(&line)).count()
    };
    assert!(
        writing("/etc/docker/certs.d/192.168.0.1:5000/ca.crt") >= 3,
        "{scripts:?}"
    );
    assert_eq!(writing("/etc/ngp/docker-registry/tls.key"), 1, "{scripts:?}");
    assert_eq!(writing("/etc/ngp/docker-registry.env"), 1, "{scripts:?}");
}

/// The registry asks for a password (htpasswd, bcrypt) that is generated into Secrets Manager; the agents get
/// the Docker auth for it as a root-only file, which the refresher puts in the credentials archive. Neither the
/// password nor its hash is in the app.
pub async fn registry_requires_its_password(p: &Platform) {
    let (dir, port, rendered, outputs, aws) = (p.dir(), p.port, &p.rendered, &p.outputs, &p.aws);
    let registry = &outputs["docker-registry"];
    let password = ok(local(dir, port).args([
        "output",
        "--env",
        "local",
        "--show-secrets",
        "docker-registry.registry_password",
    ]));
    let password = password.trim();
    assert!(password.len() >= 32, "{password}");
    let secret = |path_end: &'static str| {
        let file = node_file(registry, path_end).clone();
        async move {
            let value = aws.secret(file["secret_arn"].as_str().unwrap()).await;
            (file, value)
        }
    };
    let (htpasswd, hash) = secret("/htpasswd").await;
    assert_eq!(
        (htpasswd["mode"].as_str(), &htpasswd["roles"]),
        (Some("0600"), &serde_json::json!(["private_agent"]))
    );
    assert!(
        hash.starts_with("ngp:$2a$10$") && hash.ends_with('\n') && !hash.contains(password),
        "{hash}"
    );
    let (auth_file, auth) = secret("/docker-registry.json").await;
    assert_eq!(auth_file["roles"], serde_json::json!(["private_agent", "public_agent"]));
    let auth: serde_json::Value = serde_json::from_str(&auth).unwrap();
    let encoded = auth["192.168.0.1:5000"]["auth"].as_str().unwrap();
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), format!("ngp:{password}"));

    let apps = rendered.to_string();
    assert!(
        !apps.contains(password) && !apps.contains(encoded) && !apps.contains("$2a$"),
        "a registry credential is in an app"
    );
    let app = &apps_of(rendered, "docker-registry")[0];
    let env = &app["env"];
    assert_eq!(
        (
            env["REGISTRY_AUTH"].as_str(),
            env["REGISTRY_AUTH_HTPASSWD_PATH"].as_str()
        ),
        (Some("htpasswd"), Some("/certs/htpasswd"))
    );
}

/// A registry process, stopped and waited for when dropped (a failed assertion included).
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the real registry (Debian's `docker-registry`) on loopback with the storage, TLS and authentication the
/// docker-registry module renders for its app (the S3 driver pointed at the emulator), plus `overrides`.
fn start_registry(
    rendered: &serde_json::Value,
    files: &std::path::Path,
    port: u16,
    moto: u16,
    overrides: &[(&str, &str)],
) -> Option<Served> {
    let binary = installed_tool("/usr/bin/docker-registry", "docker-registry")?;
    let app = &apps_of(rendered, "docker-registry")[0];
    let env = app["env"].as_object().unwrap();
    let config = files.join("config.yml");
    std::fs::write(&config, "version: 0.1\nlog:\n  level: warn\n").unwrap();
    let mut cmd = Command::new(binary);
    cmd.arg("serve").arg(&config).env_clear().env("PATH", "/usr/bin:/bin");
    for (key, value) in env {
        cmd.env(key, value.as_str().unwrap());
    }
    let addr = format!("127.0.0.1:{port}");
    let endpoint = format!("http://127.0.0.1:{moto}");
    let path = |name: &str| files.join(name).display().to_string();
    let (cert, key, htpasswd) = (path("tls.crt"), path("tls.key"), path("htpasswd"));
    let local = [
        ("REGISTRY_HTTP_ADDR", addr.as_str()),
        ("REGISTRY_HTTP_TLS_CERTIFICATE", cert.as_str()),
        ("REGISTRY_HTTP_TLS_KEY", key.as_str()),
        ("REGISTRY_AUTH_HTPASSWD_PATH", htpasswd.as_str()),
        ("REGISTRY_STORAGE_S3_REGIONENDPOINT", endpoint.as_str()),
        ("REGISTRY_STORAGE_S3_ACCESSKEY", "test"),
        ("REGISTRY_STORAGE_S3_SECRETKEY", "test"),
    ];
    for (key, value) in local.iter().chain(overrides) {
        cmd.env(key, value);
    }
    let served = Served(cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(served);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the registry did not start on {addr}");
}

/// `ngp registry check` against the real registry, run as the module renders it: a push, a pull, the objects
/// in the bucket; then each way it can fail, one line naming the step.
pub async fn registry_check_end_to_end(p: &Platform) {
    let (dir, port, rendered, outputs, aws) = (p.dir(), p.port, &p.rendered, &p.outputs, &p.aws);
    let registry = &outputs["docker-registry"];
    let files = tempfile::tempdir().unwrap();
    let htpasswd = node_file(registry, "/htpasswd");
    for (name, arn) in [
        ("tls.crt", &registry["registry_tls_secret_arns"]["certificate"]),
        ("tls.key", &registry["registry_tls_secret_arns"]["private_key"]),
        ("htpasswd", &htpasswd["secret_arn"]),
    ] {
        std::fs::write(files.path().join(name), aws.secret(arn.as_str().unwrap()).await).unwrap();
    }
    let registry_port = free_port();
    let Some(served) = start_registry(rendered, files.path(), registry_port, port, &[]) else {
        return;
    };
    let address = format!("127.0.0.1:{registry_port}");
    let check = |extra: &[&str]| {
        let mut cmd = local(dir, port);
        cmd.args(["registry", "check", "--env", "local"]).args(extra);
        run(&mut cmd)
    };

    let out = check(&["--address", &address]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    for step in ["credentials", "push", "pull", "storage", "delete"] {
        assert!(printed.lines().any(|l| l.starts_with(step)), "{step} in {printed}");
    }
    assert!(printed.contains("skipped: the registry has deletion off"), "{printed}");
    // The objects the check found are really there, under the module's root directory.
    let listed = aws
        .s3
        .list_objects_v2()
        .bucket(registry["registry_bucket"].as_str().unwrap())
        .prefix("docker-registry/docker/registry/v2/")
        .send()
        .await
        .unwrap();
    assert!(listed.contents().len() >= 3, "{listed:?}");

    // Each failure: one line, naming the step.
    let one_line = |out: &std::process::Output, expected: &str| {
        assert!(!out.status.success());
        let err = stderr(out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(expected), "expected {expected:?} in {err}");
    };
    let nobody = format!("127.0.0.1:{}", free_port());
    one_line(&check(&["--address", &nobody]), "push: cannot connect to 127.0.0.1:");
    one_line(
        &check(&["--address", &format!("localhost:{registry_port}")]),
        "push: TLS with localhost:",
    );
    let put_secret = |arn: &str, value: &str| {
        let request = aws.secrets.put_secret_value().secret_id(arn).secret_string(value);
        async move { request.send().await.unwrap() }
    };
    let password_arn = registry["registry_password_secret_arn"].as_str().unwrap();
    let password = aws
        .secret(registry["registry_password_secret_arn"].as_str().unwrap())
        .await;
    put_secret(password_arn, "wrong-password").await;
    one_line(
        &check(&["--address", &address]),
        "push: the registry refused user ngp's password (401)",
    );
    put_secret(password_arn, &password).await;
    let ca_arn = registry["registry_ca_secret_arn"].as_str().unwrap();
    let ca = aws.secret(registry["registry_ca_secret_arn"].as_str().unwrap()).await;
    put_secret(ca_arn, "not a certificate").await;
    one_line(
        &check(&["--address", &address]),
        "ca: the registry's CA holds no PEM certificate",
    );
    put_secret(ca_arn, &ca).await;
    drop(served);
    let restart = |overrides: &[(&str, &str)]| {
        start_registry(rendered, files.path(), registry_port, port, overrides).expect("it ran a moment ago")
    };
    // A registry whose bucket is missing fails the push, and the line points at its storage.
    let served = restart(&[("REGISTRY_STORAGE_S3_BUCKET", "ngp-no-such-bucket")]);
    one_line(
        &check(&["--address", &address]),
        "push: the registry's storage failed (500",
    );
    drop(served);
    // With deletion on, the check takes its image away again.
    let served = restart(&[("REGISTRY_STORAGE_DELETE_ENABLED", "true")]);
    let out = check(&["--address", &address]);
    assert!(
        stdout(&out).contains("the test image's manifest deleted"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    drop(served);

    // ECR against the emulator: the login works; the push is not supported there, which says nothing of the
    // repository.
    let out = check(&["--ecr", "platform/app"]);
    let printed = stdout(&out);
    assert!(out.status.success(), "{printed}{}", stderr(&out));
    assert!(
        printed.contains("ecr login") && printed.contains("not supported by this endpoint"),
        "{printed}"
    );
    assert!(!printed.to_lowercase().contains("fail"), "{printed}");
}
