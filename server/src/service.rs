//! The record service: implements `app::ports::Backend` on sea-orm. Every method checks who
//! is asking against the record it touches, runs each change in one transaction holding the
//! write lock, and appends to the audit chain in that same transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use app::domain::*;
use app::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::audit::{self, AuditEvent};
use crate::auth;
use crate::entities::{
    area, cadre, day_entry, department, entry_save, session, sheet, sheet_event, supervision,
    village,
};

/// Where "now" comes from; tests and benchmarks pin it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
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

/// A session's last use is written at most this often, so reading pages does not turn
/// into a write per request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(5);

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

#[derive(Serialize)]
struct EntryState<'a> {
    day: NaiveDate,
    work: &'a str,
    outcome: &'a str,
    place: &'a str,
    village_id: Option<i32>,
    place_note: Option<&'a str>,
}

impl<'a> From<&'a day_entry::Model> for EntryState<'a> {
    fn from(e: &'a day_entry::Model) -> Self {
        EntryState {
            day: e.day,
            work: &e.work,
            outcome: &e.outcome,
            place: &e.place,
            village_id: e.village_id,
            place_note: e.place_note.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct SheetState_<'a> {
    status: &'a str,
    late: bool,
    submitted_at: Option<DateTime<Utc>>,
    reviewer_id: Option<i32>,
    review_comment: Option<&'a str>,
}

impl<'a> From<&'a sheet::Model> for SheetState_<'a> {
    fn from(s: &'a sheet::Model) -> Self {
        SheetState_ {
            status: &s.status,
            late: s.late,
            submitted_at: s.submitted_at,
            reviewer_id: s.reviewer_id,
            review_comment: s.review_comment.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct AccountState<'a> {
    username: &'a str,
    name: &'a str,
    title: &'a str,
    department_id: i32,
    roles: &'a str,
    active: bool,
}

impl<'a> From<&'a cadre::Model> for AccountState<'a> {
    fn from(c: &'a cadre::Model) -> Self {
        AccountState {
            username: &c.username,
            name: &c.name,
            title: &c.title,
            department_id: c.department_id,
            roles: &c.roles,
            active: c.active,
        }
    }
}

pub(crate) fn period_of(s: &sheet::Model) -> SheetPeriod {
    SheetPeriod {
        year: s.year,
        month: s.month as u32,
        dekad: Dekad::from_number(s.dekad).unwrap_or(Dekad::Early),
    }
}

pub(crate) fn status_of(s: &sheet::Model) -> SheetStatus {
    SheetStatus::from_code(&s.status).unwrap_or(SheetStatus::Draft)
}

pub(crate) fn roles_of(c: &cadre::Model) -> Vec<Role> {
    Role::parse_list(&c.roles).unwrap_or_else(|_| vec![Role::Cadre])
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
        }
    }

    /// Sets the pause before a slowed-down sign-in's 429 (tests that send many use zero).
    pub fn with_refusal_pause(mut self, pause: std::time::Duration) -> Self {
        self.refusal_pause = pause;
        self
    }

    /// Answers a slowed-down sign-in: 429 after the refusal pause (never longer than the
    /// wait itself).
    async fn too_many(&self, wait: u64) -> AppError {
        let pause = self.refusal_pause.min(std::time::Duration::from_secs(wait));
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        AppError::TooManyRequests {
            retry_after_secs: wait,
        }
    }

    /// Sets how long sessions last and how many password hashes run at once.
    pub fn with_limits(mut self, sessions: SessionPolicy, hash_threads: usize) -> Self {
        self.sessions = sessions;
        self.hasher = auth::Hasher::new(hash_threads);
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub(crate) fn today(&self) -> NaiveDate {
        self.policy.local_date(self.now())
    }

    pub(crate) async fn department_names<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, String>, AppError> {
        Ok(department::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect())
    }

    pub(crate) async fn me_of<C: ConnectionTrait>(
        &self,
        db: &C,
        c: &cadre::Model,
    ) -> Result<Me, AppError> {
        let dept = department::Entity::find_by_id(c.department_id)
            .one(db)
            .await
            .ie()?;
        Ok(Me {
            id: CadreId(c.id),
            username: c.username.clone(),
            name: c.name.clone(),
            department: dept.map(|d| d.name).unwrap_or_default(),
            roles: roles_of(c),
        })
    }

    /// The supervising leader of `cadre_id` during `period` (the assignment covering its
    /// last day, or else the latest one overlapping it).
    pub(crate) async fn supervisor_of<C: ConnectionTrait>(
        &self,
        db: &C,
        cadre_id: i32,
        period: SheetPeriod,
    ) -> Result<Option<i32>, AppError> {
        let rows = supervision::Entity::find()
            .filter(supervision::Column::CadreId.eq(cadre_id))
            .filter(supervision::Column::ValidFrom.lte(period.last_day()))
            .filter(
                Condition::any()
                    .add(supervision::Column::ValidTo.is_null())
                    .add(supervision::Column::ValidTo.gt(period.first_day())),
            )
            .order_by_desc(supervision::Column::ValidFrom)
            .all(db)
            .await
            .ie()?;
        Ok(rows.first().map(|r| r.supervisor_id))
    }

    /// Cadres whose supervising leader during `period` was `supervisor_id`.
    pub(crate) async fn supervised_in<C: ConnectionTrait>(
        &self,
        db: &C,
        supervisor_id: i32,
        period: SheetPeriod,
    ) -> Result<Vec<i32>, AppError> {
        let rows = supervision::Entity::find()
            .filter(supervision::Column::SupervisorId.eq(supervisor_id))
            .filter(supervision::Column::ValidFrom.lte(period.last_day()))
            .filter(
                Condition::any()
                    .add(supervision::Column::ValidTo.is_null())
                    .add(supervision::Column::ValidTo.gt(period.first_day())),
            )
            .all(db)
            .await
            .ie()?;
        let mut out = Vec::new();
        for r in rows {
            if r.cadre_id != supervisor_id
                && self.supervisor_of(db, r.cadre_id, period).await? == Some(supervisor_id)
                && !out.contains(&r.cadre_id)
            {
                out.push(r.cadre_id);
            }
        }
        Ok(out)
    }

    /// May `me` see this sheet? Its cadre, its supervising leader for the period, and the
    /// principals, committee and office.
    pub(crate) async fn can_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        s: &sheet::Model,
    ) -> Result<bool, AppError> {
        if s.cadre_id == me.id.0 || me.sees_all_sheets() {
            return Ok(true);
        }
        Ok(me.has(Role::Supervisor)
            && self.supervisor_of(db, s.cadre_id, period_of(s)).await? == Some(me.id.0))
    }

    pub(crate) async fn is_supervisor_of<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        s: &sheet::Model,
    ) -> Result<bool, AppError> {
        Ok(me.has(Role::Supervisor)
            && self.supervisor_of(db, s.cadre_id, period_of(s)).await? == Some(me.id.0))
    }

    pub(crate) async fn find_sheet<C: ConnectionTrait>(
        &self,
        db: &C,
        cadre_id: i32,
        p: SheetPeriod,
    ) -> Result<Option<sheet::Model>, AppError> {
        sheet::Entity::find()
            .filter(sheet::Column::CadreId.eq(cadre_id))
            .filter(sheet::Column::Year.eq(p.year))
            .filter(sheet::Column::Month.eq(p.month as i32))
            .filter(sheet::Column::Dekad.eq(p.dekad.number()))
            .one(db)
            .await
            .ie()
    }

    pub(crate) async fn find_or_create_sheet<C: ConnectionTrait>(
        &self,
        db: &C,
        cadre_id: i32,
        p: SheetPeriod,
    ) -> Result<sheet::Model, AppError> {
        if let Some(s) = self.find_sheet(db, cadre_id, p).await? {
            return Ok(s);
        }
        let s = sheet::ActiveModel {
            cadre_id: Set(cadre_id),
            year: Set(p.year),
            month: Set(p.month as i32),
            dekad: Set(p.dekad.number()),
            status: Set(SheetStatus::Draft.code().into()),
            late: Set(false),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .ie()?;
        audit::append(
            db,
            self.now(),
            AuditEvent::new(Some(cadre_id), "sheet.created", "sheet", s.id),
        )
        .await
        .ie()?;
        Ok(s)
    }

    pub(crate) async fn village_names<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, String>, AppError> {
        Ok(village::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect())
    }

    pub(crate) fn entry_view(
        e: &day_entry::Model,
        villages: &HashMap<i32, String>,
    ) -> DayEntryView {
        DayEntryView {
            id: EntryId(e.id),
            day: e.day,
            work: e.work.clone(),
            outcome: e.outcome.clone(),
            place: Place::from_code(&e.place).unwrap_or(Place::Office),
            village_id: e.village_id.map(VillageId),
            village: e.village_id.and_then(|v| villages.get(&v).cloned()),
            place_note: e.place_note.clone(),
            written_at: e.written_at,
            updated_at: e.updated_at,
        }
    }

    pub(crate) fn summary(
        &self,
        s: Option<&sheet::Model>,
        c: &cadre::Model,
        dept: &str,
        period: SheetPeriod,
        days_written: u32,
    ) -> SheetSummary {
        let due = period.due(&self.policy);
        let (status, late) = s
            .map(|s| (status_of(s), s.late))
            .unwrap_or((SheetStatus::Draft, false));
        SheetSummary {
            id: s.map(|s| SheetId(s.id)),
            cadre_id: CadreId(c.id),
            cadre: c.name.clone(),
            department: dept.to_string(),
            period,
            state: SheetState::derive(status, late, self.now() > due),
            days_written,
            days_total: period.days().len() as u32,
            submitted_at: s.and_then(|s| s.submitted_at),
            due,
        }
    }

    pub(crate) async fn entry_counts<C: ConnectionTrait>(
        &self,
        db: &C,
        sheet_ids: &[i32],
    ) -> Result<HashMap<i32, u32>, AppError> {
        let mut out = HashMap::new();
        for chunk in sheet_ids.chunks(500) {
            let rows = day_entry::Entity::find()
                .filter(day_entry::Column::SheetId.is_in(chunk.iter().copied()))
                .all(db)
                .await
                .ie()?;
            for r in rows {
                *out.entry(r.sheet_id).or_insert(0) += 1;
            }
        }
        Ok(out)
    }

    pub(crate) async fn cadre<C: ConnectionTrait>(
        &self,
        db: &C,
        id: i32,
    ) -> Result<cadre::Model, AppError> {
        cadre::Entity::find_by_id(id)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})
    }

    pub(crate) async fn sheet_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        s: Option<&sheet::Model>,
        owner: &cadre::Model,
        period: SheetPeriod,
    ) -> Result<SheetView, AppError> {
        let villages = self.village_names(db).await?;
        let depts = self.department_names(db).await?;
        let entries = match s {
            Some(s) => day_entry::Entity::find()
                .filter(day_entry::Column::SheetId.eq(s.id))
                .all(db)
                .await
                .ie()?,
            None => Vec::new(),
        };
        let by_day: HashMap<NaiveDate, &day_entry::Model> =
            entries.iter().map(|e| (e.day, e)).collect();
        let today = self.today();
        let status = s.map(status_of).unwrap_or(SheetStatus::Draft);
        let own = owner.id == me.id.0;
        let days = period
            .days()
            .into_iter()
            .map(|d| SheetDay {
                day: d,
                writable: own && day_is_writable(d, today, status),
                entry: by_day.get(&d).map(|e| Self::entry_view(e, &villages)),
            })
            .collect();
        let mut names: HashMap<i32, String> = HashMap::new();
        let mut history = Vec::new();
        if let Some(s) = s {
            let events = sheet_event::Entity::find()
                .filter(sheet_event::Column::SheetId.eq(s.id))
                .order_by_asc(sheet_event::Column::Id)
                .all(db)
                .await
                .ie()?;
            for ev in events {
                if let std::collections::hash_map::Entry::Vacant(v) = names.entry(ev.actor_id) {
                    v.insert(
                        self.cadre(db, ev.actor_id)
                            .await
                            .map(|c| c.name)
                            .unwrap_or_default(),
                    );
                }
                history.push(SheetEventView {
                    kind: ev.kind,
                    actor: names.get(&ev.actor_id).cloned().unwrap_or_default(),
                    at: ev.at,
                    note: ev.note,
                });
            }
        }
        let supervisor_id = self.supervisor_of(db, owner.id, period).await?;
        let supervisor = match supervisor_id {
            Some(id) => Some(self.cadre(db, id).await?.name),
            None => None,
        };
        let reviewer = match s.and_then(|s| s.reviewer_id) {
            Some(id) => Some(self.cadre(db, id).await?.name),
            None => None,
        };
        let summary = self.summary(
            s,
            owner,
            depts
                .get(&owner.department_id)
                .map(String::as_str)
                .unwrap_or(""),
            period,
            entries.len() as u32,
        );
        let can_review = s.is_some()
            && status == SheetStatus::Submitted
            && me.has(Role::Supervisor)
            && supervisor_id == Some(me.id.0);
        Ok(SheetView {
            summary,
            days,
            history,
            review_comment: s.and_then(|s| s.review_comment.clone()),
            reviewer,
            supervisor,
            can_submit: own && s.is_some() && status.is_open() && !entries.is_empty(),
            can_review,
        })
    }

    /// Loads a sheet the caller may see, or `NotFound` (existence stays private).
    pub(crate) async fn visible_sheet<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        id: SheetId,
    ) -> Result<sheet::Model, AppError> {
        let s = sheet::Entity::find_by_id(id.0)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if !self.can_view(db, me, &s).await? {
            return Err(AppError::NotFound {});
        }
        Ok(s)
    }

    pub(crate) async fn add_event<C: ConnectionTrait>(
        &self,
        db: &C,
        sheet_id: i32,
        kind: &str,
        actor: i32,
        note: Option<String>,
        snapshot: Option<String>,
    ) -> Result<(), AppError> {
        sheet_event::ActiveModel {
            sheet_id: Set(sheet_id),
            kind: Set(kind.into()),
            actor_id: Set(actor),
            at: Set(self.now()),
            note: Set(note),
            snapshot: Set(snapshot),
            ..Default::default()
        }
        .insert(db)
        .await
        .ie()?;
        Ok(())
    }

    pub(crate) fn require(me: &Me, role: Role) -> Result<(), AppError> {
        if me.has(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden {})
        }
    }

    pub(crate) async fn account_view<C: ConnectionTrait>(
        &self,
        db: &C,
        c: &cadre::Model,
    ) -> Result<AccountView, AppError> {
        let depts = self.department_names(db).await?;
        let sup = self
            .supervisor_of(db, c.id, SheetPeriod::containing(self.today()))
            .await?;
        let supervisor = match sup {
            Some(id) => Some(self.cadre(db, id).await?.name),
            None => None,
        };
        Ok(AccountView {
            id: CadreId(c.id),
            username: c.username.clone(),
            name: c.name.clone(),
            title: c.title.clone(),
            department: depts.get(&c.department_id).cloned().unwrap_or_default(),
            roles: roles_of(c),
            active: c.active,
            supervisor,
        })
    }

    /// Checks a new account against the database (and names already taken in this batch);
    /// returns the department id and supervisor id.
    async fn check_new_account<C: ConnectionTrait>(
        &self,
        db: &C,
        a: &NewAccount,
        taken: &HashSet<String>,
        batch_supervisors: &HashMap<String, i32>,
    ) -> Result<(i32, Option<SupervisorRef>), AppError> {
        if taken.contains(&a.username)
            || cadre::Entity::find()
                .filter(cadre::Column::Username.eq(a.username.as_str()))
                .one(db)
                .await
                .ie()?
                .is_some()
        {
            return Err(AppError::invalid("username", "duplicate_username"));
        }
        let dept = department::Entity::find()
            .filter(department::Column::Name.eq(a.department.as_str()))
            .one(db)
            .await
            .ie()?
            .ok_or_else(|| AppError::invalid("department", "unknown_department"))?;
        let sup = match a
            .supervisor_username
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(u) => {
                if let Some(idx) = batch_supervisors.get(u) {
                    Some(SupervisorRef::Batch(*idx))
                } else {
                    let s = cadre::Entity::find()
                        .filter(cadre::Column::Username.eq(u))
                        .one(db)
                        .await
                        .ie()?
                        .filter(|s| s.active && roles_of(s).contains(&Role::Supervisor))
                        .ok_or_else(|| {
                            AppError::invalid("supervisor_username", "unknown_supervisor")
                        })?;
                    Some(SupervisorRef::Id(s.id))
                }
            }
        };
        Ok((dept.id, sup))
    }

    async fn insert_account<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        a: &NewAccount,
        dept_id: i32,
        supervisor: Option<i32>,
        password_hash: String,
    ) -> Result<cadre::Model, AppError> {
        let c = cadre::ActiveModel {
            username: Set(a.username.clone()),
            name: Set(a.name.clone()),
            title: Set(a.title.clone()),
            department_id: Set(dept_id),
            area_id: Set(None),
            roles: Set(Role::join(&a.roles)),
            password_hash: Set(password_hash),
            active: Set(true),
            failed_logins: Set(0),
            last_failed_at: Set(None),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .ie()?;
        if let Some(sup) = supervisor {
            supervision::ActiveModel {
                cadre_id: Set(c.id),
                supervisor_id: Set(sup),
                valid_from: Set(self.today()),
                valid_to: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await
            .ie()?;
        }
        audit::append(
            db,
            self.now(),
            AuditEvent::new(Some(me.id.0), "account.created", "cadre", c.id)
                .states(None::<&()>, Some(&AccountState::from(&c))),
        )
        .await
        .ie()?;
        Ok(c)
    }

    pub(crate) async fn area_view<C: ConnectionTrait>(
        &self,
        db: &C,
        a: &area::Model,
    ) -> Result<AreaView, AppError> {
        let villages = village::Entity::find()
            .filter(village::Column::AreaId.eq(a.id))
            .order_by_asc(village::Column::Id)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|v| VillageOption {
                id: VillageId(v.id),
                name: v.name,
                area: a.name.clone(),
            })
            .collect();
        let chief = match a.chief_id {
            Some(id) => Some(self.cadre(db, id).await?.name),
            None => None,
        };
        Ok(AreaView {
            id: AreaId(a.id),
            name: a.name.clone(),
            chief_id: a.chief_id.map(CadreId),
            chief,
            villages,
        })
    }

    /// Ends every session of a person but `keep` (its token hash), in the caller's
    /// transaction.
    async fn end_sessions<C: ConnectionTrait>(
        db: &C,
        cadre_id: i32,
        keep: Option<&str>,
    ) -> Result<(), AppError> {
        let mut q = session::Entity::delete_many().filter(session::Column::CadreId.eq(cadre_id));
        if let Some(k) = keep {
            q = q.filter(session::Column::TokenHash.ne(k));
        }
        q.exec(db).await.ie()?;
        Ok(())
    }

    /// Records a failed sign-in of a known account: its stored count (which outlives a
    /// restart) and an audit row.
    async fn record_failed_sign_in(&self, c: &cadre::Model) -> Result<(), AppError> {
        let now = self.now();
        let failures = self.throttle.failures(&c.username).max(c.failed_logins + 1);
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        cadre::Entity::update_many()
            .col_expr(
                cadre::Column::FailedLogins,
                sea_orm::sea_query::Expr::value(failures),
            )
            .col_expr(
                cadre::Column::LastFailedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(cadre::Column::Id.eq(c.id))
            .exec(&tx)
            .await
            .ie()?;
        audit::append(
            &tx,
            now,
            AuditEvent::new(Some(c.id), "auth.sign_in_failed", "cadre", c.id),
        )
        .await
        .ie()?;
        tx.commit().await.ie()
    }
}

/// A supervisor named in an import: already stored, or a row of the same file.
#[derive(Clone, Copy)]
enum SupervisorRef {
    Id(i32),
    Batch(i32),
}

#[async_trait::async_trait]
impl app::ports::Backend for Service {
    async fn session_user(&self, token: &str) -> Result<Option<Me>, AppError> {
        let hash = auth::token_hash(token);
        let Some(s) = session::Entity::find_by_id(hash.clone())
            .one(&self.db)
            .await
            .ie()?
        else {
            return Ok(None);
        };
        let now = self.now();
        let idle_end = s.last_seen_at + self.sessions.idle;
        if s.expires_at <= now || idle_end <= now {
            return Ok(None);
        }
        let c = self.cadre(&self.db, s.cadre_id).await?;
        if !c.active {
            return Ok(None);
        }
        if now - s.last_seen_at >= TOUCH_EVERY {
            // Not under the write lock: one row's time of use, no audit-worthy change.
            session::Entity::update_many()
                .col_expr(
                    session::Column::LastSeenAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(session::Column::TokenHash.eq(hash))
                .exec(&self.db)
                .await
                .ie()?;
        }
        Ok(Some(self.me_of(&self.db, &c).await?))
    }

    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        from: &app::ports::SignInFrom,
    ) -> Result<(Me, String), AppError> {
        let now = self.now();
        let name = username.trim();
        if let Some(wait) = self.throttle.precheck(name, from.addr, now) {
            return Err(self.too_many(wait).await);
        }
        let found = cadre::Entity::find()
            .filter(cadre::Column::Username.eq(name))
            .one(&self.db)
            .await
            .ie()?;
        // Decided and counted before the password is checked, for known and unknown names
        // alike (the answers must not tell them apart).
        let stored = found.as_ref().map(|c| (c.failed_logins, c.last_failed_at));
        let ticket = match self.throttle.admit(name, from.addr, now, stored) {
            Ok(t) => t,
            Err(wait) => return Err(self.too_many(wait).await),
        };
        let hash = found
            .as_ref()
            .map_or(DUMMY_HASH, |c| c.password_hash.as_str());
        let matches = match self.hasher.verify(password, hash).await {
            Ok(m) => m,
            Err(e) => {
                self.throttle.cancelled(ticket);
                return Err(e);
            }
        };
        let c = match found {
            Some(c) if matches && c.active => c,
            Some(c) => {
                self.record_failed_sign_in(&c).await?;
                return Err(AppError::invalid("password", "bad_credentials"));
            }
            None => {
                // Unknown names leave no row (a flood of them must not take the write lock
                // or fill the audit trail); the log keeps a digest of the name.
                tracing::warn!(
                    name = %audit::digest_of(&name),
                    addr = ?from.addr,
                    "sign-in with an unknown user name"
                );
                return Err(AppError::invalid("password", "bad_credentials"));
            }
        };
        self.throttle.succeeded(ticket);
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        if c.failed_logins != 0 {
            let mut am: cadre::ActiveModel = c.clone().into();
            am.failed_logins = Set(0);
            am.last_failed_at = Set(None);
            am.update(&tx).await.ie()?;
        }
        // A session token sent along with the sign-in is never carried over (fixation):
        // that session ends; so do this person's expired ones.
        if let Some(old) = &from.old_token {
            session::Entity::delete_by_id(auth::token_hash(old))
                .exec(&tx)
                .await
                .ie()?;
        }
        session::Entity::delete_many()
            .filter(session::Column::CadreId.eq(c.id))
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(&tx)
            .await
            .ie()?;
        let token = auth::new_token();
        session::ActiveModel {
            token_hash: Set(auth::token_hash(&token)),
            cadre_id: Set(c.id),
            created_at: Set(now),
            expires_at: Set(now + self.sessions.max),
            last_seen_at: Set(now),
        }
        .insert(&tx)
        .await
        .ie()?;
        audit::append(
            &tx,
            now,
            AuditEvent::new(Some(c.id), "auth.signed_in", "cadre", c.id),
        )
        .await
        .ie()?;
        tx.commit().await.ie()?;
        Ok((self.me_of(&self.db, &c).await?, token))
    }

    async fn sign_out(&self, me: &Me, token: &str) -> Result<(), AppError> {
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        session::Entity::delete_by_id(auth::token_hash(token))
            .exec(&tx)
            .await
            .ie()?;
        audit::append(
            &tx,
            self.now(),
            AuditEvent::new(Some(me.id.0), "auth.signed_out", "cadre", me.id),
        )
        .await
        .ie()?;
        tx.commit().await.ie()
    }

    async fn change_password(
        &self,
        me: &Me,
        token: &str,
        old: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let c = self.cadre(&self.db, me.id.0).await?;
        crate::passwords::check_new("new_password", new, &c.username)?;
        if !self.hasher.verify(old, &c.password_hash).await? {
            return Err(AppError::invalid("old_password", "wrong_password"));
        }
        let hash = self.hasher.hash(new).await?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let mut am: cadre::ActiveModel = c.into();
        am.password_hash = Set(hash);
        am.update(&tx).await.ie()?;
        // Whoever else holds a session of this person (a lost phone) is signed out.
        Self::end_sessions(&tx, me.id.0, Some(&auth::token_hash(token))).await?;
        audit::append(
            &tx,
            self.now(),
            AuditEvent::new(Some(me.id.0), "account.password_changed", "cadre", me.id),
        )
        .await
        .ie()?;
        tx.commit().await.ie()
    }

    async fn today(&self, me: &Me, day: Option<NaiveDate>) -> Result<TodayView, AppError> {
        let today = self.today();
        let day = day.unwrap_or(today);
        if day > today {
            return Err(AppError::invalid("day", "future_day"));
        }
        let period = SheetPeriod::containing(day);
        let owner = self.cadre(&self.db, me.id.0).await?;
        let s = self.find_sheet(&self.db, me.id.0, period).await?;
        let villages_map = self.village_names(&self.db).await?;
        let entries = match &s {
            Some(s) => day_entry::Entity::find()
                .filter(day_entry::Column::SheetId.eq(s.id))
                .all(&self.db)
                .await
                .ie()?,
            None => Vec::new(),
        };
        let entry = entries
            .iter()
            .find(|e| e.day == day)
            .map(|e| Self::entry_view(e, &villages_map));
        let status = s.as_ref().map(status_of).unwrap_or(SheetStatus::Draft);
        // Empty writable days of the current and previous dekad (and of this day's sheet).
        let mut missing = Vec::new();
        let current = SheetPeriod::containing(today);
        let mut periods = vec![current.prev(), current];
        if !periods.contains(&period) {
            periods.insert(0, period);
        }
        for p in periods {
            let ps = self.find_sheet(&self.db, me.id.0, p).await?;
            let st = ps.as_ref().map(status_of).unwrap_or(SheetStatus::Draft);
            let written: HashSet<NaiveDate> = match &ps {
                Some(ps) => day_entry::Entity::find()
                    .filter(day_entry::Column::SheetId.eq(ps.id))
                    .all(&self.db)
                    .await
                    .ie()?
                    .into_iter()
                    .map(|e| e.day)
                    .collect(),
                None => HashSet::new(),
            };
            missing.extend(
                p.days().into_iter().filter(|d| {
                    *d != day && !written.contains(d) && day_is_writable(*d, today, st)
                }),
            );
        }
        let depts = self.department_names(&self.db).await?;
        let villages = self.villages(me).await?;
        Ok(TodayView {
            today,
            day,
            writable: day_is_writable(day, today, status),
            entry,
            villages,
            sheet: self.summary(
                s.as_ref(),
                &owner,
                depts
                    .get(&owner.department_id)
                    .map(String::as_str)
                    .unwrap_or(""),
                period,
                entries.len() as u32,
            ),
            missing_days: missing,
            client_id: uuid::Uuid::new_v4().simple().to_string(),
        })
    }

    async fn save_entry(&self, me: &Me, input: EntryInput) -> Result<DayEntryView, AppError> {
        let input = input.validate(&self.policy)?;
        let now = self.now();
        let today = self.policy.local_date(now);
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let villages = self.village_names(&tx).await?;
        // A repeated save (same client id) is answered with what the first one stored.
        if let Some(prev) = entry_save::Entity::find_by_id(input.client_id.clone())
            .one(&tx)
            .await
            .ie()?
        {
            if prev.cadre_id != me.id.0 {
                return Err(AppError::conflict("bad_client_id"));
            }
            let e = day_entry::Entity::find_by_id(prev.entry_id)
                .one(&tx)
                .await
                .ie()?
                .ok_or(AppError::Internal {})?;
            return Ok(Self::entry_view(&e, &villages));
        }
        if input.day > today {
            return Err(AppError::invalid("day", "future_day"));
        }
        if let Some(v) = input.village_id
            && !villages.contains_key(&v.0)
        {
            return Err(AppError::invalid("village_id", "unknown_village"));
        }
        let period = SheetPeriod::containing(input.day);
        let existing_sheet = self.find_sheet(&tx, me.id.0, period).await?;
        let status = existing_sheet
            .as_ref()
            .map(status_of)
            .unwrap_or(SheetStatus::Draft);
        if !status.is_open() {
            return Err(AppError::conflict("sheet_locked"));
        }
        if !day_is_writable(input.day, today, status) {
            return Err(AppError::invalid("day", "day_closed"));
        }
        let s = match existing_sheet {
            Some(s) => s,
            None => self.find_or_create_sheet(&tx, me.id.0, period).await?,
        };
        let existing = day_entry::Entity::find()
            .filter(day_entry::Column::SheetId.eq(s.id))
            .filter(day_entry::Column::Day.eq(input.day))
            .one(&tx)
            .await
            .ie()?;
        let place = input.place.code().to_string();
        let village_id = input.village_id.map(|v| v.0);
        let (saved, before) = match existing {
            Some(e) => {
                let before = audit::digest_of(&EntryState::from(&e));
                let mut am: day_entry::ActiveModel = e.into();
                am.work = Set(input.work.clone());
                am.outcome = Set(input.outcome.clone());
                am.place = Set(place);
                am.village_id = Set(village_id);
                am.place_note = Set(input.place_note.clone());
                am.updated_at = Set(now);
                (am.update(&tx).await.ie()?, Some(before))
            }
            None => (
                day_entry::ActiveModel {
                    sheet_id: Set(s.id),
                    day: Set(input.day),
                    work: Set(input.work.clone()),
                    outcome: Set(input.outcome.clone()),
                    place: Set(place),
                    village_id: Set(village_id),
                    place_note: Set(input.place_note.clone()),
                    written_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&tx)
                .await
                .ie()?,
                None,
            ),
        };
        entry_save::ActiveModel {
            client_id: Set(input.client_id.clone()),
            cadre_id: Set(me.id.0),
            entry_id: Set(saved.id),
            saved_at: Set(now),
        }
        .insert(&tx)
        .await
        .ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "entry.saved", "day_entry", saved.id);
        ev.before = before;
        ev.after = Some(audit::digest_of(&EntryState::from(&saved)));
        audit::append(&tx, now, ev).await.ie()?;
        tx.commit().await.ie()?;
        Ok(Self::entry_view(&saved, &villages))
    }

    async fn my_sheets(&self, me: &Me) -> Result<Vec<SheetSummary>, AppError> {
        let owner = self.cadre(&self.db, me.id.0).await?;
        let sheets = sheet::Entity::find()
            .filter(sheet::Column::CadreId.eq(me.id.0))
            .order_by_desc(sheet::Column::Year)
            .order_by_desc(sheet::Column::Month)
            .order_by_desc(sheet::Column::Dekad)
            .all(&self.db)
            .await
            .ie()?;
        let counts = self
            .entry_counts(&self.db, &sheets.iter().map(|s| s.id).collect::<Vec<_>>())
            .await?;
        let current = SheetPeriod::containing(self.today());
        let mut out: Vec<SheetSummary> = Vec::new();
        if !sheets.iter().any(|s| period_of(s) == current) {
            out.push(self.summary(None, &owner, &me.department, current, 0));
        }
        out.extend(sheets.iter().map(|s| {
            self.summary(
                Some(s),
                &owner,
                &me.department,
                period_of(s),
                counts.get(&s.id).copied().unwrap_or(0),
            )
        }));
        Ok(out)
    }

    async fn sheet(&self, me: &Me, id: SheetId) -> Result<SheetView, AppError> {
        let s = self.visible_sheet(&self.db, me, id).await?;
        let owner = self.cadre(&self.db, s.cadre_id).await?;
        self.sheet_view(&self.db, me, Some(&s), &owner, period_of(&s))
            .await
    }

    async fn my_sheet_for(&self, me: &Me, period: SheetPeriod) -> Result<SheetView, AppError> {
        if period.first_day() > self.today() {
            return Err(AppError::invalid("period", "bad_period"));
        }
        let owner = self.cadre(&self.db, me.id.0).await?;
        let s = self.find_sheet(&self.db, me.id.0, period).await?;
        self.sheet_view(&self.db, me, s.as_ref(), &owner, period)
            .await
    }

    async fn submit_sheet(&self, me: &Me, id: SheetId) -> Result<SheetView, AppError> {
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let s = self.visible_sheet(&tx, me, id).await?;
        if s.cadre_id != me.id.0 {
            return Err(AppError::Forbidden {});
        }
        let status = status_of(&s);
        if !status.is_open() {
            return Err(AppError::conflict("already_submitted"));
        }
        let entries = day_entry::Entity::find()
            .filter(day_entry::Column::SheetId.eq(s.id))
            .order_by_asc(day_entry::Column::Day)
            .all(&tx)
            .await
            .ie()?;
        if entries.is_empty() {
            return Err(AppError::invalid("day", "empty_sheet"));
        }
        let period = period_of(&s);
        let before = audit::digest_of(&SheetState_::from(&s));
        // Lateness is decided by the first submission; a resubmission after a return keeps it.
        let late = s.late || (s.submitted_at.is_none() && now > period.due(&self.policy));
        let snapshot: Vec<EntryState> = entries.iter().map(EntryState::from).collect();
        let snapshot = serde_json::to_string(&snapshot).ok();
        let mut am: sheet::ActiveModel = s.clone().into();
        am.status = Set(SheetStatus::Submitted.code().into());
        am.late = Set(late);
        am.submitted_at = Set(Some(now));
        let s = am.update(&tx).await.ie()?;
        self.add_event(&tx, s.id, "submitted", me.id.0, None, snapshot)
            .await?;
        let mut ev = AuditEvent::new(Some(me.id.0), "sheet.submitted", "sheet", s.id);
        ev.before = Some(before);
        ev.after = Some(audit::digest_of(&SheetState_::from(&s)));
        audit::append(&tx, now, ev).await.ie()?;
        tx.commit().await.ie()?;
        self.sheet(me, id).await
    }

    async fn review_sheet(
        &self,
        me: &Me,
        id: SheetId,
        comment: Option<String>,
    ) -> Result<SheetView, AppError> {
        let comment = clean_text("comment", comment.as_deref().unwrap_or(""), 500)?;
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let s = self.visible_sheet(&tx, me, id).await?;
        if !self.is_supervisor_of(&tx, me, &s).await? {
            return Err(AppError::Forbidden {});
        }
        match status_of(&s) {
            SheetStatus::Submitted => {}
            SheetStatus::Reviewed => return Err(AppError::conflict("already_reviewed")),
            _ => return Err(AppError::conflict("not_submitted")),
        }
        let before = audit::digest_of(&SheetState_::from(&s));
        let mut am: sheet::ActiveModel = s.into();
        am.status = Set(SheetStatus::Reviewed.code().into());
        am.reviewed_at = Set(Some(now));
        am.reviewer_id = Set(Some(me.id.0));
        am.review_comment = Set(comment.clone());
        let s = am.update(&tx).await.ie()?;
        self.add_event(&tx, s.id, "reviewed", me.id.0, comment, None)
            .await?;
        let mut ev = AuditEvent::new(Some(me.id.0), "sheet.reviewed", "sheet", s.id);
        ev.before = Some(before);
        ev.after = Some(audit::digest_of(&SheetState_::from(&s)));
        audit::append(&tx, now, ev).await.ie()?;
        tx.commit().await.ie()?;
        self.sheet(me, id).await
    }

    async fn return_sheet(
        &self,
        me: &Me,
        id: SheetId,
        reason: String,
    ) -> Result<SheetView, AppError> {
        let reason = clean_text("reason", &reason, 500)?
            .ok_or_else(|| AppError::invalid("reason", "reason_required"))?;
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let s = self.visible_sheet(&tx, me, id).await?;
        if !self.is_supervisor_of(&tx, me, &s).await? {
            return Err(AppError::Forbidden {});
        }
        match status_of(&s) {
            SheetStatus::Submitted => {}
            SheetStatus::Reviewed => return Err(AppError::conflict("already_reviewed")),
            _ => return Err(AppError::conflict("not_submitted")),
        }
        let before = audit::digest_of(&SheetState_::from(&s));
        let mut am: sheet::ActiveModel = s.into();
        am.status = Set(SheetStatus::Returned.code().into());
        let s = am.update(&tx).await.ie()?;
        self.add_event(&tx, s.id, "returned", me.id.0, Some(reason), None)
            .await?;
        let mut ev = AuditEvent::new(Some(me.id.0), "sheet.returned", "sheet", s.id);
        ev.before = Some(before);
        ev.after = Some(audit::digest_of(&SheetState_::from(&s)));
        audit::append(&tx, now, ev).await.ie()?;
        tx.commit().await.ie()?;
        self.sheet(me, id).await
    }

    async fn inbox(&self, me: &Me, period: Option<SheetPeriod>) -> Result<InboxView, AppError> {
        Self::require(me, Role::Supervisor)?;
        let period = period.unwrap_or_else(|| SheetPeriod::containing(self.today()).prev());
        let ids = self.supervised_in(&self.db, me.id.0, period).await?;
        let cadres = cadre::Entity::find()
            .filter(cadre::Column::Id.is_in(ids.clone()))
            .order_by_asc(cadre::Column::Name)
            .all(&self.db)
            .await
            .ie()?;
        let sheets = sheet::Entity::find()
            .filter(sheet::Column::CadreId.is_in(ids))
            .filter(sheet::Column::Year.eq(period.year))
            .filter(sheet::Column::Month.eq(period.month as i32))
            .filter(sheet::Column::Dekad.eq(period.dekad.number()))
            .all(&self.db)
            .await
            .ie()?;
        let counts = self
            .entry_counts(&self.db, &sheets.iter().map(|s| s.id).collect::<Vec<_>>())
            .await?;
        let by_cadre: HashMap<i32, &sheet::Model> =
            sheets.iter().map(|s| (s.cadre_id, s)).collect();
        let depts = self.department_names(&self.db).await?;
        let mut rows: Vec<InboxRow> = cadres
            .iter()
            .map(|c| {
                let s = by_cadre.get(&c.id).copied();
                InboxRow {
                    sheet: self.summary(
                        s,
                        c,
                        depts
                            .get(&c.department_id)
                            .map(String::as_str)
                            .unwrap_or(""),
                        period,
                        s.and_then(|s| counts.get(&s.id).copied()).unwrap_or(0),
                    ),
                }
            })
            .collect();
        // What needs the leader's attention first: unread, then missing, then the rest.
        let rank = |st: SheetState| match st {
            SheetState::Late | SheetState::Submitted => 0,
            SheetState::Overdue => 1,
            SheetState::Draft => 2,
            SheetState::Returned => 3,
            SheetState::Reviewed => 4,
        };
        rows.sort_by_key(|r| rank(r.sheet.state));
        Ok(InboxView { period, rows })
    }

    async fn archive_search(&self, me: &Me, q: ArchiveQuery) -> Result<ArchivePage, AppError> {
        if !me.sees_all_sheets() {
            return Err(AppError::Forbidden {});
        }
        const PER_PAGE: u32 = 20;
        let mut cadre_q = cadre::Entity::find();
        if let Some(p) = q.person.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            if p.chars().count() > 40 {
                return Err(AppError::invalid("person", "too_long"));
            }
            cadre_q = cadre_q.filter(
                Condition::any()
                    .add(cadre::Column::Name.contains(p))
                    .add(cadre::Column::Username.eq(p)),
            );
        }
        if let Some(d) = q.department_id {
            cadre_q = cadre_q.filter(cadre::Column::DepartmentId.eq(d.0));
        }
        let cadres: HashMap<i32, cadre::Model> = cadre_q
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let mut sheet_q = sheet::Entity::find()
            .filter(sheet::Column::SubmittedAt.is_not_null())
            .filter(sheet::Column::CadreId.is_in(cadres.keys().copied().collect::<Vec<_>>()));
        let key = |p: SheetPeriod| (p.year, p.month, p.dekad.number());
        let from = q.from.map(|d| key(SheetPeriod::containing(d)));
        let to = q.to.map(|d| key(SheetPeriod::containing(d)));
        if let Some((y, _, _)) = from {
            sheet_q = sheet_q.filter(sheet::Column::Year.gte(y));
        }
        if let Some((y, _, _)) = to {
            sheet_q = sheet_q.filter(sheet::Column::Year.lte(y));
        }
        let mut snippets: HashMap<i32, String> = HashMap::new();
        if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if text.chars().count() > 50 {
                return Err(AppError::invalid("text", "too_long"));
            }
            let hits = day_entry::Entity::find()
                .filter(
                    Condition::any()
                        .add(day_entry::Column::Work.contains(text))
                        .add(day_entry::Column::Outcome.contains(text)),
                )
                .all(&self.db)
                .await
                .ie()?;
            for h in hits {
                snippets.entry(h.sheet_id).or_insert_with(|| {
                    if h.work.contains(text) {
                        h.work.clone()
                    } else {
                        h.outcome.clone()
                    }
                });
            }
            sheet_q = sheet_q
                .filter(sheet::Column::Id.is_in(snippets.keys().copied().collect::<Vec<_>>()));
        }
        let mut sheets: Vec<sheet::Model> = sheet_q
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .filter(|s| {
                let k = key(period_of(s));
                from.is_none_or(|f| k >= f) && to.is_none_or(|t| k <= t)
            })
            .collect();
        sheets.sort_by(|a, b| {
            key(period_of(b)).cmp(&key(period_of(a))).then_with(|| {
                let na = cadres.get(&a.cadre_id).map(|c| c.name.as_str());
                let nb = cadres.get(&b.cadre_id).map(|c| c.name.as_str());
                na.cmp(&nb)
            })
        });
        let total = sheets.len() as u64;
        let start = (q.page as usize).saturating_mul(PER_PAGE as usize);
        let page: Vec<sheet::Model> = sheets
            .into_iter()
            .skip(start)
            .take(PER_PAGE as usize)
            .collect();
        let counts = self
            .entry_counts(&self.db, &page.iter().map(|s| s.id).collect::<Vec<_>>())
            .await?;
        let depts = self.department_names(&self.db).await?;
        let hits = page
            .iter()
            .filter_map(|s| {
                let c = cadres.get(&s.cadre_id)?;
                Some(ArchiveHit {
                    sheet: self.summary(
                        Some(s),
                        c,
                        depts
                            .get(&c.department_id)
                            .map(String::as_str)
                            .unwrap_or(""),
                        period_of(s),
                        counts.get(&s.id).copied().unwrap_or(0),
                    ),
                    snippet: snippets.get(&s.id).cloned(),
                })
            })
            .collect();
        Ok(ArchivePage {
            hits,
            total,
            page: q.page,
            per_page: PER_PAGE,
        })
    }

    async fn departments(&self, _me: &Me) -> Result<Vec<DepartmentView>, AppError> {
        Ok(department::Entity::find()
            .order_by_asc(department::Column::Id)
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|d| DepartmentView {
                id: DepartmentId(d.id),
                name: d.name,
            })
            .collect())
    }

    async fn villages(&self, _me: &Me) -> Result<Vec<VillageOption>, AppError> {
        let areas: HashMap<i32, String> = area::Entity::find()
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        Ok(village::Entity::find()
            .order_by_asc(village::Column::AreaId)
            .order_by_asc(village::Column::Id)
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|v| VillageOption {
                id: VillageId(v.id),
                area: areas.get(&v.area_id).cloned().unwrap_or_default(),
                name: v.name,
            })
            .collect())
    }

    async fn accounts(&self, me: &Me) -> Result<Vec<AccountView>, AppError> {
        Self::require(me, Role::Office)?;
        let cadres = cadre::Entity::find()
            .order_by_asc(cadre::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let depts = self.department_names(&self.db).await?;
        let names: HashMap<i32, String> = cadres.iter().map(|c| (c.id, c.name.clone())).collect();
        let today = self.today();
        let current: HashMap<i32, i32> = supervision::Entity::find()
            .filter(supervision::Column::ValidFrom.lte(today))
            .filter(
                Condition::any()
                    .add(supervision::Column::ValidTo.is_null())
                    .add(supervision::Column::ValidTo.gt(today)),
            )
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|s| (s.cadre_id, s.supervisor_id))
            .collect();
        Ok(cadres
            .iter()
            .map(|c| AccountView {
                id: CadreId(c.id),
                username: c.username.clone(),
                name: c.name.clone(),
                title: c.title.clone(),
                department: depts.get(&c.department_id).cloned().unwrap_or_default(),
                roles: roles_of(c),
                active: c.active,
                supervisor: current.get(&c.id).and_then(|s| names.get(s).cloned()),
            })
            .collect())
    }

    async fn create_account(&self, me: &Me, new: NewAccount) -> Result<AccountView, AppError> {
        Self::require(me, Role::Office)?;
        let new = new.validate()?;
        crate::passwords::check_new("password", &new.password, &new.username)?;
        let hash = self.hasher.hash(&new.password).await?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let (dept, sup) = self
            .check_new_account(&tx, &new, &HashSet::new(), &HashMap::new())
            .await?;
        let sup = match sup {
            Some(SupervisorRef::Id(id)) => Some(id),
            _ => None,
        };
        let c = self.insert_account(&tx, me, &new, dept, sup, hash).await?;
        let view = self.account_view(&tx, &c).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn set_account_active(
        &self,
        me: &Me,
        id: CadreId,
        active: bool,
    ) -> Result<AccountView, AppError> {
        Self::require(me, Role::Office)?;
        if id == me.id {
            return Err(AppError::conflict("self_action"));
        }
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let c = self.cadre(&tx, id.0).await?;
        let before = audit::digest_of(&AccountState::from(&c));
        let mut am: cadre::ActiveModel = c.into();
        am.active = Set(active);
        let c = am.update(&tx).await.ie()?;
        if !active {
            session::Entity::delete_many()
                .filter(session::Column::CadreId.eq(c.id))
                .exec(&tx)
                .await
                .ie()?;
        }
        let mut ev = AuditEvent::new(
            Some(me.id.0),
            if active {
                "account.activated"
            } else {
                "account.deactivated"
            },
            "cadre",
            c.id,
        );
        ev.before = Some(before);
        ev.after = Some(audit::digest_of(&AccountState::from(&c)));
        audit::append(&tx, self.now(), ev).await.ie()?;
        let view = self.account_view(&tx, &c).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn reset_password(&self, me: &Me, id: CadreId, password: String) -> Result<(), AppError> {
        Self::require(me, Role::Office)?;
        let c = self.cadre(&self.db, id.0).await?;
        crate::passwords::check_new("password", &password, &c.username)?;
        let hash = self.hasher.hash(&password).await?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let c = self.cadre(&tx, id.0).await?;
        let username = c.username.clone();
        let mut am: cadre::ActiveModel = c.into();
        am.password_hash = Set(hash);
        am.failed_logins = Set(0);
        am.last_failed_at = Set(None);
        am.update(&tx).await.ie()?;
        Self::end_sessions(&tx, id.0, None).await?;
        self.throttle.forget(&username);
        audit::append(
            &tx,
            self.now(),
            AuditEvent::new(Some(me.id.0), "account.password_reset", "cadre", id),
        )
        .await
        .ie()?;
        tx.commit().await.ie()
    }

    async fn assign_supervisor(
        &self,
        me: &Me,
        cadre_id: CadreId,
        supervisor: CadreId,
        from: NaiveDate,
    ) -> Result<AccountView, AppError> {
        Self::require(me, Role::Office)?;
        if cadre_id == supervisor {
            return Err(AppError::invalid("supervisor", "unknown_supervisor"));
        }
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let c = self.cadre(&tx, cadre_id.0).await?;
        let s = self
            .cadre(&tx, supervisor.0)
            .await
            .map_err(|_| AppError::invalid("supervisor", "unknown_supervisor"))?;
        if !s.active || !roles_of(&s).contains(&Role::Supervisor) {
            return Err(AppError::invalid("supervisor", "unknown_supervisor"));
        }
        let open = supervision::Entity::find()
            .filter(supervision::Column::CadreId.eq(c.id))
            .filter(supervision::Column::ValidTo.is_null())
            .all(&tx)
            .await
            .ie()?;
        for o in open {
            if o.valid_from >= from {
                return Err(AppError::invalid("from", "bad_period"));
            }
            let mut am: supervision::ActiveModel = o.into();
            am.valid_to = Set(Some(from));
            am.update(&tx).await.ie()?;
        }
        supervision::ActiveModel {
            cadre_id: Set(c.id),
            supervisor_id: Set(s.id),
            valid_from: Set(from),
            valid_to: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "org.supervisor_assigned", "cadre", c.id);
        ev.after = Some(format!("supervisor={} from={from}", s.id));
        audit::append(&tx, self.now(), ev).await.ie()?;
        let view = self.account_view(&tx, &c).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn create_department(&self, me: &Me, name: String) -> Result<DepartmentView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("department", &name)?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        if department::Entity::find()
            .filter(department::Column::Name.eq(name.as_str()))
            .one(&tx)
            .await
            .ie()?
            .is_some()
        {
            return Err(AppError::conflict("department_exists"));
        }
        let d = department::ActiveModel {
            name: Set(name),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "org.department_created", "department", d.id);
        ev.after = Some(audit::digest_of(&d.name));
        audit::append(&tx, self.now(), ev).await.ie()?;
        tx.commit().await.ie()?;
        Ok(DepartmentView {
            id: DepartmentId(d.id),
            name: d.name,
        })
    }

    async fn rename_department(
        &self,
        me: &Me,
        id: DepartmentId,
        name: String,
    ) -> Result<DepartmentView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("department", &name)?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let d = department::Entity::find_by_id(id.0)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if let Some(other) = department::Entity::find()
            .filter(department::Column::Name.eq(name.as_str()))
            .one(&tx)
            .await
            .ie()?
            && other.id != d.id
        {
            return Err(AppError::conflict("department_exists"));
        }
        let before = audit::digest_of(&d.name);
        let mut am: department::ActiveModel = d.into();
        am.name = Set(name);
        let d = am.update(&tx).await.ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "org.department_renamed", "department", d.id);
        ev.before = Some(before);
        ev.after = Some(audit::digest_of(&d.name));
        audit::append(&tx, self.now(), ev).await.ie()?;
        tx.commit().await.ie()?;
        Ok(DepartmentView {
            id: DepartmentId(d.id),
            name: d.name,
        })
    }

    async fn areas(&self, _me: &Me) -> Result<Vec<AreaView>, AppError> {
        let areas = area::Entity::find()
            .order_by_asc(area::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let mut out = Vec::new();
        for a in &areas {
            out.push(self.area_view(&self.db, a).await?);
        }
        Ok(out)
    }

    async fn create_area(&self, me: &Me, name: String) -> Result<AreaView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("area", &name)?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        if area::Entity::find()
            .filter(area::Column::Name.eq(name.as_str()))
            .one(&tx)
            .await
            .ie()?
            .is_some()
        {
            return Err(AppError::conflict("area_exists"));
        }
        let a = area::ActiveModel {
            name: Set(name),
            chief_id: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "org.area_created", "area", a.id);
        ev.after = Some(audit::digest_of(&a.name));
        audit::append(&tx, self.now(), ev).await.ie()?;
        let view = self.area_view(&tx, &a).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn create_village(
        &self,
        me: &Me,
        area_id: AreaId,
        name: String,
    ) -> Result<AreaView, AppError> {
        Self::require(me, Role::Office)?;
        let name = required_name("village_id", &name)?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let a = area::Entity::find_by_id(area_id.0)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if village::Entity::find()
            .filter(village::Column::Name.eq(name.as_str()))
            .one(&tx)
            .await
            .ie()?
            .is_some()
        {
            return Err(AppError::conflict("village_exists"));
        }
        let v = village::ActiveModel {
            name: Set(name),
            area_id: Set(a.id),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "org.village_created", "village", v.id);
        ev.after = Some(audit::digest_of(&(&v.name, v.area_id)));
        audit::append(&tx, self.now(), ev).await.ie()?;
        let view = self.area_view(&tx, &a).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn set_area_chief(
        &self,
        me: &Me,
        area_id: AreaId,
        chief: Option<CadreId>,
    ) -> Result<AreaView, AppError> {
        Self::require(me, Role::Office)?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let a = area::Entity::find_by_id(area_id.0)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if let Some(c) = chief {
            let person = self
                .cadre(&tx, c.0)
                .await
                .map_err(|_| AppError::invalid("area_chief", "unknown_cadre"))?;
            if !person.active {
                return Err(AppError::invalid("area_chief", "unknown_cadre"));
            }
            let mut roles = roles_of(&person);
            if !roles.contains(&Role::AreaChief) {
                roles.push(Role::AreaChief);
                roles.sort();
                let before = audit::digest_of(&AccountState::from(&person));
                let mut am: cadre::ActiveModel = person.into();
                am.roles = Set(Role::join(&roles));
                let person = am.update(&tx).await.ie()?;
                let mut ev =
                    AuditEvent::new(Some(me.id.0), "account.roles_changed", "cadre", person.id);
                ev.before = Some(before);
                ev.after = Some(audit::digest_of(&AccountState::from(&person)));
                audit::append(&tx, self.now(), ev).await.ie()?;
            }
        }
        let before = a.chief_id;
        let mut am: area::ActiveModel = a.into();
        am.chief_id = Set(chief.map(|c| c.0));
        let a = am.update(&tx).await.ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "org.area_chief_set", "area", a.id);
        ev.before = Some(audit::digest_of(&before));
        ev.after = Some(audit::digest_of(&a.chief_id));
        audit::append(&tx, self.now(), ev).await.ie()?;
        let view = self.area_view(&tx, &a).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn import_cadres(&self, me: &Me, csv: String) -> Result<ImportReport, AppError> {
        Self::require(me, Role::Office)?;
        let rows = crate::import::parse_csv(&csv)?;
        // Checked once without the lock, so that passwords are hashed (slow: ~25 ms each)
        // only for a file that will be stored, and never while the lock is held; checked
        // again under the lock in case something changed meanwhile.
        let checked = self.check_import(&self.db, rows.clone()).await?;
        let hashes = self
            .hasher
            .hash_all(
                checked
                    .iter()
                    .map(|(_, r, _, _)| r.password.clone())
                    .collect(),
            )
            .await?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let mut checked = self.check_import(&tx, rows).await?;
        let mut hashes: HashMap<i32, String> = checked
            .iter()
            .map(|(idx, _, _, _)| *idx)
            .zip(hashes)
            .collect();
        let mut created_ids: HashMap<i32, i32> = HashMap::new();
        // Supervisors first, so rows can name a supervisor from the same file.
        checked.sort_by_key(|(_, r, _, _)| !r.roles.contains(&Role::Supervisor));
        let mut pending_links = Vec::new();
        for (idx, row, dept, sup) in &checked {
            let hash = hashes.remove(idx).ok_or(AppError::Internal {})?;
            let direct = match sup {
                Some(SupervisorRef::Id(id)) => Some(*id),
                Some(SupervisorRef::Batch(b)) => created_ids.get(b).copied(),
                None => None,
            };
            let c = self
                .insert_account(&tx, me, row, *dept, direct, hash)
                .await?;
            created_ids.insert(*idx, c.id);
            if let (Some(SupervisorRef::Batch(b)), None) = (sup, direct) {
                pending_links.push((c.id, *b));
            }
        }
        for (cadre_id, b) in pending_links {
            if let Some(sup) = created_ids.get(&b) {
                supervision::ActiveModel {
                    cadre_id: Set(cadre_id),
                    supervisor_id: Set(*sup),
                    valid_from: Set(self.today()),
                    valid_to: Set(None),
                    ..Default::default()
                }
                .insert(&tx)
                .await
                .ie()?;
            }
        }
        tx.commit().await.ie()?;
        Ok(ImportReport {
            created: checked.len() as u32,
            errors: Vec::new(),
        })
    }
}

/// An import row ready to store: its index in the file, the account, department and
/// supervisor.
type CheckedRow = (i32, NewAccount, i32, Option<SupervisorRef>);

impl Service {
    /// Checks every row of an account import against the database; all or nothing: any
    /// bad row makes the whole file a `RowErrors` answer.
    async fn check_import<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: Vec<crate::import::Row>,
    ) -> Result<Vec<CheckedRow>, AppError> {
        let mut errors = Vec::new();
        let mut taken = HashSet::new();
        // Supervisors named by rows of the same file, wherever they stand in it.
        let batch_sups: HashMap<String, i32> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, (_, r))| {
                r.as_ref()
                    .ok()
                    .filter(|a| a.roles.contains(&Role::Supervisor))
                    .map(|a| (a.username.clone(), i as i32))
            })
            .collect();
        let mut checked = Vec::new();
        for (idx, (line, row)) in rows.into_iter().enumerate() {
            let row = row.and_then(|r| {
                crate::passwords::check_new("password", &r.password, &r.username)
                    .map(|()| r)
                    .map_err(|e| match e {
                        AppError::Invalid { field, reason } => (field, reason),
                        _ => ("password".into(), "password_common".into()),
                    })
            });
            let row = match row {
                Ok(r) => r,
                Err((field, reason)) => {
                    errors.push(ImportRowError {
                        line,
                        field,
                        reason,
                    });
                    continue;
                }
            };
            match self.check_new_account(db, &row, &taken, &batch_sups).await {
                Ok((dept, sup)) => {
                    taken.insert(row.username.clone());
                    checked.push((idx as i32, row, dept, sup));
                }
                Err(AppError::Invalid { field, reason }) => errors.push(ImportRowError {
                    line,
                    field,
                    reason,
                }),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::RowErrors { errors });
        }
        Ok(checked)
    }
}

/// An argon2id hash of a random string, checked when the user name is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Y0bY5xvZcB8oX8Mf1bJxkzJ0VtQO+0pP3rLw6wIYHo";

/// How many people the database holds (the demo is only created in an empty one).
pub async fn count_cadres(db: &DatabaseConnection) -> Result<u64, DbErr> {
    cadre::Entity::find().count(db).await
}
