//! The registry's bucket: the blobs and the manifest link the push must have left, under its root directory
//! (the layout of the registry's S3 driver: `docker/registry/v2/...`).

use aws_sdk_s3::operation::head_object::HeadObjectError;

use crate::error::StepError;

/// The keys a push of these blobs and this manifest leaves under `root` (e.g. `/docker-registry`).
pub fn expected_objects(root: &str, repository: &str, blobs: &[String], manifest_digest: &str) -> Vec<String> {
    let base = format!("{}/docker/registry/v2", root.trim_matches('/'));
    let base = base.trim_start_matches('/');
    let blob = |digest: &str| {
        let hex = digest.trim_start_matches("sha256:");
        format!("{base}/blobs/sha256/{}/{hex}/data", &hex[..2.min(hex.len())])
    };
    let hex = manifest_digest.trim_start_matches("sha256:");
    blobs
        .iter()
        .map(|d| blob(d))
        .chain([
            blob(manifest_digest),
            format!("{base}/repositories/{repository}/_manifests/revisions/sha256/{hex}/link"),
        ])
        .collect()
}

/// Every key is an object in `bucket`.
pub async fn find_objects(s3: &aws_sdk_s3::Client, bucket: &str, keys: &[String]) -> Result<(), StepError> {
    if let Err(e) = s3.head_bucket().bucket(bucket).send().await {
        let what = if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) {
            format!("the bucket {bucket} does not exist")
        } else {
            format!("cannot reach the bucket {bucket}: {}", ngp_aws::one_line(&e))
        };
        return Err(StepError::new(
            "storage",
            what,
            "the registry_bucket output, and the credentials ngp uses (AWS_PROFILE, region)",
        ));
    }
    for key in keys {
        match s3.head_object().bucket(bucket).key(key).send().await {
            Ok(_) => {}
            Err(e) if matches!(e.as_service_error(), Some(HeadObjectError::NotFound(_))) => {
                return Err(StepError::new(
                    "storage",
                    format!("s3://{bucket}/{key} is not there"),
                    "the registry's storage settings (REGISTRY_STORAGE_S3_BUCKET, ..._ROOTDIRECTORY): it writes elsewhere",
                ));
            }
            Err(e) => {
                return Err(StepError::new(
                    "storage",
                    format!("cannot read s3://{bucket}/{key}: {}", ngp_aws::one_line(&e)),
                    "the credentials ngp uses",
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keys_follow_the_s3_drivers_layout_under_the_root() {
        let keys = expected_objects("/docker-registry", "ngp/check", &["sha256:abcd".into()], "sha256:ef01");
        assert_eq!(
            keys,
            [
                "docker-registry/docker/registry/v2/blobs/sha256/ab/abcd/data",
                "docker-registry/docker/registry/v2/blobs/sha256/ef/ef01/data",
                "docker-registry/docker/registry/v2/repositories/ngp/check/_manifests/revisions/sha256/ef01/link",
            ]
        );
    }
}
