//! The tfvars parser never panics: random bytes, and random near-HCL text, give a value or an error.

use std::path::Path;

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = ngp_config::TfvarsFile::parse(Path::new("ngp.tfvars"), &text);
    }

    #[test]
    fn near_hcl_never_panics(text in r#"([a-z_]{1,8} *= *("[^"]{0,8}"?|[0-9.e+-]{1,6}|\[|\]|\{|\}|true|null|var\.x|<<EOT\n|,|\n|#|//|/\*)){0,12}"#) {
        let _ = ngp_config::TfvarsFile::parse(Path::new("ngp.tfvars"), &text);
    }
}
