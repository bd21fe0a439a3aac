//! The names ngp understands in a module: the written contract of `docs/modules.md`. The CLI finds a module
//! only through these, by the outputs and inputs it has, never by its name; `NAMES` lists them all, and a test
//! holds the document and this list together.

use std::collections::BTreeMap;

use serde_json::Value;

/// Output: Marathon's REST API, which `ngp apps` reconciles.
pub const MARATHON_URL: &str = "marathon_url";
/// Output (sensitive): `{ url, uid, password }`, how ngp gets a token for `marathon_url`.
pub const MARATHON_LOGIN: &str = "marathon_login";
/// Output: the Mesos master's API, for the live agent count of one-per-agent apps.
pub const MESOS_URL: &str = "mesos_url";
/// Output: the module's Marathon apps, deployed into `/ngp/<module>`.
pub const MARATHON_APPS: &str = "marathon_apps";
/// Output: a CA and a server certificate that ngp generates after apply into the named secrets.
pub const NGP_TLS: &str = "ngp_tls";
/// Output and input: files the cluster's nodes write from Secrets Manager at boot.
pub const NODE_FILES: &str = "node_files";
/// Output and input: what apps on the nodes reach outside the VPC (`[{ host, port, protocol, why }]`); the
/// cluster's egress rules are built from it, so that no app is cut off unseen.
pub const NODE_EGRESS: &str = "node_egress";
/// Output and input: the ports apps publish on the public agents; the public load balancer and its open rules
/// exist only for these.
pub const PUBLIC_AGENT_PORTS: &str = "public_agent_ports";
/// Outputs: where `ngp vpn profile` gets a profile, and as whom.
pub const VPN_CONNECT_URL: &str = "vpn_connect_url";
pub const VPN_ADMIN_USER: &str = "vpn_admin_user";
pub const VPN_ADMIN_PASSWORD: &str = "vpn_admin_password";
/// Inputs: the DNS domain, and whether ngp creates its hosted zone (else `ngp doctor` checks it exists).
pub const DOMAIN: &str = "domain";
pub const CREATE_DNS_ZONE: &str = "create_dns_zone";
/// Inputs whose name ends so are container images (`name:tag` or `name@sha256:...`): `ngp images lock` pins
/// their tags, and every plan hands them to the modules by digest.
pub const IMAGE_SUFFIX: &str = "_image";
/// Input: naming and tags, one object for every module.
pub const CONTEXT: &str = "context";
/// Marathon app label: `private` or `public`; ngp runs the app once per agent of that kind.
pub const PER_AGENT_LABEL: &str = "NGP_PER_AGENT";

/// The private registry, for `ngp registry check`: where it is (`host:port`), its user, the secrets holding its
/// password and its CA, and the bucket and root directory of its storage.
pub const REGISTRY_ADDRESS: &str = "registry_address";
pub const REGISTRY_USER: &str = "registry_user";
pub const REGISTRY_PASSWORD_SECRET_ARN: &str = "registry_password_secret_arn";
pub const REGISTRY_CA_SECRET_ARN: &str = "registry_ca_secret_arn";
pub const REGISTRY_BUCKET: &str = "registry_bucket";
pub const REGISTRY_ROOT_DIRECTORY: &str = "registry_root_directory";

/// Marathon snapshots, for `ngp snapshot`: the bucket, the key prefix and the cluster name under which they are
/// kept (`<prefix>/<cluster>/<UTC timestamp>.json`).
pub const SNAPSHOT_BUCKET: &str = "snapshot_bucket";
pub const SNAPSHOT_PREFIX: &str = "snapshot_prefix";
pub const SNAPSHOT_CLUSTER: &str = "snapshot_cluster";

/// Every name of the contract, as `docs/modules.md` lists them.
pub const NAMES: &[&str] = &[
    MARATHON_URL,
    MARATHON_LOGIN,
    MESOS_URL,
    MARATHON_APPS,
    NGP_TLS,
    NODE_FILES,
    NODE_EGRESS,
    PUBLIC_AGENT_PORTS,
    VPN_CONNECT_URL,
    VPN_ADMIN_USER,
    VPN_ADMIN_PASSWORD,
    REGISTRY_ADDRESS,
    REGISTRY_USER,
    REGISTRY_PASSWORD_SECRET_ARN,
    REGISTRY_CA_SECRET_ARN,
    REGISTRY_BUCKET,
    REGISTRY_ROOT_DIRECTORY,
    SNAPSHOT_BUCKET,
    SNAPSHOT_PREFIX,
    SNAPSHOT_CLUSTER,
    DOMAIN,
    CREATE_DNS_ZONE,
    CONTEXT,
    IMAGE_SUFFIX,
    crate::REGION_VARIABLE,
    PER_AGENT_LABEL,
    "headline",
    "downloads",
    "inputs_from",
    "local_mode_inputs",
    "local_mode_secrets",
    "builds",
    "default_enabled",
    "description",
];

/// The environment's outputs, `{module: {output: value}}`.
pub type Outputs = BTreeMap<String, BTreeMap<String, Value>>;

/// The module that has output `name`, with its outputs: none, or an error when several modules have it (a role
/// such as Marathon's is one module's).
pub fn provider<'a>(
    outputs: &'a Outputs,
    name: &str,
) -> Result<Option<(&'a str, &'a BTreeMap<String, Value>)>, String> {
    let found: Vec<(&str, &BTreeMap<String, Value>)> = outputs
        .iter()
        .filter(|(_, outs)| outs.get(name).is_some_and(|v| !v.is_null()))
        .map(|(m, outs)| (m.as_str(), outs))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        several => Err(format!(
            "several modules have output {name} ({}); ngp needs exactly one",
            several.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(pairs: &[(&str, &str)]) -> Outputs {
        let mut all = Outputs::new();
        for (module, output) in pairs {
            all.entry((*module).to_owned())
                .or_default()
                .insert((*output).to_owned(), Value::String("x".into()));
        }
        all
    }

    #[test]
    fn a_role_is_found_by_its_output_whatever_the_module_is_called() {
        let all = outputs(&[("cluster", MARATHON_URL), ("net", "vpc_id")]);
        assert_eq!(provider(&all, MARATHON_URL).unwrap().map(|(m, _)| m), Some("cluster"));
        assert_eq!(provider(&all, VPN_CONNECT_URL).unwrap(), None);
    }

    #[test]
    fn two_modules_in_one_role_is_an_error_that_names_both() {
        let all = outputs(&[("a", MARATHON_URL), ("b", MARATHON_URL)]);
        assert_eq!(
            provider(&all, MARATHON_URL).unwrap_err(),
            "several modules have output marathon_url (a, b); ngp needs exactly one"
        );
    }
}
