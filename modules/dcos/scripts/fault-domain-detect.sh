#!/bin/sh
# DC/OS fault-domain-detect: region and zone from the instance identity document (IMDSv2), as DC/OS's JSON.
set -eu
token=$(curl -fsS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)
doc=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/dynamic/instance-identity/document)
region=$(printf '%s' "$doc" | sed -n 's/.*"region"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
zone=$(printf '%s' "$doc" | sed -n 's/.*"availabilityZone"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
printf '{"fault_domain":{"region":{"name":"aws/%s"},"zone":{"name":"aws/%s"}}}\n' "$region" "$zone"
