//! The daily work record (一记): Today, day entries, ten-day sheets, the leader's inbox and
//! the archive.

mod archive;
mod sheets;

pub(in crate::service) use sheets::{period_of, status_of};

use app::record::replay::{check_version, save_times};

use crate::service::prelude::*;

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

/// One line of a submission's snapshot as stored in `sheet_events.snapshot` (the JSON of
/// `EntryState`), read back.
#[derive(Deserialize)]
struct SnapshotEntry {
    day: NaiveDate,
    work: String,
    outcome: String,
    place: String,
    village_id: Option<i32>,
    place_note: Option<String>,
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

/// A sheet found by text: the matching line and the submitted versions that contain it.
struct TextHit {
    snippet: String,
    versions: Vec<u32>,
}

/// A sheet's state, or "draft" for a period that has no sheet yet.
fn status_or_draft(s: Option<&sheet::Model>) -> Result<SheetStatus, AppError> {
    Ok(s.map(status_of).transpose()?.unwrap_or(SheetStatus::Draft))
}

impl Service {
    /// Empty writable days of the current and previous dekad (and of `day`'s sheet),
    /// other than `day` itself: what Today offers to fill in.
    async fn missing_days(
        &self,
        me: &Me,
        day: NaiveDate,
        period: SheetPeriod,
    ) -> Result<Vec<NaiveDate>, AppError> {
        let today = self.today();
        let current = SheetPeriod::containing(today);
        let mut periods = vec![current.prev(), current];
        if !periods.contains(&period) {
            periods.insert(0, period);
        }
        let mut missing = Vec::new();
        for p in periods {
            let ps = self.find_sheet(&self.db, me.id.0, p).await?;
            let st = status_or_draft(ps.as_ref())?;
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
            missing.extend(p.days().into_iter().filter(|d| {
                *d != day
                    && d.weekday().number_from_monday() <= 5
                    && !written.contains(d)
                    && day_is_writable(*d, today, st)
            }));
        }
        Ok(missing)
    }

    /// The cadre's latest entry by day, on any sheet.
    async fn last_entry(&self, me: &Me) -> Result<Option<day_entry::Model>, AppError> {
        let sheets: Vec<i32> = sheet::Entity::find()
            .filter(sheet::Column::CadreId.eq(me.id.0))
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|s| s.id)
            .collect();
        day_entry::Entity::find()
            .filter(day_entry::Column::SheetId.is_in(sheets))
            .order_by_desc(day_entry::Column::Day)
            .one(&self.db)
            .await
            .ie()
    }

