//! The checks of the DC/OS platform, by module. Each module's file holds its checks; this table orders them:
//! what spans modules first, then each module's, then the lifecycle after the apply, which changes the platform
//! and so runs last, in order.

mod api_gateway;
mod dcos;
mod docker_registry;
mod ecr;
mod elk;
mod jenkins;
mod manager;
mod marathon_snapshot;
mod monitoring;
mod openvpn;
mod platform;

use crate::check;
use crate::suite::Check;

/// The DC/OS variant's table of checks, one row each.
#[rustfmt::skip]
pub fn dcos_platform() -> Vec<Check> {
    vec![
        check!("platform", "up prints where things are", platform::up_prints_where_things_are),
        check!("platform", "apps plan is clean and running", platform::apps_plan_is_clean_and_running),
        check!("platform", "apps validate against Marathon's schema", platform::apps_validate_against_marathons_schema),
        check!("platform", "env files stay out of Marathon", platform::env_files_stay_out_of_marathon),
        check!("platform", "only the VPN and the gateway face the world", platform::only_the_vpn_and_the_gateway_face_the_world),
        check!("platform", "user-data passes shellcheck", platform::user_data_passes_shellcheck),
        check!("platform", "autoscaling may use the platform key", platform::autoscaling_may_use_the_platform_key),
        check!("platform", "log groups may use the platform key", platform::log_groups_may_use_the_platform_key),
        check!("platform", "public fronts sit behind WAF", platform::public_fronts_sit_behind_waf),
        check!("platform", "inventory holds every kind", platform::inventory_holds_every_kind),
        check!("manager", "nodes require tokens and encrypt", manager::nodes_require_tokens_and_encrypt),
        check!("manager", "vpc id in the outputs", manager::vpc_id_in_the_outputs),
        check!("dcos", "masters take Admin Router only", dcos::masters_take_admin_router_only),
        check!("dcos", "launch templates require tokens", dcos::launch_templates_require_tokens),
        check!("dcos", "config.yaml discovers masters on S3", dcos::config_yaml_discovers_masters_on_s3),
        check!("dcos", "superuser password stays off the nodes", dcos::superuser_password_stays_off_the_nodes),
        check!("openvpn", "admin password stays off the nodes", openvpn::admin_password_stays_off_the_nodes),
        check!("openvpn", "profile logs in as the admin", openvpn::profile_logs_in_as_the_admin),
        check!("docker-registry", "TLS generated into Secrets Manager", docker_registry::tls_generated_into_secrets_manager),
        check!("docker-registry", "one tfvars value changes one app key", docker_registry::one_tfvars_value_changes_one_app_key),
        check!("docker-registry", "node files reach the nodes", docker_registry::node_files_reach_the_nodes),
        check!("docker-registry", "requires its password", docker_registry::registry_requires_its_password),
        check!("docker-registry", "registry check end to end", docker_registry::registry_check_end_to_end),
        check!("api-gateway", "keeps its secrets", api_gateway::gateway_keeps_its_secrets),
        check!("elk", "master password stays hidden", elk::master_password_stays_hidden),
        check!("elk", "Filebeat finds the sandboxes", elk::filebeat_finds_the_sandboxes),
        check!("elk", "search domain is private", elk::search_domain_is_private),
        check!("ecr", "repository and its refresher", ecr::ecr_and_its_refresher),
        check!("jenkins", "home on encrypted EFS", jenkins::home_on_encrypted_efs),
        check!("jenkins", "mount targets admit NFS from the cluster", jenkins::mount_targets_admit_nfs_from_the_cluster),
        check!("jenkins", "apps mount through the tunnel", jenkins::apps_mount_through_the_tunnel),
        check!("jenkins", "front is internal", jenkins::front_is_internal),
        check!("marathon-snapshot", "function runs the static package", marathon_snapshot::function_runs_the_static_package),
        check!("marathon-snapshot", "function in private subnets without the password", marathon_snapshot::function_in_private_subnets_without_the_password),
        check!("marathon-snapshot", "function reaches three targets only", marathon_snapshot::function_reaches_three_targets_only),
        check!("marathon-snapshot", "restore API takes this account only", marathon_snapshot::restore_api_takes_this_account_only),
        check!("marathon-snapshot", "take, wipe, restore", marathon_snapshot::snapshot_take_wipe_restore),
        check!("monitoring", "cluster egress reaches the collector", monitoring::cluster_egress_reaches_the_collector),
        check!("platform", "re-plan is clean", platform::replan_is_clean),
        check!("platform", "saved plan applies only to its configuration", platform::saved_plan_applies_only_to_its_configuration),
        check!("platform", "remote state on S3", platform::remote_state_on_s3),
        check!("platform", "apps remove and apply", platform::apps_remove_and_apply),
        check!("platform", "destroy leaves nothing", platform::destroy_leaves_nothing),
        check!("platform", "bad values fail at plan time", platform::bad_values_fail_at_plan_time),
        check!("platform", "local down stops the emulators", platform::local_down_stops_the_emulators),
    ]
}
