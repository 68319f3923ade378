//! The service behind the server functions: implements the feature ports of `app::ports` on
//! sea-orm, one room per feature (`record`, `org`, `eval`, `rewards`, plus `sessions`). Every
//! method checks who is asking against the record it touches; every change runs through
//! [`Service::write`]: one transaction holding the write lock, with its audit row.
//!
//! What the rooms share lives here and in `lookups`; a feature reaches into another only
//! through the few items marked `pub(in crate::service)`.

mod eval;
mod lookups;
mod org;
mod prelude;
mod record;
mod rewards;
mod sessions;
mod tokens;

pub(crate) use eval::supervisors_from;
pub use rewards::published_anchors;

use std::sync::Arc;

use app::domain::*;
use app::error::AppError;
use app::policy::Policy;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait,
    TransactionTrait,
};
use tokio::sync::Mutex;

use crate::audit::{self, AuditEvent};
use crate::auth;
use crate::entities::cadre;

/// Where "now" comes from; tests and benchmarks pin it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock, to the millisecond: every stored and sent time has at most three
/// fractional digits (RFC 3339), which every common parser reads.
pub fn system_clock() -> Clock {
    Arc::new(|| Utc::now().trunc_subsecs(3))
}

/// The sea-orm implementation of the server functions' backend.
pub struct Service {
    pub db: DatabaseConnection,
    pub policy: Policy,
    pub(crate) clock: Clock,
    /// Serialises write transactions so concurrent writers queue here instead of piling up
    /// on SQLite's file lock.
    pub(crate) write: Mutex<()>,
    /// Password hashing off the request threads, a few at a time.
    pub(crate) hasher: auth::Hasher,
    /// The sign-in slow-down (in memory; see `throttle`).
    pub(crate) throttle: crate::throttle::Throttle,
    /// How long sessions last.
    pub sessions: SessionPolicy,
    /// How long a slowed-down sign-in waits before its 429 is sent: a guessing client that
    /// waits for each answer can then make only a few attempts a second per connection.
    pub(crate) refusal_pause: std::time::Duration,
    /// How many session lookups have run (a page should cost one; see `SessionMemo`).
    session_lookups: std::sync::atomic::AtomicU64,
}

/// How long a session lasts: it ends after `idle` without a request, and `max` after the
/// sign-in in any case.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: chrono::Duration,
    pub max: chrono::Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: chrono::Duration::hours(12),
            max: chrono::Duration::days(7),
        }
    }
}

/// The default pause before a slowed-down sign-in is answered.
pub const REFUSAL_PAUSE: std::time::Duration = std::time::Duration::from_secs(1);

/// Decodes a stored value or fails loudly. A column whose value does not decode (a status
/// code no version wrote, broken JSON) is a corrupt row: it is logged with its table, row
/// and column and answered as `Internal`, never replaced by a plausible default.
pub(crate) trait Stored<T> {
    fn stored(self, table: &str, id: i32, column: &str) -> Result<T, AppError>;
}

fn corrupt(table: &str, id: i32, column: &str, cause: &str) -> AppError {
    tracing::error!(table, id, column, cause, "stored value does not decode");
    AppError::Internal {}
}

impl<T> Stored<T> for Option<T> {
    fn stored(self, table: &str, id: i32, column: &str) -> Result<T, AppError> {
        self.ok_or_else(|| corrupt(table, id, column, "unknown code"))
    }
}

impl<T, E: std::fmt::Display> Stored<T> for Result<T, E> {
    fn stored(self, table: &str, id: i32, column: &str) -> Result<T, AppError> {
        self.map_err(|e| corrupt(table, id, column, &e.to_string()))
    }
}

/// Maps database errors to `Internal`, logging the cause on the server only.
pub(crate) trait OrInternal<T> {
    fn ie(self) -> Result<T, AppError>;
}

impl<T> OrInternal<T> for Result<T, DbErr> {
    fn ie(self) -> Result<T, AppError> {
        self.map_err(|e| {
            tracing::error!(error = %e, "database error");
            AppError::Internal {}
        })
    }
}

/// A required short name (department, area, village): trimmed, not empty, at most 40 chars.
pub(crate) fn required_name(field: &str, name: &str) -> Result<String, AppError> {
    clean_text(field, name, 40)?.ok_or_else(|| AppError::invalid(field, "empty"))
}

