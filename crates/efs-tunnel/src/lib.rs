//! EFS over TLS on hosts where amazon-efs-utils does not run (the DC/OS nodes' Flatcar).
//!
//! The EFS mount helper mounts `127.0.0.1:/` through a local TLS tunnel to the file system's mount target
//! (port 2049). It names the access point, and the file system, in X.509 extensions of the client certificate
//! it presents (OIDs `1.3.6.1.4.1.4843.7.1` and `.7.3`, as UTF8Strings; aws/efs-utils `mount_efs`). EFS then
//! applies the access point: its root directory and its POSIX user. This crate does the same in one static
//! binary: [`identity`] makes the certificate, [`tunnel`] listens on loopback and forwards each NFS connection
//! over TLS, verifying the mount target's certificate against the public roots and the file system's DNS name.

pub mod identity;
pub mod tunnel;
