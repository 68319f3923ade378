//! The steps of a month's evaluation calendar, one function each: what is done of it, when it
//! is due, its state, and — for those who oversee it — who is behind.

use super::*;

/// What every step of a month's calendar is computed for.
pub(super) struct CalendarScope<'a> {
    pub me: &'a Me,
    pub month: Month,
    pub now: DateTime<Utc>,
    pub policy: &'a EvalPolicy,
    pub people: &'a HashMap<i32, Person>,
    /// Principals, committee and office see who is behind.
    pub overseer: bool,
}

impl CalendarScope<'_> {
    fn name(&self, id: &i32) -> PersonRef {
        self.people.person_ref(*id)
    }

    /// The people behind a step, shown only to overseers and only once it is past due.
    fn behind(&self, due: DateTime<Utc>, ids: &[i32]) -> Vec<PersonRef> {
        if self.overseer && self.now > due {
            ids.iter().map(|id| self.name(id)).collect()
        } else {
            Vec::new()
        }
    }
}

impl Service {
    /// Sheets in: every supervised active cadre's three sheets of the month.
    pub(super) async fn sheets_step(
        &self,
        s: &CalendarScope<'_>,
    ) -> Result<CalendarStep, AppError> {
        let sups = self.supervisors_in_month(&self.db, s.month).await?;
        let mut ids: Vec<i32> = sups
            .keys()
            .copied()
            .filter(|c| s.people.get(c).is_some_and(|p| p.active))
            .collect();
        ids.sort();
        let (glances, _, _) = self.glances(&self.db, &ids, s.month).await?;
        let total = ids.len() as u32 * 3;
        let missing: u32 = glances.values().map(|g| g.missing).sum();
        let due = s.month.periods()[2].due(&self.policy);
        let behind: Vec<i32> = ids
            .iter()
            .copied()
            .filter(|c| glances.get(c).is_some_and(|g| g.missing > 0))
            .collect();
        let state = if missing > 0 {
            StepState::derive(None, due, s.now)
        } else if glances
            .values()
            .any(|g| g.sheets.iter().any(|sh| sh.state == SheetState::Late))
        {
            StepState::Late
        } else {
            StepState::Done
        };
        Ok(CalendarStep {
            step: "sheets".into(),
            period: s.month.key(),
            due: Some(due),
            state,
            done: total - missing,
            total,
            behind: s.behind(due, &behind),
        })
    }

    /// Opinions in: one from its area's chief for every active cadre of an area with a
    /// chief (a chief does not write on themself).
    pub(super) async fn opinions_step(
        &self,
        s: &CalendarScope<'_>,
    ) -> Result<CalendarStep, AppError> {
        let areas = area::Entity::find().all(&self.db).await.ie()?;
        let chief_of: HashMap<i32, i32> = areas
            .iter()
            .filter_map(|a| a.chief_id.map(|c| (a.id, c)))
            .collect();
        let expected: Vec<(i32, i32)> = s
            .people
            .iter()
            .filter(|(_, p)| p.active)
            .filter_map(|(id, p)| {
                let chief = *chief_of.get(&p.area_id?)?;
                (chief != *id).then_some((*id, chief))
            })
            .collect();
        let rows = area_opinion::Entity::find()
            .filter(area_opinion::Column::Year.eq(s.month.year))
            .filter(area_opinion::Column::Month.eq(s.month.month as i32))
            .all(&self.db)
            .await
            .ie()?;
        let last = rows.iter().map(|o| o.written_at).max();
        let written: HashSet<(i32, i32)> = rows
            .into_iter()
            .map(|o| (o.cadre_id, o.author_id))
            .collect();
        let due = s.policy.opinion_due(s.month, &self.policy);
        let done = expected.iter().filter(|e| written.contains(e)).count() as u32;
        let mut behind: Vec<i32> = expected
            .iter()
            .filter(|e| !written.contains(e))
            .map(|e| e.1)
            .collect();
        behind.sort();
        behind.dedup();
        let complete = done as usize == expected.len();
        Ok(CalendarStep {
            step: "opinions".into(),
            period: s.month.key(),
            due: Some(due),
            state: StepState::derive(complete.then(|| last.unwrap_or(s.now)), due, s.now),
            done,
            total: expected.len() as u32,
            behind: s.behind(due, &behind),
        })
    }

