"""NGP's moto launcher: moto's server, plus patches for the gaps the AWS provider trips over.

Written into .ngp/emulator/ and run by `ngp local up`. Each patch is listed in DEVELOPERS.md.
"""

import inspect
import sys

from moto.core.responses import EmptyResult
from moto.ec2.models.instances import Instance
from moto.efs.responses import EFSResponse
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse
from moto.opensearch import models as opensearch_models
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.iam.policy_conditions import TrustCondition
from moto.s3.models import FakeDeleteMarker
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

if __name__ == "__main__":
    main(sys.argv[1:])
