//! Area-chief opinions on their cadres' month, and the month at a glance they are based on.

use super::*;

impl Service {
    /// The month at a glance for each of `ids`.
    pub(super) async fn glances<C: ConnectionTrait>(
        &self,
        db: &C,
        ids: &[i32],
        month: Month,
    ) -> Result<
        (
            HashMap<i32, MonthGlance>,
            Vec<day_entry::Model>,
            HashMap<i32, i32>,
        ),
        AppError,
    > {
        let sheets = sheet::Entity::find()
            .filter(sheet::Column::Year.eq(month.year))
            .filter(sheet::Column::Month.eq(month.month as i32))
            .filter(sheet::Column::CadreId.is_in(ids.iter().copied()))
            .all(db)
            .await
            .ie()?;
        let sheet_owner: HashMap<i32, i32> = sheets.iter().map(|s| (s.id, s.cadre_id)).collect();
        let status: HashMap<i32, SheetStatus> = sheets
            .iter()
            .map(|s| Ok((s.id, status_of(s)?)))
            .collect::<Result<_, AppError>>()?;
        // Only entries of submitted sheets may be cited: they are locked.
        let citable: HashMap<i32, i32> = sheets
            .iter()
            .filter(|s| handed_in(status[&s.id]))
            .map(|s| (s.id, s.cadre_id))
            .collect();
        let entries = if sheets.is_empty() {
            Vec::new()
        } else {
            day_entry::Entity::find()
                .filter(day_entry::Column::SheetId.is_in(sheets.iter().map(|s| s.id)))
                .order_by_asc(day_entry::Column::Day)
                .all(db)
                .await
                .ie()?
        };
        let tally = EntryTally::of(&entries, &sheet_owner);
        let now = self.now();
        let mut out = HashMap::new();
        for id in ids {
            let glance = self.month_glance(*id, month, &sheets, &status, &tally, now);
            out.insert(*id, glance);
        }
        Ok((out, entries, citable))
    }

    /// One cadre's month at a glance: the state of each dekad's sheet (a missing sheet is a
    /// draft), the days written, where the work was done, and how many sheets are not in.
    fn month_glance(
        &self,
        id: i32,
        month: Month,
        sheets: &[sheet::Model],
        status: &HashMap<i32, SheetStatus>,
        tally: &EntryTally<'_>,
        now: DateTime<Utc>,
    ) -> MonthGlance {
        let mut missing = 0;
        let glance_sheets = month
            .periods()
            .into_iter()
            .map(|p| {
                let s = sheets
                    .iter()
                    .find(|s| s.cadre_id == id && s.dekad == p.dekad.number());
                let status = s.map_or(SheetStatus::Draft, |s| status[&s.id]);
                if !s.is_some_and(|_| handed_in(status)) {
                    missing += 1;
                }
                GlanceSheet {
                    period: p,
                    sheet: s.map(|s| SheetId(s.id)),
                    state: SheetState::derive(
                        status,
                        s.is_some_and(|s| s.late),
                        now > p.due(&self.policy),
                    ),
                    days_written: s.and_then(|s| tally.days.get(&s.id)).copied().unwrap_or(0),
                    days_total: p.days().len() as u32,
                }
            })
            .collect();
        let pl = tally.places.get(&id);
        MonthGlance {
            sheets: glance_sheets,
            places: Place::ALL
                .into_iter()
                .map(|place| PlaceDays {
                    place,
                    days: pl.and_then(|m| m.get(place.code())).copied().unwrap_or(0),
                })
                .collect(),
            missing,
        }
    }

    /// The latest opinion per (author, cadre, month) for `ids` in `months`.
    pub(super) async fn opinions<C: ConnectionTrait>(
        &self,
        db: &C,
        ids: &[i32],
        months: &[Month],
        people: &HashMap<i32, Person>,
    ) -> Result<Vec<OpinionView>, AppError> {
        let mut out: Vec<OpinionView> = Vec::new();
        for m in months {
            let rows = area_opinion::Entity::find()
                .filter(area_opinion::Column::Year.eq(m.year))
                .filter(area_opinion::Column::Month.eq(m.month as i32))
                .filter(area_opinion::Column::CadreId.is_in(ids.iter().copied()))
                .order_by_asc(area_opinion::Column::Id)
                .all(db)
                .await
                .ie()?;
            let mut latest: BTreeMap<(i32, i32), (area_opinion::Model, u32)> = BTreeMap::new();
            for r in rows {
                let key = (r.cadre_id, r.author_id);
                let revisions = latest.get(&key).map(|(_, n)| n + 1).unwrap_or(0);
                latest.insert(key, (r, revisions));
            }
            for (_, (r, revisions)) in latest {
                out.push(OpinionView {
                    id: OpinionId(r.id),
                    cadre: CadreId(r.cadre_id),
                    month: *m,
                    author: people.person_ref(r.author_id),
                    text: r.text,
                    rating: r.rating.map(|x| x as u32),
                    written_at: r.written_at,
                    late: r.late,
                    revisions,
                });
            }
        }
        Ok(out)
    }