    /// Picks made: one by every leader who supervised cadres in the month. Overseers see
    /// the overdue leaders at once (the pick's own due date drives their state).
    pub(super) fn picks_step(
        &self,
        s: &CalendarScope<'_>,
        results: &[eval_result::Model],
        leaders: &[(i32, LeaderPickState)],
    ) -> CalendarStep {
        let due = s.policy.pick_due(s.month, &self.policy);
        let picked = leaders.iter().filter(|(_, l)| l.result.is_some()).count() as u32;
        let last = results.iter().map(|r| r.made_at).max();
        let complete = picked as usize == leaders.len() && !leaders.is_empty();
        CalendarStep {
            step: "picks".into(),
            period: s.month.key(),
            due: Some(due),
            state: StepState::derive(complete.then_some(last.unwrap_or(s.now)), due, s.now),
            done: picked,
            total: leaders.len() as u32,
            behind: if s.overseer {
                leaders
                    .iter()
                    .filter(|(_, l)| l.state == StepState::Overdue)
                    .map(|(_, l)| l.leader.clone())
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The quarter's decision and its publication.
    pub(super) fn quarter_steps(
        &self,
        s: &CalendarScope<'_>,
        qr: Option<&eval_result::Model>,
    ) -> [CalendarStep; 2] {
        let q = s.month.quarter();
        let due = s.policy.quarter_due(q, &self.policy);
        // Before publication only the deciders know that the quarter is decided.
        let decided_at = qr
            .filter(|r| s.me.has(s.policy.deciding_role) || r.published_at.is_some())
            .map(|r| r.made_at);
        let published_at = qr.and_then(|r| r.published_at);
        [
            CalendarStep {
                step: "quarter_decision".into(),
                period: q.key(),
                due: Some(due),
                state: StepState::derive(decided_at, due, s.now),
                done: u32::from(decided_at.is_some()),
                total: 1,
                behind: Vec::new(),
            },
            CalendarStep {
                step: "publication".into(),
                period: q.key(),
                due: Some(due),
                state: StepState::derive(published_at, due, s.now),
                done: u32::from(published_at.is_some()),
                total: 1,
                behind: Vec::new(),
            },
        ]
    }

    /// Appeals on the month's picks and the quarter's result: answered of filed; the
    /// committee and principals see whose appeal is past its answer date.
    pub(super) async fn appeals_step(
        &self,
        s: &CalendarScope<'_>,
        results: &[eval_result::Model],
        qr: Option<&eval_result::Model>,
    ) -> Result<CalendarStep, AppError> {
        let mut rids: Vec<i32> = results.iter().map(|r| r.id).collect();
        rids.extend(qr.map(|r| r.id));
        let apps = if rids.is_empty() {
            Vec::new()
        } else {
            appeal::Entity::find()
                .filter(appeal::Column::ResultId.is_in(rids))
                .all(&self.db)
                .await
                .ie()?
        };
        let mut open: Vec<&appeal::Model> = Vec::new();
        for a in &apps {
            if AppealStatus::from_code(&a.status).stored("appeals", a.id, "status")?
                == AppealStatus::Open
            {
                open.push(a);
            }
        }
        let state = if open.iter().any(|a| s.now > a.due_at) {
            StepState::Overdue
        } else if open.is_empty() {
            StepState::Done
        } else {
            StepState::Pending
        };
        let sees_behind = s.me.has(Role::Committee) || s.me.has(Role::Principal);
        Ok(CalendarStep {
            step: "appeals".into(),
            period: s.month.quarter().key(),
            due: open.iter().map(|a| a.due_at).max(),
            state,
            done: (apps.len() - open.len()) as u32,
            total: apps.len() as u32,
            behind: if sees_behind {
                open.iter()
                    .filter(|a| s.now > a.due_at)
                    .map(|a| s.name(&a.cadre_id))
                    .collect()
            } else {
                Vec::new()
            },
        })
    }
}
