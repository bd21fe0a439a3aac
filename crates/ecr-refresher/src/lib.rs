//! The ECR credential refresher: logs in to ECR with the node's role, and keeps a Docker credentials archive
//! (`.docker/config.json` in a tar.gz, as the Mesos fetcher unpacks it into a task's sandbox) fresh on the host.
//! Each write is atomic: a reader sees the previous archive or the new one, never part of one.

pub mod archive;
pub mod health;
pub mod login;
pub mod schedule;
