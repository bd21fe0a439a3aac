//! The module reader never panics: random text in a module's four files gives a module or an error.

use proptest::prelude::*;

fn write_module(dir: &std::path::Path, main: &str, variables: &str) {
    std::fs::write(dir.join("m.tf"), main).unwrap();
    std::fs::write(dir.join("m.dummy"), "").unwrap();
    std::fs::write(dir.join("m-variables.tf"), variables).unwrap();
    std::fs::write(dir.join("m-output.tf"), "").unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        write_module(dir.path(), &String::from_utf8_lossy(&bytes), "");
        let _ = ngp_modules::Module::read("m", dir.path());
    }

    #[test]
    fn near_hcl_never_panics(
        main in r#"(locals|ngp_module|variable|output|"[a-z]{0,4}"|\{|\}|=|\[|\]|description|default_enabled|true|1|\n| ){0,24}"#,
        variables in r#"(variable|"[a-z]{0,4}"|\{|\}|type|=|string|list\(|\)|default|validation|condition|\n| ){0,24}"#,
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_module(dir.path(), &main, &variables);
        let _ = ngp_modules::Module::read("m", dir.path());
    }
}
