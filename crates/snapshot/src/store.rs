//! Snapshots in S3: `<prefix>/<cluster>/<UTC timestamp>.json`, the counts in the object's metadata.

use aws_sdk_s3::primitives::ByteStream;

use crate::document::Document;

/// A bucket, a key prefix and a cluster's name: where one cluster's snapshots live.
#[derive(Clone, Debug)]
pub struct Store {
    pub s3: aws_sdk_s3::Client,
    pub bucket: String,
    pub prefix: String,
    pub cluster: String,
}

/// A stored snapshot, as `list` shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Entry {
    /// The timestamp in its key: `20261207T004512.123Z`.
    pub id: String,
    pub key: String,
    pub size: i64,
    pub apps: Option<u64>,
    pub groups: Option<u64>,
}

/// What went wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no snapshot {id} in s3://{bucket}/{prefix}: `ngp snapshot list` shows the ids")]
    Unknown { id: String, bucket: String, prefix: String },
    #[error("no snapshot yet in s3://{bucket}/{prefix}: take one first")]
    Empty { bucket: String, prefix: String },
    #[error("s3://{bucket}/{key} is held by {holder} since {since}: a snapshot or a restore is running; try again once it ends")]
    Locked {
        bucket: String,
        key: String,
        holder: String,
        since: String,
    },
    #[error("S3 {action} on s3://{bucket}/{key}: {message}")]
    S3 {
        action: &'static str,
        bucket: String,
        key: String,
        message: String,
    },
}

/// A snapshot's id: its time, sortable, to the millisecond (two snapshots in one second stay apart).
pub fn id_for(taken_at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:3]Z");
    taken_at
        .to_offset(time::UtcOffset::UTC)
        .format(&format)
        .expect("a UTC time formats")
}

/// How long a lock may be held before another run takes it over: longer than the Lambda's longest run (15
/// minutes), so only a run that died holding it loses it.
pub const LOCK_TTL: std::time::Duration = std::time::Duration::from_secs(20 * 60);

/// A held lock on a cluster's snapshots; give it back with [`Store::unlock`].
#[derive(Debug)]
#[must_use = "a lock is held until Store::unlock"]
pub struct Lock {
    key: String,
}

impl Store {
    fn folder(&self) -> String {
        let prefix = self.prefix.trim_matches('/');
        if prefix.is_empty() {
            format!("{}/", self.cluster)
        } else {
            format!("{prefix}/{}/", self.cluster)
        }
    }

    fn key(&self, id: &str) -> String {
        format!("{}{id}.json", self.folder())
    }

    fn s3_error(&self, action: &'static str, key: &str, err: impl std::error::Error) -> StoreError {
        let message = aws_sdk_s3::error::DisplayErrorContext(err).to_string();
        StoreError::S3 {
            action,
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            message,
        }
    }

    /// Writes a document under its id; returns the id.
    pub async fn put(&self, doc: &Document, id: &str) -> Result<String, StoreError> {
        let key = self.key(id);
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .content_type("application/json")
            .metadata("apps", doc.apps.to_string())
            .metadata("groups", doc.groups.to_string())
            .metadata("sha256", &doc.sha256)
            .body(ByteStream::from(doc.to_bytes()))
            .send()
            .await
            .map_err(|e| self.s3_error("PutObject", &key, e))?;
        Ok(id.to_owned())
    }

