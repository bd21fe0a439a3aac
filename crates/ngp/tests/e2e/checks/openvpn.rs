//! The OpenVPN Access Server (the `openvpn` module, named `vpn-gateway` in this project): its admin password
//! stays off the nodes, and `ngp vpn profile` logs in with it.

use crate::fixture::Platform;

/// The server reads the admin's password from Secrets Manager at boot: neither it nor a key is in any user-data.
pub async fn admin_password_stays_off_the_nodes(p: &Platform) {
    let password = p.secret_output("vpn-gateway.vpn_admin_password");
    for (name, script) in p.scripts() {
        assert!(
            !script.contains(&password) && !script.contains("admin_pw") && !script.contains("PRIVATE KEY"),
            "the VPN admin's password, or a key, is in {name}'s user-data"
        );
    }
}

/// `ngp vpn profile` logs in as the admin with the generated password from the outputs.
pub async fn profile_logs_in_as_the_admin(p: &Platform) {
    let admin = p.outputs["vpn-gateway"]["vpn_admin_user"].as_str().unwrap();
    let password = p.secret_output("vpn-gateway.vpn_admin_password");
    let server = crate::common::access_server::access_server(&[(admin, &password)]);
    let profile = p.ngp(&["vpn", "profile", "--env", "local", "--url", &server]);
    assert_eq!(profile, crate::common::access_server::profile_for(admin));
}
