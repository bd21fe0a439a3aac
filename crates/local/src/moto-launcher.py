"""NGP's moto launcher: moto's server, plus patches for the gaps the AWS provider trips over.

Written into .ngp/emulator/ and run by `ngp local up`. Each patch is listed in DEVELOPERS.md.
"""

import inspect
import json
import sys
from urllib.parse import unquote

from moto.apigateway import urls as apigateway_urls
from moto.apigateway.models import RestAPI
from moto.apigateway.responses import APIGatewayResponse
from moto.awslambda.models import LambdaFunction
from moto.core.responses import EmptyResult
from moto.ec2.models.instances import Instance
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.efs.responses import EFSResponse
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse
from moto.opensearch import models as opensearch_models
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.iam.policy_conditions import TrustCondition
from moto.s3.models import FakeDeleteMarker
from moto.s3.responses import S3Response
from moto.server import main

# OpenSearch: the provider waits for DomainProcessingStatus, which moto never reports (emulator-notes.md).
_domain_to_dict = opensearch_models.OpenSearchDomain.to_dict


def _domain_to_dict_with_status(self):
    described = _domain_to_dict(self)
    described["DomainProcessingStatus"] = "Deleting" if self.deleted else "Active"
    return described


opensearch_models.OpenSearchDomain.to_dict = _domain_to_dict_with_status


# ElastiCache: moto has no DeleteCacheSubnetGroup, so a destroy could never remove a subnet group.
def _delete_cache_subnet_group(self):
    self.elasticache_backend.cache_subnet_groups.pop(self._get_param("CacheSubnetGroupName"), None)
    return EmptyResult()


ElastiCacheResponse.delete_cache_subnet_group = _delete_cache_subnet_group


# ElastiCache: a replication group names member clusters that moto never creates, so reading it back fails.
_create_replication_group = ElastiCacheBackend.create_replication_group
_delete_replication_group = ElastiCacheBackend.delete_replication_group
_cache_cluster_params = inspect.signature(ElastiCacheBackend.create_cache_cluster).parameters


def _create_replication_group_with_members(self, *args, **kwargs):
    group = _create_replication_group(self, *args, **kwargs)
    for cluster_id in group.member_clusters:
        if cluster_id not in self.cache_clusters:
            member = {name: None for name in _cache_cluster_params if name != "self"}
            # Whatever the group was created with and a cluster takes too (subnet group, security groups...).
            member.update({k: v for k, v in kwargs.items() if k in member and v is not None})
            member.update(
                cache_cluster_id=cluster_id,
                replication_group_id=group.replication_group_id,
                num_cache_nodes=1,
                cache_node_type=kwargs.get("cache_node_type") or "cache.t4g.small",
                snapshot_retention_limit=kwargs.get("snapshot_retention_limit") or 0,
                engine="redis",
                engine_version=kwargs.get("engine_version") or "7.1",
                port=group.port,
                tags=[],
                security_group_ids=kwargs.get("security_group_ids") or getattr(self, "ngp_security_group_ids", []),
                cache_security_group_names=[],
                preferred_availability_zones=[],
                snapshot_arns=[],
                preferred_outpost_arns=[],
                log_delivery_configurations=[],
                cache_node_ids_to_remove=[],
                cache_node_ids_to_reboot=[],
            )
            cluster = self.create_cache_cluster(**member)
            # DescribeCacheClusters shows a cluster's groups as memberships, which moto never fills in.
            cluster.security_groups = [{"SecurityGroupId": sg, "Status": "active"} for sg in member["security_group_ids"]]
            # The provider reads these back from the member cluster, not the group.
            for flag in ("at_rest_encryption_enabled", "transit_encryption_enabled", "auto_minor_version_upgrade"):
                if hasattr(group, flag):
                    setattr(cluster, flag, getattr(group, flag))
    return group


def _delete_replication_group_and_members(self, replication_group_id, *args, **kwargs):
    members = list(self.replication_groups[replication_group_id].member_clusters) if replication_group_id in self.replication_groups else []
    group = _delete_replication_group(self, replication_group_id, *args, **kwargs)
    for cluster_id in members:
        self.cache_clusters.pop(cluster_id, None)
    # moto keeps a deleted group as "deleting" forever; AWS forgets it, and the provider waits for that.
    self.replication_groups.pop(replication_group_id, None)
    return group


