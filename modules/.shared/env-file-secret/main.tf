# env-file-secret: an app's secret settings as a Docker env file (KEY=value lines), written root-only by the
# nodes of the given roles at boot (node-file-secret), where `docker run --env-file` reads them when the task
# starts. So no secret is in the app's Marathon definition.

module "file" {
  source = "../node-file-secret"

  name_prefix = var.name_prefix
  description = var.description
  kms_key_arn = var.kms_key_arn
  content     = join("", [for key in sort(keys(var.values)) : "${key}=${var.values[key]}\n"])
  path        = var.path
  mode        = "0600"
  readers     = var.readers
  policy_name = var.policy_name
  tags        = var.tags
}