    /// The newest `limit` snapshots, newest first, each with its size and counts.
    pub async fn list(&self, limit: usize) -> Result<Vec<Entry>, StoreError> {
        let folder = self.folder();
        let mut keys = Vec::new();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&folder)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.s3_error("ListObjectsV2", &folder, e))?;
            for object in page.contents() {
                let key = object.key().unwrap_or_default();
                if let Some(id) = key.strip_prefix(&folder).and_then(|k| k.strip_suffix(".json")) {
                    keys.push((id.to_owned(), key.to_owned(), object.size().unwrap_or(0)));
                }
            }
        }
        keys.sort_by(|a, b| b.0.cmp(&a.0));
        let mut entries = Vec::new();
        for (id, key, size) in keys.into_iter().take(limit) {
            let head = self.s3.head_object().bucket(&self.bucket).key(&key).send().await;
            let head = head.map_err(|e| self.s3_error("HeadObject", &key, e))?;
            let count = |name: &str| head.metadata().and_then(|m| m.get(name)).and_then(|v| v.parse().ok());
            entries.push(Entry {
                apps: count("apps"),
                groups: count("groups"),
                id,
                key,
                size,
            });
        }
        Ok(entries)
    }

    /// The id `latest` stands for, or `id` itself.
    pub async fn resolve(&self, id: &str) -> Result<String, StoreError> {
        if id != "latest" {
            return Ok(id.to_owned());
        }
        let newest = self.list(1).await?.into_iter().next();
        newest.map(|e| e.id).ok_or_else(|| StoreError::Empty {
            bucket: self.bucket.clone(),
            prefix: self.folder(),
        })
    }

    /// A snapshot's bytes, as stored.
    pub async fn get(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let key = self.key(id);
        let unknown = || StoreError::Unknown {
            id: id.to_owned(),
            bucket: self.bucket.clone(),
            prefix: self.folder(),
        };
        let object = match self.s3.get_object().bucket(&self.bucket).key(&key).send().await {
            Ok(o) => o,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Err(unknown()),
            Err(e) => return Err(self.s3_error("GetObject", &key, e)),
        };
        let body = object
            .body
            .collect()
            .await
            .map_err(|e| self.s3_error("GetObject", &key, e))?;
        Ok(body.into_bytes().to_vec())
    }

    fn lock_key(&self) -> String {
        format!("{}.lock", self.folder())
    }

    /// Takes the cluster's lock, so that a snapshot and a restore never overlap: an object created only if
    /// absent (S3's conditional write). A lock older than [`LOCK_TTL`] was left by a run that died, and is taken
    /// over once; a live one is [`StoreError::Locked`], naming its holder.
    pub async fn lock(&self, holder: &str) -> Result<Lock, StoreError> {
        let key = self.lock_key();
        for _ in 0..2 {
            let put = self.s3.put_object().bucket(&self.bucket).key(&key).if_none_match("*");
            let err = match put.body(ByteStream::from(holder.as_bytes().to_vec())).send().await {
                Ok(_) => return Ok(Lock { key }),
                Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 412) => e,
                Err(e) => return Err(self.s3_error("PutObject", &key, e)),
            };
            drop(err);
            let (held_by, since) = self.lock_holder(&key).await?;
            let age = time::OffsetDateTime::now_utc() - since;
            if age < LOCK_TTL {
                return Err(StoreError::Locked {
                    bucket: self.bucket.clone(),
                    key,
                    holder: held_by,
                    since: since.to_string(),
                });
            }
            self.unlock(Lock { key: key.clone() }).await?;
        }
        Err(StoreError::Locked {
            bucket: self.bucket.clone(),
            key,
            holder: "another run".into(),
            since: "just now".into(),
        })
    }

    async fn lock_holder(&self, key: &str) -> Result<(String, time::OffsetDateTime), StoreError> {
        let object = self.s3.get_object().bucket(&self.bucket).key(key).send().await;
        let object = object.map_err(|e| self.s3_error("GetObject", key, e))?;
        let since = object
            .last_modified()
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t.secs()).ok())
            .unwrap_or_else(time::OffsetDateTime::now_utc);
        let body = object
            .body
            .collect()
            .await
            .map_err(|e| self.s3_error("GetObject", key, e))?;
        Ok((String::from_utf8_lossy(&body.into_bytes()).into_owned(), since))
    }

    /// Gives the lock back.
    pub async fn unlock(&self, lock: Lock) -> Result<(), StoreError> {
        let delete = self.s3.delete_object().bucket(&self.bucket).key(&lock.key).send().await;
        delete.map_err(|e| self.s3_error("DeleteObject", &lock.key, e))?;
        Ok(())
    }
}