# moto's query parsing drops SecurityGroupIds of CreateReplicationGroup; read them here and pass them on.
_create_replication_group_response = ElastiCacheResponse.create_replication_group


def _create_replication_group_response_with_groups(self):
    params = getattr(self, "querystring", {}) or {}
    self.elasticache_backend.ngp_security_group_ids = [
        value[0] if isinstance(value, list) else value
        for key, value in sorted(params.items())
        if key.startswith("SecurityGroupIds.")
    ]
    return _create_replication_group_response(self)


ElastiCacheResponse.create_replication_group = _create_replication_group_response_with_groups
ElastiCacheBackend.create_replication_group = _create_replication_group_with_members
ElastiCacheBackend.delete_replication_group = _delete_replication_group_and_members

# EC2: a terminated instance keeps its own (not delete-on-termination) interfaces attached, so they can never
# be detached or deleted; AWS detaches them.
_terminate_instance = Instance.terminate


def _terminate_instance_and_release_interfaces(self):
    kept = [nic for nic in self.nics.values() if not nic.delete_on_termination]
    state = _terminate_instance(self)
    for nic in kept:
        if nic.instance is self:
            # Marked free, but left in the instance's record, which describing it still reads.
            nic.instance = None
            nic.attachment_id = None
            nic.status = "available"
    return state


Instance.terminate = _terminate_instance_and_release_interfaces

# IAM conditions, as AWS evaluates them: a condition on a key the request does not carry is not met (except for
# ...IfExists and Null), and a statement whose conditions are not met does not apply. moto counted a missing key
# as met, and an unmet statement as a denial, so a bucket policy's `Deny ... if aws:SecureTransport is false`
# (a key moto never sets) denied every object request: Terraform could not read back its own objects.
_verify_condition = TrustCondition.verify_condition


def _verify_condition_missing_key_unmet(self, actual_values):
    operator = self._condition
    if not actual_values and not operator.endswith("IfExists") and operator != "Null":
        return False
    return _verify_condition(self, actual_values)


TrustCondition.verify_condition = _verify_condition_missing_key_unmet

_statement_permitted = IAMPolicyStatement.is_action_permitted


def _statement_applies_when_its_conditions_hold(
    self, action, resource="*", principal=None, incoming_condition_values=None
):
    if self._statement.get("Condition") and not self._check_conditions(incoming_condition_values):
        return PermissionResult.NEUTRAL
    return _statement_permitted(self, action, resource, principal, incoming_condition_values)


IAMPolicyStatement.is_action_permitted = _statement_applies_when_its_conditions_hold

# S3: removing a key whose versions include a delete marker called the marker's dispose(), which it lacks. The
# crash (500) made the provider retry for minutes when destroying a versioned bucket with force_destroy after the
# registry had deleted a manifest. A marker holds no data: there is nothing to dispose of.
if not hasattr(FakeDeleteMarker, "dispose"):
    FakeDeleteMarker.dispose = lambda self, garbage=False: None

# EFS: moto has no DeleteFileSystemPolicy, so destroying an aws_efs_file_system_policy (Jenkins's home) made the
# provider retry for many minutes. AWS removes the policy, leaving the file system's default one.
def _delete_file_system_policy(self):
    file_system_id = self._get_param("FileSystemId")
    self.efs_backend.file_systems_by_id[file_system_id].file_system_policy = None
    return "{}", {"Content-Type": "application/json"}


EFSResponse.delete_file_system_policy = _delete_file_system_policy


# API Gateway: GetRestApi answers a REST API's policy with its quotes backslash-escaped, and the provider unescapes
# it (strconv.Unquote, in aws_api_gateway_rest_api_policy's read). moto answered the policy as sent, which the
# provider then failed to read ("invalid character ... after top-level value").
_rest_api_to_dict = RestAPI.to_dict


def _rest_api_to_dict_with_escaped_policy(self):
    described = _rest_api_to_dict(self)
    if described.get("policy"):
        described["policy"] = json.dumps(described["policy"])[1:-1]
    return described


RestAPI.to_dict = _rest_api_to_dict_with_escaped_policy

# API Gateway: moto tags a stage only, so retagging a REST API (a new context version) failed with a 404 page.
# AWS's TagResource, UntagResource and GetTags take the REST API's ARN as well.
apigateway_urls.url_paths[
    "{0}/tags/arn:(?P<partition>[^/]+):apigateway:(?P<region_name>[^/]+)::/restapis/(?P<function_id>[^/]+)$"
] = APIGatewayResponse.dispatch