/// Trims an optional free text and bounds its length.
pub(crate) fn clean_text(field: &str, text: &str, max: usize) -> Result<Option<String>, AppError> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(AppError::invalid(field, "too_long"));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

impl Service {
    pub fn new(db: DatabaseConnection, policy: Policy, clock: Clock) -> Self {
        Service {
            db,
            policy,
            clock,
            write: Mutex::new(()),
            hasher: auth::Hasher::new(1),
            throttle: crate::throttle::Throttle::default(),
            sessions: SessionPolicy::default(),
            refusal_pause: REFUSAL_PAUSE,
            session_lookups: Default::default(),
        }
    }

    /// How many session lookups have run since start.
    pub fn session_lookups(&self) -> u64 {
        self.session_lookups
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets the pause before a slowed-down sign-in's 429 (tests that send many use zero).
    pub fn with_refusal_pause(mut self, pause: std::time::Duration) -> Self {
        self.refusal_pause = pause;
        self
    }

    /// Sets how long sessions last and how many password hashes run at once.
    pub fn with_limits(mut self, sessions: SessionPolicy, hash_threads: usize) -> Self {
        self.sessions = sessions;
        self.hasher = auth::Hasher::new(hash_threads);
        self
    }

    /// Now, to the millisecond (whatever clock the service was given).
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)().trunc_subsecs(3)
    }

    pub(crate) fn today(&self) -> NaiveDate {
        self.policy.local_date(self.now())
    }

    fn require(me: &Me, role: Role) -> Result<(), AppError> {
        if me.has(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden {})
        }
    }
}

/// What one change hands back to [`Service::write`]: its result and the audit rows that
/// record it (none only when nothing was changed, e.g. a repeated idempotent save).
pub(crate) struct Change<T> {
    pub value: T,
    pub audit: Vec<AuditEvent<'static>>,
}

impl<T> Change<T> {
    /// A change recorded by one audit row.
    pub fn audited(value: T, ev: AuditEvent<'static>) -> Self {
        Change {
            value,
            audit: vec![ev],
        }
    }

    /// A change whose audit rows were appended inside the transaction as it went (through
    /// [`Service::audit_as`]), in the order the steps happened: a publication and the
    /// outcomes it moves, an account and its supervision.
    pub fn recorded(value: T) -> Self {
        Change {
            value,
            audit: Vec::new(),
        }
    }

    /// Nothing was changed, so nothing is audited.
    pub fn unchanged(value: T) -> Self {
        Change {
            value,
            audit: Vec::new(),
        }
    }
}

impl Service {
    /// The one write path. Takes the write lock (writers queue here rather than on SQLite's
    /// file lock), begins a transaction, runs `change` in it, appends the audit rows it
    /// returns and commits. An error anywhere, including a refusal inside `change`, rolls
    /// the whole transaction back, so a refused request never leaves a trace.
    pub(crate) async fn write<T>(
        &self,
        change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<Change<T>, AppError>,
    ) -> Result<T, AppError> {
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let Change { value, audit } = change(&tx).await?;
        for ev in audit {
            self.append_audit(&tx, ev).await?;
        }
        tx.commit().await.ie()?;
        Ok(value)
    }

    /// Appends one audit row inside the caller's transaction (the chain's one writer).
    async fn append_audit<C: ConnectionTrait>(
        &self,
        db: &C,
        ev: AuditEvent<'_>,
    ) -> Result<(), AppError> {
        audit::append(db, self.now(), ev).await.ie()
    }

    /// Appends one audit row (actor `None` = the system) with the digest of the new state,
    /// for changes that record several rows (a publication and the outcomes it moves).
    async fn audit_as<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: Option<i32>,
        action: &str,
        entity: &str,
        id: impl ToString,
        after: Option<String>,
    ) -> Result<(), AppError> {
        let mut ev = AuditEvent::new(actor, action, entity, id);
        ev.after = after;
        self.append_audit(db, ev).await
    }
}

/// How many people the database holds (the demo is only created in an empty one).
pub async fn count_cadres(db: &DatabaseConnection) -> Result<u64, DbErr> {
    cadre::Entity::find().count(db).await
}