    /// What the first save with this client id stored, if there was one; another person's
    /// client id, or the same one sent with other content (`digest`), is refused.
    async fn repeated_save(
        tx: &DatabaseTransaction,
        me: &Me,
        client_id: &str,
        digest: &str,
        villages: &HashMap<i32, String>,
    ) -> Result<Option<DayEntryView>, AppError> {
        let Some(prev) = entry_save::Entity::find_by_id(client_id.to_string())
            .one(tx)
            .await
            .ie()?
        else {
            return Ok(None);
        };
        if prev.cadre_id != me.id.0 {
            return Err(AppError::conflict("bad_client_id"));
        }
        if prev.request_digest.as_deref().is_some_and(|d| d != digest) {
            return Err(AppError::conflict("client_id_reused"));
        }
        let e = day_entry::Entity::find_by_id(prev.entry_id)
            .one(tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        Ok(Some(Self::entry_view(&e, villages)?))
    }

    /// The sheet the entry goes on, created if the dekad has none yet, once the day, the
    /// village and the sheet's state allow writing it.
    async fn writable_sheet(
        &self,
        tx: &DatabaseTransaction,
        me: &Me,
        input: &EntryInput,
        today: NaiveDate,
        villages: &HashMap<i32, String>,
    ) -> Result<sheet::Model, AppError> {
        if input.day > today {
            return Err(AppError::invalid("day", "future_day"));
        }
        if let Some(v) = input.village_id
            && !villages.contains_key(&v.0)
        {
            return Err(AppError::invalid("village_id", "unknown_village"));
        }
        let period = SheetPeriod::containing(input.day);
        let existing_sheet = self.find_sheet(tx, me.id.0, period).await?;
        let status = status_or_draft(existing_sheet.as_ref())?;
        if !status.is_open() {
            return Err(AppError::conflict("sheet_locked"));
        }
        if !day_is_writable(input.day, today, status) {
            return Err(AppError::invalid("day", "day_closed"));
        }
        match existing_sheet {
            Some(s) => Ok(s),
            None => self.find_or_create_sheet(tx, me.id.0, period).await,
        }
    }

    /// Writes the day's entry on sheet `sheet_id`: updates the one already there or inserts
    /// it. Returns the stored entry and, for an update, the digest of what it replaced.
    async fn upsert_entry(
        tx: &DatabaseTransaction,
        sheet_id: i32,
        input: &EntryInput,
        now: DateTime<Utc>,
        device: Option<DateTime<Utc>>,
    ) -> Result<(day_entry::Model, Option<String>), AppError> {
        let existing = day_entry::Entity::find()
            .filter(day_entry::Column::SheetId.eq(sheet_id))
            .filter(day_entry::Column::Day.eq(input.day))
            .one(tx)
            .await
            .ie()?;
        let place = input.place.code().to_string();
        let village_id = input.village_id.map(|v| v.0);
        let current = match &existing {
            Some(e) => Some(u32::try_from(e.version).stored("day_entries", e.id, "version")?),
            None => None,
        };
        check_version(input.base_version, current)?;
        Ok(match existing {
            Some(e) => {
                let before = audit::digest_of(&EntryState::from(&e));
                let version = e.version + 1;
                let mut am: day_entry::ActiveModel = e.into();
                am.version = Set(version);
                am.device_written_at = Set(device);
                am.work = Set(input.work.clone());
                am.outcome = Set(input.outcome.clone());
                am.place = Set(place);
                am.village_id = Set(village_id);
                am.place_note = Set(input.place_note.clone());
                am.updated_at = Set(now);
                (am.update(tx).await.ie()?, Some(before))
            }
            None => (
                day_entry::ActiveModel {
                    sheet_id: Set(sheet_id),
                    day: Set(input.day),
                    work: Set(input.work.clone()),
                    outcome: Set(input.outcome.clone()),
                    place: Set(place),
                    village_id: Set(village_id),
                    place_note: Set(input.place_note.clone()),
                    written_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    device_written_at: Set(device),
                    ..Default::default()
                }
                .insert(tx)
                .await
                .ie()?,
                None,
            ),
        })
    }
}

/// A sheet period as a sortable key: year, month, dekad.
fn period_key(p: SheetPeriod) -> (i32, u32, i32) {
    (p.year, p.month, p.dekad.number())
}

#[async_trait::async_trait]
impl app::ports::Records for Service {
    async fn today(&self, me: &Me, day: Option<NaiveDate>) -> Result<TodayView, AppError> {
        let today = self.today();
        let day = day.unwrap_or(today);
        if day > today {
            return Err(AppError::invalid("day", "future_day"));
        }
        // The calendar's years (as every period: 2000–2100); found by the API fuzzer.
        if !(2000..=2100).contains(&day.year()) {
            return Err(AppError::invalid("day", "out_of_range"));
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
            .map(|e| Self::entry_view(e, &villages_map))
            .transpose()?;
        let status = status_or_draft(s.as_ref())?;
        let missing = self.missing_days(me, day, period).await?;
        let depts = self.department_names(&self.db).await?;
        let last = self.last_entry(me).await?;
        let last_place = last
            .as_ref()
            .map(|e| Place::from_code(&e.place).stored("day_entries", e.id, "place"))
            .transpose()?;
        let last_village_id = last.and_then(|e| e.village_id).map(VillageId);
        let mut villages = self.villages(me).await?;
        // The village last worked in first.
        villages.sort_by_key(|v| Some(v.id) != last_village_id);
        Ok(TodayView {
            now: self.now(),
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
            )?,
            missing_days: missing,
            client_id: uuid::Uuid::new_v4().simple().to_string(),
            last_place,
            last_village_id,
        })
    }