def _tagged_rest_api(response):
    """The REST API a /tags/ request names, when it names one and not a stage."""
    parts = unquote(response.path.split("/tags/")[1]).split("/")
    if "stages" in parts or "restapis" not in parts:
        return None
    return response.backend.get_rest_api(parts[parts.index("restapis") + 1])


def _with_rest_api_tags(stage_handler, api_handler):
    def handler(self):
        api = _tagged_rest_api(self)
        return stage_handler(self) if api is None else api_handler(self, api)

    return handler


def _tag_api(self, api):
    api.tags = {**(api.tags or {}), **(self._get_param("tags") or {})}
    return json.dumps({})


def _untag_api(self, api):
    for key in self.querystring.get("tagKeys") or []:
        (api.tags or {}).pop(key, None)
    return json.dumps({})


APIGatewayResponse.tag_resource = _with_rest_api_tags(APIGatewayResponse.tag_resource, _tag_api)
APIGatewayResponse.untag_resource = _with_rest_api_tags(APIGatewayResponse.untag_resource, _untag_api)
APIGatewayResponse.get_tags = _with_rest_api_tags(
    APIGatewayResponse.get_tags, lambda self, api: json.dumps({"tags": api.tags or {}})
)

# S3: a bucket's notification to EventBridge was kept but never answered by GetBucketNotificationConfiguration, so
# `eventbridge = true` showed as a change on every plan. AWS answers an empty EventBridgeConfiguration.
_get_bucket_notification = S3Response.get_bucket_notification


def _get_bucket_notification_with_eventbridge(self):
    config = self.backend.get_bucket_notification_configuration(self.bucket_name)
    if config is None or config.event_bridge is None:
        return _get_bucket_notification(self)
    serialized = self.serialized

    def with_eventbridge(action_result):
        action_result.result["EventBridgeConfiguration"] = {}
        return serialized(action_result)

    self.serialized = with_eventbridge
    try:
        return _get_bucket_notification(self)
    finally:
        del self.serialized


S3Response.get_bucket_notification = _get_bucket_notification_with_eventbridge

# Lambda: moto drops a function's DeadLetterConfig, so the provider saw the snapshot Lambda's dead-letter queue as
# a change on every plan. AWS keeps it and answers it in GetFunction.
_function_init = LambdaFunction.__init__
_function_configuration = LambdaFunction.get_configuration
_function_update = LambdaFunction.update_configuration


def _function_init_with_dead_letters(self, account_id, spec, *args, **kwargs):
    _function_init(self, account_id, spec, *args, **kwargs)
    self.dead_letter_config = spec.get("DeadLetterConfig")


def _function_configuration_with_dead_letters(self, *args, **kwargs):
    config = _function_configuration(self, *args, **kwargs)
    if getattr(self, "dead_letter_config", None):
        config["DeadLetterConfig"] = self.dead_letter_config
    return config


def _function_update_with_dead_letters(self, config_updates):
    if "DeadLetterConfig" in config_updates:
        self.dead_letter_config = config_updates["DeadLetterConfig"]
    return _function_update(self, config_updates)


LambdaFunction.__init__ = _function_init_with_dead_letters
LambdaFunction.get_configuration = _function_configuration_with_dead_letters
LambdaFunction.update_configuration = _function_update_with_dead_letters


# EC2: a security group rule to a prefix list lost its description (moto kept the prefix list's id alone), a
# change on every plan of aws_vpc_security_group_egress_rule. AWS keeps it.
_rule_init = SecurityGroupRule.__init__
_rule_params = inspect.signature(_rule_init)


def _rule_init_keeping_prefix_list_description(self, *args, **kwargs):
    _rule_init(self, *args, **kwargs)
    prefix_list = _rule_params.bind(self, *args, **kwargs).arguments.get("prefix_list_id") or {}
    self.prefix_list_description = prefix_list.get("Description")


SecurityGroupRule.__init__ = _rule_init_keeping_prefix_list_description
SecurityGroupRule.description = property(
    lambda self: self.ip_range.get("Description") or getattr(self, "prefix_list_description", None)
)

if __name__ == "__main__":
    main(sys.argv[1:])
