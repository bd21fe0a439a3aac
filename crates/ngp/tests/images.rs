//! `ngp images lock` against the real registry (Debian's `docker-registry`) on loopback: a tiny image pushed
//! under a tag is pinned by the digest of the bytes the registry serves, the next plan's values carry it, a pin
//! of another environment is kept, and a tag the registry lacks is one line that writes nothing. Skipped without
//! the package, unless NGP_REQUIRE_TOOLS is set.

mod common;

use std::process::{Child, Command, Stdio};

use common::*;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The registry, in-memory storage and no TLS, on `127.0.0.1:<port>`; `None` without the package.
fn start_registry(dir: &std::path::Path) -> Option<(Served, String)> {
    let binary = std::path::Path::new("/usr/bin/docker-registry");
    if !binary.exists() {
        ngp_testing::skip("the docker-registry package", "apt install docker-registry");
        return None;
    }
    let port = ngp_testing::free_port();
    let config = dir.join("registry.yml");
    let text =
        format!("version: 0.1\nlog:\n  level: warn\nstorage:\n  inmemory: {{}}\nhttp:\n  addr: 127.0.0.1:{port}\n");
    std::fs::write(&config, text).unwrap();
    let mut command = Command::new(binary);
    command.arg("serve").arg(&config).env_clear();
    let served = Served(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((served, format!("127.0.0.1:{port}")));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the registry did not start on port {port}");
}

/// Pushes a tiny image as `<host>/ngp/app:1.0`; the digest of the manifest bytes the registry then serves.
async fn push(host: &str) -> String {
    let image = ngp_registry_check::TinyImage::new().unwrap();
    let client = Client::new(ClientConfig {
        protocol: ClientProtocol::HttpsExcept(vec![host.to_owned()]),
        ..Default::default()
    });
    let reference = Reference::with_tag(host.to_owned(), "ngp/app".into(), "1.0".into());
    let auth = RegistryAuth::Anonymous;
    let layers = std::slice::from_ref(&image.layer);
    client
        .push(
            &reference,
            layers,
            image.config.clone(),
            &auth,
            Some(image.manifest.clone()),
        )
        .await
        .unwrap();
    let accepted = [oci_client::manifest::OCI_IMAGE_MEDIA_TYPE];
    let (bytes, _) = client.pull_manifest_raw(&reference, &auth, &accepted).await.unwrap();
    ngp_registry_check::digest(&bytes)
}

/// A module of one image input, `app_image`, which it outputs.
fn write_module(dir: &std::path::Path) {
    let module = dir.join("modules/pinme");
    std::fs::create_dir_all(&module).unwrap();
    let files = [
        (
            "pinme.tf",
            "locals {\n  ngp_module = {\n    description = \"One image input\"\n  }\n}\n",
        ),
        ("pinme.dummy", "# pinme\n"),
        (
            "pinme-variables.tf",
            "variable \"app_image\" {\n  description = \"The app's image.\"\n  type        = string\n}\n",
        ),
        (
            "pinme-output.tf",
            "output \"app\" {\n  description = \"The image.\"\n  value       = var.app_image\n}\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(module.join(name), text).unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_image_is_pinned_by_the_digest_its_registry_serves() {
    if skip_without_terraform() {
        return;
    }
    let project = project_with(&[]);
    let dir = project.path();
    let Some((_registry, host)) = start_registry(dir) else {
        return;
    };
    let digest = push(&host).await;
    write_module(dir);
    let image = format!("{host}/ngp/app:1.0");
    let tfvars = format!("modules = [\"pinme\"]\naws_region = \"us-east-1\"\napp_image = \"{image}\"\n");
    std::fs::write(dir.join("ngp.tfvars"), tfvars).unwrap();
    // Another environment's pin, which this run must keep.
    let other = format!("{{\"pins\": {{\"redis:7.2.4\": \"sha256:{}\"}}}}\n", "a".repeat(64));
    let lock_path = dir.join("ngp.images.lock");
    std::fs::write(&lock_path, &other).unwrap();

    let out = run(ngp(dir).args(["images", "lock", "--json"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["pins"][0]["image"], image.as_str());
    assert_eq!(shown["pins"][0]["digest"], digest.as_str());
    assert_eq!(shown["pins"][0]["inputs"], "app_image");
    assert_eq!(shown["pins"][0]["change"], "pinned");
    let lock: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&lock_path).unwrap()).unwrap();
    assert_eq!(lock["pins"][&image], digest.as_str());
    assert!(lock["pins"]["redis:7.2.4"].is_string(), "the other pin is kept: {lock}");

    // The plan's values carry the pin; the user's tfvars are untouched.
    let validated = run(ngp(dir).args(["validate"]));
    assert!(validated.status.success(), "{}", stderr(&validated));
    let values = std::fs::read_to_string(dir.join(".ngp/default/terraform.tfvars.json")).unwrap();
    let values: serde_json::Value = serde_json::from_str(&values).unwrap();
    assert_eq!(values["app_image"], format!("{image}@{digest}").as_str());
    assert!(std::fs::read_to_string(dir.join("ngp.tfvars"))
        .unwrap()
        .contains(&format!("\"{image}\"")));

    // A tag the registry does not have: one line, and the lock stays as it was.
    let before = std::fs::read(&lock_path).unwrap();
    let missing = format!("{host}/ngp/app:2.0");
    let tfvars = format!("modules = [\"pinme\"]\naws_region = \"us-east-1\"\napp_image = \"{missing}\"\n");
    std::fs::write(dir.join("ngp.tfvars"), tfvars).unwrap();
    let out = run(ngp(dir).args(["images", "lock"]));
    assert_one_error(&out, &format!("{missing}: the registry {host} did not give a digest"));
    assert_eq!(std::fs::read(&lock_path).unwrap(), before);
}