    async fn save_entry(&self, me: &Me, input: EntryInput) -> Result<DayEntryView, AppError> {
        let input = input.validate(&self.policy)?;
        if input.author.is_some_and(|a| a != me.id) {
            return Err(AppError::conflict("wrong_account"));
        }
        let now = self.now();
        // A save replayed from a phone's outbox is judged by when it was written there.
        let times = save_times(input.day, input.device_written_at, now, &self.policy)?;
        let today = self.policy.local_date(times.judged);
        // What this save was sent with, to tell a repeat from a reused client id.
        let digest = audit::digest_of(&(
            input.day,
            &input.work,
            &input.outcome,
            input.place,
            input.village_id,
            &input.place_note,
        ));
        self.write(async |tx| {
            let villages = self.village_names(tx).await?;
            // A repeated save (same client id, same content) is answered with what the first
            // one stored.
            let repeat = Self::repeated_save(tx, me, &input.client_id, &digest, &villages).await?;
            if let Some(view) = repeat {
                return Ok(Change::unchanged(view));
            }
            let s = self
                .writable_sheet(tx, me, &input, today, &villages)
                .await?;
            let (saved, before) = Self::upsert_entry(tx, s.id, &input, now, times.device).await?;
            entry_save::ActiveModel {
                client_id: Set(input.client_id.clone()),
                cadre_id: Set(me.id.0),
                entry_id: Set(saved.id),
                saved_at: Set(now),
                request_digest: Set(Some(digest.clone())),
            }
            .insert(tx)
            .await
            .ie()?;
            let mut ev = AuditEvent::new(Some(me.id.0), "entry.saved", "day_entry", saved.id);
            ev.before = before;
            ev.after = Some(audit::digest_of(&EntryState::from(&saved)));
            Ok(Change::audited(Self::entry_view(&saved, &villages)?, ev))
        })
        .await
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
        let periods = sheets
            .iter()
            .map(period_of)
            .collect::<Result<Vec<_>, AppError>>()?;
        if !periods.contains(&current) {
            out.push(self.summary(None, &owner, &me.department, current, 0)?);
        }
        for (s, period) in sheets.iter().zip(periods) {
            let written = counts.get(&s.id).copied().unwrap_or(0);
            out.push(self.summary(Some(s), &owner, &me.department, period, written)?);
        }
        Ok(out)
    }

