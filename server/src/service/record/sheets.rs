//! Sheets and who may see them: supervision over time, sheet views, the sheet history.

use super::*;

/// A sheet's ten-day period.
pub(crate) fn period_of(s: &sheet::Model) -> Result<SheetPeriod, AppError> {
    Ok(SheetPeriod {
        year: s.year,
        month: s.month as u32,
        dekad: Dekad::from_number(s.dekad).stored("sheets", s.id, "dekad")?,
    })
}

/// A sheet's stored state.
pub(crate) fn status_of(s: &sheet::Model) -> Result<SheetStatus, AppError> {
    SheetStatus::from_code(&s.status).stored("sheets", s.id, "status")
}

impl Service {
    /// The supervising leader of `cadre_id` during `period` (the assignment covering its
    /// last day, or else the latest one overlapping it).
    pub(in crate::service) async fn supervisor_of<C: ConnectionTrait>(
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
    pub(in crate::service) async fn supervised_in<C: ConnectionTrait>(
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
    pub(in crate::service) async fn can_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        s: &sheet::Model,
    ) -> Result<bool, AppError> {
        if s.cadre_id == me.id.0 || me.sees_all_sheets() {
            return Ok(true);
        }
        Ok(me.has(Role::Supervisor)
            && self.supervisor_of(db, s.cadre_id, period_of(s)?).await? == Some(me.id.0))
    }

    pub(in crate::service) async fn is_supervisor_of<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        s: &sheet::Model,
    ) -> Result<bool, AppError> {
        Ok(me.has(Role::Supervisor)
            && self.supervisor_of(db, s.cadre_id, period_of(s)?).await? == Some(me.id.0))
    }

