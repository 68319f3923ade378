//! The audit trail: every state change appends one row — who, when (UTC), what, on which
//! record, digests of the record before and after — chained by SHA-256 so that changing or
//! removing any row breaks the chain. Rows are never updated or deleted.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entities::audit_log;

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to record.
pub struct AuditEvent<'a> {
    pub actor: Option<i32>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl<'a> AuditEvent<'a> {
    pub fn new(actor: Option<i32>, action: &'a str, entity: &'a str, id: impl ToString) -> Self {
        AuditEvent {
            actor,
            action,
            entity,
            entity_id: Some(id.to_string()),
            before: None,
            after: None,
        }
    }

    /// Records digests of the state before and after the change.
    pub fn states<B: Serialize, A: Serialize>(
        mut self,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Self {
        self.before = before.map(digest_of);
        self.after = after.map(digest_of);
        self
    }
}

/// SHA-256 (hex) of a value's JSON form.
pub fn digest_of<T: Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(Sha256::digest(&json))
}

fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The hash of a row, over every field but the hash itself.
pub fn row_hash(row: &audit_log::Model) -> String {
    let mut h = Sha256::new();
    for part in [
        row.prev_hash.as_str(),
        &fmt_time(row.at),
        &row.actor_id.map(|a| a.to_string()).unwrap_or_default(),
        &row.action,
        &row.entity,
        row.entity_id.as_deref().unwrap_or(""),
        row.before_digest.as_deref().unwrap_or(""),
        row.after_digest.as_deref().unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Appends an event inside the caller's transaction. On PostgreSQL the table is locked for
/// the rest of the transaction so concurrent writers cannot fork the chain; on SQLite the
/// write lock already serialises writers.
pub async fn append<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    ev: AuditEvent<'_>,
) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("LOCK TABLE audit_log IN EXCLUSIVE MODE")
            .await?;
    }
    let prev = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(db)
        .await?
        .map(|r| r.hash)
        .unwrap_or_else(|| GENESIS.to_string());
    // Stored timestamps keep microseconds on both databases.
    let at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let mut row = audit_log::Model {
        id: 0,
        at,
        actor_id: ev.actor,
        action: ev.action.to_string(),
        entity: ev.entity.to_string(),
        entity_id: ev.entity_id,
        before_digest: ev.before,
        after_digest: ev.after,
        prev_hash: prev,
        hash: String::new(),
    };
    row.hash = row_hash(&row);
    audit_log::ActiveModel {
        at: Set(row.at),
        actor_id: Set(row.actor_id),
        action: Set(row.action),
        entity: Set(row.entity),
        entity_id: Set(row.entity_id),
        before_digest: Set(row.before_digest),
        after_digest: Set(row.after_digest),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The result of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every row links to the one before and hashes correctly.
    Intact { rows: u64 },
    /// The first row whose link or hash is wrong.
    Broken { id: i64, reason: &'static str },
}

/// Walks the whole chain in id order.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Verdict, DbErr> {
    let mut prev = GENESIS.to_string();
    let mut rows = 0u64;
    let mut last_id = 0i64;
    loop {
        let batch = audit_log::Entity::find()
            .filter_gt(last_id)
            .order_by_asc(audit_log::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(Verdict::Intact { rows });
        }
        for row in batch {
            if row.prev_hash != prev {
                return Ok(Verdict::Broken {
                    id: row.id,
                    reason: "prev_hash does not match the previous row",
                });
            }
            if row_hash(&row) != row.hash {
                return Ok(Verdict::Broken {
                    id: row.id,
                    reason: "hash does not match the row's contents",
                });
            }
            prev = row.hash.clone();
            last_id = row.id;
            rows += 1;
        }
    }
}

trait FilterGt {
    fn filter_gt(self, id: i64) -> Self;
}

impl FilterGt for sea_orm::Select<audit_log::Entity> {
    fn filter_gt(self, id: i64) -> Self {
        use sea_orm::{ColumnTrait, QueryFilter};
        self.filter(audit_log::Column::Id.gt(id))
    }
}