    async fn sheet(&self, me: &Me, id: SheetId) -> Result<SheetView, AppError> {
        let s = self.visible_sheet(&self.db, me, id).await?;
        let owner = self.cadre(&self.db, s.cadre_id).await?;
        self.sheet_view(&self.db, me, Some(&s), &owner, period_of(&s)?)
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
        self.write(async |tx| {
            let s = self.visible_sheet(tx, me, id).await?;
            if s.cadre_id != me.id.0 {
                return Err(AppError::Forbidden {});
            }
            let status = status_of(&s)?;
            if !status.is_open() {
                return Err(AppError::conflict("already_submitted"));
            }
            let entries = day_entry::Entity::find()
                .filter(day_entry::Column::SheetId.eq(s.id))
                .order_by_asc(day_entry::Column::Day)
                .all(tx)
                .await
                .ie()?;
            if entries.is_empty() {
                return Err(AppError::invalid("day", "empty_sheet"));
            }
            let period = period_of(&s)?;
            let before = audit::digest_of(&SheetState_::from(&s));
            // Lateness is decided by the first submission; a resubmission after a return
            // keeps it.
            let late = s.late || (s.submitted_at.is_none() && now > period.due(&self.policy));
            let snapshot: Vec<EntryState> = entries.iter().map(EntryState::from).collect();
            let snapshot =
                Some(serde_json::to_string(&snapshot).map_err(|_| AppError::Internal {})?);
            let mut am: sheet::ActiveModel = s.clone().into();
            am.status = Set(SheetStatus::Submitted.code().into());
            am.late = Set(late);
            am.submitted_at = Set(Some(now));
            if s.first_submitted_at.is_none() {
                am.first_submitted_at = Set(Some(now));
            }
            let s = am.update(tx).await.ie()?;
            self.add_event(tx, s.id, "submitted", me.id.0, None, snapshot)
                .await?;
            let mut ev = AuditEvent::new(Some(me.id.0), "sheet.submitted", "sheet", s.id);
            ev.before = Some(before);
            ev.after = Some(audit::digest_of(&SheetState_::from(&s)));
            Ok(Change::audited((), ev))
        })
        .await?;
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
        self.write(async |tx| {
            let s = self.visible_sheet(tx, me, id).await?;
            if !self.is_supervisor_of(tx, me, &s).await? {
                return Err(AppError::Forbidden {});
            }
            match status_of(&s)? {
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
            let s = am.update(tx).await.ie()?;
            self.add_event(tx, s.id, "reviewed", me.id.0, comment, None)
                .await?;
            let mut ev = AuditEvent::new(Some(me.id.0), "sheet.reviewed", "sheet", s.id);
            ev.before = Some(before);
            ev.after = Some(audit::digest_of(&SheetState_::from(&s)));
            Ok(Change::audited((), ev))
        })
        .await?;
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
        self.write(async |tx| {
            let s = self.visible_sheet(tx, me, id).await?;
            if !self.is_supervisor_of(tx, me, &s).await? {
                return Err(AppError::Forbidden {});
            }
            match status_of(&s)? {
                SheetStatus::Submitted => {}
                SheetStatus::Reviewed => return Err(AppError::conflict("already_reviewed")),
                _ => return Err(AppError::conflict("not_submitted")),
            }
            let before = audit::digest_of(&SheetState_::from(&s));
            let mut am: sheet::ActiveModel = s.into();
            am.status = Set(SheetStatus::Returned.code().into());
            let s = am.update(tx).await.ie()?;
            self.add_event(tx, s.id, "returned", me.id.0, Some(reason), None)
                .await?;
            let mut ev = AuditEvent::new(Some(me.id.0), "sheet.returned", "sheet", s.id);
            ev.before = Some(before);
            ev.after = Some(audit::digest_of(&SheetState_::from(&s)));
            Ok(Change::audited((), ev))
        })
        .await?;
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
                Ok(InboxRow {
                    sheet: self.summary(
                        s,
                        c,
                        depts
                            .get(&c.department_id)
                            .map(String::as_str)
                            .unwrap_or(""),
                        period,
                        s.and_then(|s| counts.get(&s.id).copied()).unwrap_or(0),
                    )?,
                })
            })
            .collect::<Result<_, AppError>>()?;
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

    async fn archive_search(&self, me: &Me, q: ArchiveQuery) -> Result<ArchiveResults, AppError> {
        if !me.sees_all_sheets() {
            return Err(AppError::Forbidden {});
        }
        const PER_PAGE: u32 = 20;
        let cadres = self.archive_cadres(&q).await?;
        let (sheets, snippets) = self.archive_sheets(&q, &cadres).await?;
        let total = sheets.len() as u64;
        let start = (q.page as usize).saturating_mul(PER_PAGE as usize);
        let page: Vec<(sheet::Model, SheetPeriod)> = sheets
            .into_iter()
            .skip(start)
            .take(PER_PAGE as usize)
            .collect();
        let hits = self.archive_hits(&page, &cadres, &snippets).await?;
        Ok(ArchiveResults {
            hits,
            total,
            page: q.page,
            per_page: PER_PAGE,
        })
    }
}
