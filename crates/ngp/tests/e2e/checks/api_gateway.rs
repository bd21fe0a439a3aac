//! The API gateway (the `api-gateway` module, Tyk with Redis): its secrets and its public HTTPS front.

use crate::fixture::*;

/// The API gateway: its secrets (the local stand-ins for Tyk Cloud's credentials, Redis's token) reach the
/// gateway only through the settings secret the public agents write 0600 and Docker reads; the app carries no
/// secret; the public load balancer takes HTTPS only, with a certificate, and sends it to the public agents.
pub async fn gateway_keeps_its_secrets(p: &Platform) {
    let (dir, rendered, outputs, aws) = (p.dir(), &p.rendered, &p.outputs, &p.aws);
    use std::os::unix::fs::PermissionsExt;
    let kept = dir.join(".ngp/local/local-secrets.json");
    assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o600);
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&kept).unwrap()).unwrap();
    let api_key = kept["tyk_api_key"].as_str().unwrap();
    assert!(api_key.len() >= 32 && kept["tyk_org_id"].is_string(), "{kept}");

    let gateway = &outputs["api-gateway"];
    let files = gateway["node_files"].as_array().unwrap();
    let env_file = files
        .iter()
        .find(|f| f["roles"] == serde_json::json!(["public_agent"]))
        .unwrap();
    assert_eq!(env_file["mode"], "0600");
    let settings = aws.secret(env_file["secret_arn"].as_str().unwrap()).await;
    assert!(
        settings.contains(&format!("TYK_GW_SLAVEOPTIONS_APIKEY={api_key}\n")),
        "the gateway's settings"
    );
    assert!(settings.contains("TYK_GW_STORAGE_PASSWORD=") && settings.contains("TYK_GW_SECRET="));

    // The app: the settings by --env-file, and no secret of any kind in its definition.
    let apps = apps_of(rendered, "api-gateway");
    let app = apps.iter().find(|a| a["id"] == "/ngp/api-gateway/gateway").unwrap();
    assert_eq!(
        app["container"]["docker"]["parameters"],
        serde_json::json!([{ "key": "env-file", "value": env_file["path"] }])
    );
    assert_eq!(app["acceptedResourceRoles"], serde_json::json!(["slave_public"]));
    assert_eq!(app["healthChecks"][0]["path"], "/hello");
    assert!(!std::fs::read_to_string(dir.join(".ngp/local/terraform.tfvars.json"))
        .unwrap()
        .contains(api_key));

    // The load balancer: one HTTPS listener with a certificate, forwarding to the public agents.
    let lbs = aws.elb.describe_load_balancers().send().await.unwrap();
    let lb = lbs
        .load_balancers()
        .iter()
        .find(|lb| lb.load_balancer_name() == Some("ngp-tyk-dev"))
        .unwrap();
    let listeners = aws
        .elb
        .describe_listeners()
        .load_balancer_arn(lb.load_balancer_arn().unwrap())
        .send()
        .await
        .unwrap();
    let [listener] = listeners.listeners() else {
        panic!("{listeners:?}")
    };
    assert_eq!(
        (listener.port(), listener.protocol().map(|p| p.as_str())),
        (Some(443), Some("HTTPS"))
    );
    assert!(listener
        .certificates()
        .iter()
        .any(|c| c.certificate_arn().is_some_and(|a| a.contains(":acm:"))));
    let group = listener.default_actions()[0].target_group_arn().unwrap();
    let targets = aws
        .elb
        .describe_target_health()
        .target_group_arn(group)
        .send()
        .await
        .unwrap();
    let public_agents = outputs["cluster"]["public_agent_count"].as_u64().unwrap() as usize;
    assert_eq!(
        targets.target_health_descriptions().len(),
        public_agents,
        "every public agent is the gateway's target"
    );
}
