//! ECR (the `ecr` module): the repository's policy and the credential refresher on every agent.

use crate::fixture::*;

/// ECR: the example repository is immutable, scans on push, is encrypted with the platform key and expires old
/// images; the refresher runs once per agent, fetched from its bucket, which serves it through the VPC's S3
/// endpoint only, unsigned, so the object is SSE-S3.
pub async fn ecr_and_its_refresher(p: &Platform) {
    let (rendered, outputs, aws) = (&p.rendered, &p.outputs, &p.aws);
    let repos = aws.ecr.describe_repositories().send().await.unwrap();
    let [repo] = repos.repositories() else {
        panic!("{repos:?}")
    };
    assert_eq!(repo.repository_name(), Some("platform/app"));
    assert_eq!(repo.image_tag_mutability().map(|m| m.as_str()), Some("IMMUTABLE"));
    assert_eq!(
        repo.image_scanning_configuration().map(|c| c.scan_on_push()),
        Some(true)
    );
    let encryption = repo.encryption_configuration().unwrap();
    assert_eq!(encryption.encryption_type().as_str(), "KMS");
    let policy = aws
        .ecr
        .get_lifecycle_policy()
        .repository_name("platform/app")
        .send()
        .await
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.lifecycle_policy_text().unwrap()).unwrap();
    assert_eq!(policy["rules"][0]["selection"]["tagStatus"], "untagged");
    assert_eq!(policy["rules"][1]["selection"]["countType"], "imageCountMoreThan");
    assert_eq!(
        outputs["ecr"]["ecr_repository_urls"]["platform/app"].as_str(),
        repo.repository_uri()
    );

    let apps = apps_of(rendered, "ecr");
    assert_eq!(apps.len(), 2, "a refresher per kind of agent");
    let uri = apps[0]["fetch"][0]["uri"].as_str().unwrap();
    assert!(apps[0]["cmd"].as_str().unwrap().contains("--output /etc/docker.tar.gz"));
    let (bucket, key) = uri
        .strip_prefix("https://")
        .and_then(|u| u.split_once(".s3.us-east-1.amazonaws.com/"))
        .unwrap();
    let object = aws.s3.head_object().bucket(bucket).key(key).send().await.unwrap();
    assert_eq!(object.server_side_encryption().map(|e| e.as_str()), Some("AES256"));
    assert!(object.content_length().unwrap() > 1_000_000, "a static binary");
    let policy = aws.s3.get_bucket_policy().bucket(bucket).send().await.unwrap();
    let policy = policy.policy().unwrap();
    assert!(
        policy.contains("aws:SourceVpce") && policy.contains("/refresher/*"),
        "{policy}"
    );
}
