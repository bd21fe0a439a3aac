#!/bin/sh
# DC/OS ip-detect-public: the public IPv4 when the node has one, else its private IPv4 (IMDSv2; no outside service).
set -eu
token=$(curl -fsS -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)
if ip=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/public-ipv4) && [ -n "$ip" ]; then
  echo "$ip"
else
  curl -fsS -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/local-ipv4
fi
