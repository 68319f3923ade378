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

/// The chain's head at some moment, kept outside the database (a backup's manifest, an
/// anchor file, a published notice's footer) so that removing the newest rows, or editing a
/// row and re-chaining everything after it, is noticed: the row the anchor names is gone or
/// hashes differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Anchor {
    /// The newest row's id and hash.
    pub id: i64,
    pub hash: String,
    /// When the anchor was taken (informative).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

impl Anchor {
    /// The short form printed on notices and accepted by `audit verify --anchor`: `id:hash`.
    pub fn code(&self) -> String {
        format!("{}:{}", self.id, self.hash)
    }

    /// Reads the `id:hash` form.
    pub fn from_code(s: &str) -> Option<Anchor> {
        let (id, hash) = s.trim().split_once(':')?;
        let ok = hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit());
        Some(Anchor {
            id: id.parse().ok()?,
            hash: ok.then(|| hash.to_ascii_lowercase())?,
            at: None,
        })
    }
}

/// The newest row as an anchor (`None` for an empty chain).
pub async fn head<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Option<Anchor>, DbErr> {
    Ok(audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .one(db)
        .await?
        .map(|r| Anchor {
            id: r.id,
            hash: r.hash,
            at: Some(now),
        }))
}

/// How one anchor compares with the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum AnchorVerdict {
    Matches,
    /// The row the anchor names is not there: rows were removed from the end.
    Missing {
        id: i64,
    },
    /// The row is there with another hash: it, or a row before it, was rewritten.
    Differs {
        id: i64,
    },
}

/// Compares an anchor with the stored chain.
pub async fn check_anchor<C: ConnectionTrait>(db: &C, a: &Anchor) -> Result<AnchorVerdict, DbErr> {
    Ok(match audit_log::Entity::find_by_id(a.id).one(db).await? {
        None => AnchorVerdict::Missing { id: a.id },
        Some(r) if r.hash != a.hash => AnchorVerdict::Differs { id: a.id },
        Some(_) => AnchorVerdict::Matches,
    })
}

/// Reads anchors from a file: a backup manifest (JSON with `audit_head`), or an anchor file
/// (one JSON anchor a line, as [`append_anchor`] writes), or lines of `id:hash`.
pub fn read_anchors(path: &std::path::Path) -> Result<Vec<Anchor>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(head) = v.get("audit_head")
    {
        return match head {
            serde_json::Value::Null => Ok(Vec::new()),
            h => serde_json::from_value::<Anchor>(h.clone())
                .map(|a| vec![a])
                .map_err(|e| format!("{}: audit_head: {e}", path.display())),
        };
    }
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let a = serde_json::from_str::<Anchor>(line)
            .ok()
            .or_else(|| Anchor::from_code(line))
            .ok_or_else(|| format!("{}:{}: not an anchor", path.display(), n + 1))?;
        out.push(a);
    }
    Ok(out)
}

/// Appends an anchor to an anchor file (created if missing) and flushes it to disk.
pub fn append_anchor(path: &std::path::Path, a: &Anchor) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let line = serde_json::to_string(a).map_err(std::io::Error::other)?;
    writeln!(f, "{line}")?;
    f.sync_all()
}
