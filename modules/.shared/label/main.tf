# label: the names and tags of every resource, from the one `context` object that every module takes, after
# cloudposse's terraform-null-label. The context's validations live here, once, in this submodule's `context`
# variable (variables.tf); each module declares the variable without them, as context.tf.example writes it.

locals {
  id = "${var.context.pre_tag}-${var.context.post_tag}"
  tags = merge(var.context.tags, {
    Service     = var.context.service
    Environment = var.context.environment
    Version     = var.context.version
    ManagedBy   = "ngp"
  })
}
