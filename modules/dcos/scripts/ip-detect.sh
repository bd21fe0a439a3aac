#!/bin/sh
# DC/OS ip-detect: this node's private IPv4, from the instance metadata service with an IMDSv2 token.
set -eu
token=$(curl -fsS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)
curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/local-ipv4