    pub(in crate::service) async fn find_sheet<C: ConnectionTrait>(
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

    pub(in crate::service) async fn find_or_create_sheet<C: ConnectionTrait>(
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
        let ev = AuditEvent::new(Some(cadre_id), "sheet.created", "sheet", s.id);
        self.append_audit(db, ev).await?;
        Ok(s)
    }

    pub(in crate::service) fn entry_view(
        e: &day_entry::Model,
        villages: &HashMap<i32, String>,
    ) -> Result<DayEntryView, AppError> {
        Ok(DayEntryView {
            id: EntryId(e.id),
            day: e.day,
            work: e.work.clone(),
            outcome: e.outcome.clone(),
            place: Place::from_code(&e.place).stored("day_entries", e.id, "place")?,
            village_id: e.village_id.map(VillageId),
            village: e.village_id.and_then(|v| villages.get(&v).cloned()),
            place_note: e.place_note.clone(),
            written_at: e.written_at,
            updated_at: e.updated_at,
            version: u32::try_from(e.version).stored("day_entries", e.id, "version")?,
            device_written_at: e.device_written_at,
        })
    }

    pub(in crate::service) fn summary(
        &self,
        s: Option<&sheet::Model>,
        c: &cadre::Model,
        dept: &str,
        period: SheetPeriod,
        days_written: u32,
    ) -> Result<SheetSummary, AppError> {
        let due = period.due(&self.policy);
        let (status, late) = match s {
            Some(s) => (status_of(s)?, s.late),
            None => (SheetStatus::Draft, false),
        };
        Ok(SheetSummary {
            id: s.map(|s| SheetId(s.id)),
            cadre: PersonRef::new(CadreId(c.id), c.name.clone()),
            department: dept.to_string(),
            period,
            state: SheetState::derive(status, late, self.now() > due),
            days_written,
            days_total: period.days().len() as u32,
            first_submitted_at: s.and_then(|s| s.first_submitted_at.or(s.submitted_at)),
            late,
            submitted_at: s.and_then(|s| s.submitted_at),
            reviewed_at: s.and_then(|s| s.reviewed_at),
            due,
        })
    }

    pub(in crate::service) async fn entry_counts<C: ConnectionTrait>(
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

    pub(in crate::service) async fn sheet_view<C: ConnectionTrait>(
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
        let today = self.today();
        let status = s.map(status_of).transpose()?.unwrap_or(SheetStatus::Draft);
        let own = owner.id == me.id.0;
        let writable = |d: NaiveDate| own && day_is_writable(d, today, status);
        let days = Self::sheet_days(period, &entries, &villages, writable)?;
        let (history, versions) = match s {
            Some(s) => self.sheet_record(db, s, &villages).await?,
            None => (Vec::new(), Vec::new()),
        };
        let supervisor_id = self.supervisor_of(db, owner.id, period).await?;
        let supervisor = match supervisor_id {
            Some(id) => Some(self.person(db, id).await?),
            None => None,
        };
        let reviewer = match s.and_then(|s| s.reviewer_id) {
            Some(id) => Some(self.person(db, id).await?),
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
        )?;
        let can_review = s.is_some()
            && status == SheetStatus::Submitted
            && me.has(Role::Supervisor)
            && supervisor_id == Some(me.id.0);
        Ok(SheetView {
            summary,
            days,
            history,
            versions,
            review_comment: s.and_then(|s| s.review_comment.clone()),
            reviewer,
            supervisor,
            can_submit: own && s.is_some() && status.is_open() && !entries.is_empty(),
            can_review,
            today,
        })
    }

    /// The period's days, each with its entry (if written) and whether the viewer may
    /// write it.
    fn sheet_days(
        period: SheetPeriod,
        entries: &[day_entry::Model],
        villages: &HashMap<i32, String>,
        writable: impl Fn(NaiveDate) -> bool,
    ) -> Result<Vec<SheetDay>, AppError> {
        let by_day: HashMap<NaiveDate, &day_entry::Model> =
            entries.iter().map(|e| (e.day, e)).collect();
        period
            .days()
            .into_iter()
            .map(|d| {
                Ok(SheetDay {
                    day: d,
                    writable: writable(d),
                    entry: by_day
                        .get(&d)
                        .map(|e| Self::entry_view(e, villages))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// The sheet's history (submitted, reviewed, returned, …) in order, with each actor
    /// looked up once, and every submitted version with its content, what changed from the
    /// version before, and its return or review.
    async fn sheet_record<C: ConnectionTrait>(
        &self,
        db: &C,
        s: &sheet::Model,
        villages: &HashMap<i32, String>,
    ) -> Result<(Vec<SheetEventView>, Vec<SheetVersion>), AppError> {
        let mut people: HashMap<i32, PersonRef> = HashMap::new();
        let mut history = Vec::new();
        let mut versions: Vec<SheetVersion> = Vec::new();
        let events = sheet_event::Entity::find()
            .filter(sheet_event::Column::SheetId.eq(s.id))
            .order_by_asc(sheet_event::Column::Id)
            .all(db)
            .await
            .ie()?;
        for ev in events {
            if let std::collections::hash_map::Entry::Vacant(v) = people.entry(ev.actor_id) {
                v.insert(self.person(db, ev.actor_id).await?);
            }
            let actor = people
                .get(&ev.actor_id)
                .cloned()
                .ok_or(AppError::Internal {})?;
            match ev.kind.as_str() {
                "submitted" => {
                    let entries = ev
                        .snapshot
                        .as_deref()
                        .map(|json| Self::snapshot_entries(ev.id, json, villages))
                        .transpose()?;
                    let changes = match (versions.last().and_then(|v| v.entries.as_ref()), &entries)
                    {
                        (Some(before), Some(after)) => version_changes(before, after),
                        _ => Vec::new(),
                    };
                    versions.push(SheetVersion {
                        number: versions.len() as u32 + 1,
                        submitted_at: ev.at,
                        entries,
                        changes,
                        returned: None,
                        reviewed_at: None,
                    });
                }
                "returned" => {
                    if let Some(v) = versions.last_mut() {
                        v.returned = Some(ReturnView {
                            by: actor.clone(),
                            at: ev.at,
                            reason: ev.note.clone().unwrap_or_default(),
                        });
                    }
                }
                "reviewed" => {
                    if let Some(v) = versions.last_mut() {
                        v.reviewed_at = Some(ev.at);
                    }
                }
                _ => {}
            }
            history.push(SheetEventView {
                kind: ev.kind,
                actor,
                at: ev.at,
                note: ev.note,
            });
        }
        Ok((history, versions))
    }

    /// The lines of a submission's stored snapshot; one that does not decode is a logged 500.
    fn snapshot_entries(
        event_id: i32,
        json: &str,
        villages: &HashMap<i32, String>,
    ) -> Result<Vec<VersionEntry>, AppError> {
        let rows: Vec<SnapshotEntry> =
            serde_json::from_str(json).stored("sheet_events", event_id, "snapshot")?;
        rows.into_iter()
            .map(|e| {
                Ok(VersionEntry {
                    day: e.day,
                    work: e.work,
                    outcome: e.outcome,
                    place: Place::from_code(&e.place).stored(
                        "sheet_events",
                        event_id,
                        "snapshot",
                    )?,
                    village: e.village_id.and_then(|v| villages.get(&v).cloned()),
                    place_note: e.place_note,
                })
            })
            .collect()
    }

    /// Loads a sheet the caller may see, or `NotFound` (existence stays private).
    pub(in crate::service) async fn visible_sheet<C: ConnectionTrait>(
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

    pub(in crate::service) async fn add_event<C: ConnectionTrait>(
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
}