    /// The cadres in the areas `me` is chief of (not `me`).
    pub(super) async fn area_cadres<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
    ) -> Result<Vec<(cadre::Model, String)>, AppError> {
        let areas = area::Entity::find()
            .filter(area::Column::ChiefId.eq(me.id.0))
            .all(db)
            .await
            .ie()?;
        if areas.is_empty() {
            return Ok(Vec::new());
        }
        let names: HashMap<i32, String> = areas.iter().map(|a| (a.id, a.name.clone())).collect();
        Ok(cadre::Entity::find()
            .filter(cadre::Column::AreaId.is_in(areas.iter().map(|a| a.id)))
            .filter(cadre::Column::Active.eq(true))
            .filter(cadre::Column::Id.ne(me.id.0))
            .order_by_asc(cadre::Column::Name)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| {
                let a = c
                    .area_id
                    .and_then(|a| names.get(&a).cloned())
                    .unwrap_or_default();
                (c, a)
            })
            .collect())
    }
}

#[async_trait::async_trait]
impl app::ports::Opinions for Service {
    async fn opinion_sheet(&self, me: &Me, month: Option<Month>) -> Result<OpinionSheet, AppError> {
        Self::require(me, Role::AreaChief)?;
        let month = month.unwrap_or_else(|| self.default_month());
        let (_, policy) = self.eval_policy(&self.db).await?;
        let people = self.people(&self.db).await?;
        let cadres = self.area_cadres(&self.db, me).await?;
        let ids: Vec<i32> = cadres.iter().map(|(c, _)| c.id).collect();
        let (glances, _, _) = self.glances(&self.db, &ids, month).await?;
        let opinions = self.opinions(&self.db, &ids, &[month], &people).await?;
        let rows = cadres
            .into_iter()
            .map(|(c, area)| OpinionRow {
                cadre: PersonRef::new(CadreId(c.id), c.name.clone()),
                department: people
                    .get(&c.id)
                    .map(|p| p.department.clone())
                    .unwrap_or_default(),
                area,
                glance: glances.get(&c.id).cloned().unwrap_or(MonthGlance {
                    sheets: vec![],
                    places: vec![],
                    missing: 3,
                }),
                opinion: opinions
                    .iter()
                    .rev()
                    .find(|o| o.cadre.0 == c.id && o.author.id == me.id)
                    .cloned(),
            })
            .collect();
        Ok(OpinionSheet {
            month,
            due: policy.opinion_due(month, &self.policy),
            rating_max: policy.rating_max,
            rows,
        })
    }

    async fn save_opinion(
        &self,
        me: &Me,
        month: Month,
        cadre_id: CadreId,
        text: String,
        rating: Option<u32>,
    ) -> Result<OpinionView, AppError> {
        Self::require(me, Role::AreaChief)?;
        let text = required_text("text", &text)?;
        let (_, policy) = self.eval_policy(&self.db).await?;
        if let Some(r) = rating
            && !(1..=policy.rating_max).contains(&r)
        {
            return Err(AppError::invalid("rating", "out_of_range"));
        }
        if month.first_day() > self.today() {
            return Err(AppError::invalid("month", "future_month"));
        }
        self.write(async |tx| {
            let mine = self.area_cadres(tx, me).await?;
            if !mine.iter().any(|(c, _)| c.id == cadre_id.0) {
                return Err(AppError::Forbidden {});
            }
            let now = self.now();
            let row = area_opinion::ActiveModel {
                cadre_id: Set(cadre_id.0),
                author_id: Set(me.id.0),
                year: Set(month.year),
                month: Set(month.month as i32),
                text: Set(text.clone()),
                rating: Set(rating.map(|r| r as i32)),
                late: Set(now > policy.opinion_due(month, &self.policy)),
                written_at: Set(now),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            self.audit(
                tx,
                me,
                "opinion.written",
                "area_opinion",
                row.id,
                Some(audit::digest_of(&(&row.text, row.rating, row.cadre_id))),
            )
            .await?;
            let people = self.people(tx).await?;
            let view = self
                .opinions(tx, &[cadre_id.0], &[month], &people)
                .await?
                .into_iter()
                .find(|o| o.id.0 == row.id)
                .ok_or(AppError::Internal {})?;
            Ok(Change::recorded(view))
        })
        .await
    }
}

/// Whether a sheet in this status has been handed in (submitted, or reviewed since).
fn handed_in(status: SheetStatus) -> bool {
    matches!(status, SheetStatus::Submitted | SheetStatus::Reviewed)
}

/// What the month's day entries add up to: days written per sheet, and per cadre the
/// places the work was done (by place code).
struct EntryTally<'a> {
    days: HashMap<i32, u32>,
    places: HashMap<i32, BTreeMap<&'a str, u32>>,
}

impl<'a> EntryTally<'a> {
    /// Counts `entries`, attributing each to its sheet's cadre through `sheet_owner`.
    fn of(entries: &'a [day_entry::Model], sheet_owner: &HashMap<i32, i32>) -> Self {
        let mut counts: HashMap<i32, u32> = HashMap::new();
        let mut places: HashMap<i32, BTreeMap<&str, u32>> = HashMap::new();
        for e in entries {
            *counts.entry(e.sheet_id).or_default() += 1;
            if let Some(c) = sheet_owner.get(&e.sheet_id) {
                *places.entry(*c).or_default().entry(&e.place).or_default() += 1;
            }
        }
        EntryTally {
            days: counts,
            places,
        }
    }
}
