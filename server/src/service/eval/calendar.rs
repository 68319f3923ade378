//! The evaluation calendar and everyone's reminders.

use super::*;

#[async_trait::async_trait]
impl app::ports::EvalCalendar for Service {
    async fn calendar(&self, me: &Me, month: Option<String>) -> Result<CalendarView, AppError> {
        let month = self.month_arg(month)?;
        let q = month.quarter();
        let now = self.now();
        let (_, policy) = self.eval_policy(&self.db).await?;
        let people = self.people(&self.db).await?;
        let overseer = me.has(Role::Principal) || me.has(Role::Committee) || me.has(Role::Office);
        let name = |id: &i32| people.get(id).map(|p| p.name.clone()).unwrap_or_default();
        let mut steps = Vec::new();

        // Sheets in: every supervised cadre's three sheets.
        let sups = self.supervisors_in_month(&self.db, month).await?;
        let mut ids: Vec<i32> = sups
            .keys()
            .copied()
            .filter(|c| people.get(c).is_some_and(|p| p.active))
            .collect();
        ids.sort();
        let (glances, _, _) = self.glances(&self.db, &ids, month).await?;
        let total = ids.len() as u32 * 3;
        let missing: u32 = glances.values().map(|g| g.missing).sum();
        let sheets_due = month.periods()[2].due(&self.policy);
        let behind_sheets: Vec<i32> = ids
            .iter()
            .copied()
            .filter(|c| glances.get(c).is_some_and(|g| g.missing > 0))
            .collect();
        steps.push(CalendarStep {
            step: "sheets".into(),
            period: month.key(),
            due: Some(sheets_due),
            state: if missing == 0 {
                let late = glances
                    .values()
                    .any(|g| g.sheets.iter().any(|s| s.state == SheetState::Late));
                if late {
                    StepState::Late
                } else {
                    StepState::Done
                }
            } else {
                StepState::derive(None, sheets_due, now)
            },
            done: total - missing,
            total,
            behind: if overseer && now > sheets_due {
                behind_sheets.iter().map(name).collect()
            } else {
                Vec::new()
            },
        });

        // Opinions in: every cadre attached to an area with a chief.
        let areas = area::Entity::find().all(&self.db).await.ie()?;
        let chief_of: HashMap<i32, i32> = areas
            .iter()
            .filter_map(|a| a.chief_id.map(|c| (a.id, c)))
            .collect();
        let expected: Vec<(i32, i32)> = people
            .iter()
            .filter(|(_, p)| p.active)
            .filter_map(|(id, p)| {
                let chief = *chief_of.get(&p.area_id?)?;
                (chief != *id).then_some((*id, chief))
            })
            .collect();
        let opinion_rows = area_opinion::Entity::find()
            .filter(area_opinion::Column::Year.eq(month.year))
            .filter(area_opinion::Column::Month.eq(month.month as i32))
            .all(&self.db)
            .await
            .ie()?;
        let last_opinion = opinion_rows.iter().map(|o| o.written_at).max();
        let written: HashSet<(i32, i32)> = opinion_rows
            .into_iter()
            .map(|o| (o.cadre_id, o.author_id))
            .collect();
        let opinions_due = policy.opinion_due(month, &self.policy);
        let done = expected.iter().filter(|e| written.contains(e)).count() as u32;
        let mut behind_chiefs: Vec<i32> = expected
            .iter()
            .filter(|e| !written.contains(e))
            .map(|e| e.1)
            .collect();
        behind_chiefs.sort();
        behind_chiefs.dedup();
        steps.push(CalendarStep {
            step: "opinions".into(),
            period: month.key(),
            due: Some(opinions_due),
            state: StepState::derive(
                (done as usize == expected.len()).then(|| last_opinion.unwrap_or(now)),
                opinions_due,
                now,
            ),
            done,
            total: expected.len() as u32,
            behind: if overseer && now > opinions_due {
                behind_chiefs.iter().map(name).collect()
            } else {
                Vec::new()
            },
        });

        // Picks made.
        let results = self.monthly_results(&self.db, &[month]).await?;
        let leaders = self
            .leader_states(&self.db, &[month], &results, &policy, &people)
            .await?;
        let picks_due = policy.pick_due(month, &self.policy);
        let picked = leaders.iter().filter(|(_, l)| l.result.is_some()).count() as u32;
        let last_pick = results.iter().map(|r| r.made_at).max();
        steps.push(CalendarStep {
            step: "picks".into(),
            period: month.key(),
            due: Some(picks_due),
            state: StepState::derive(
                (picked as usize == leaders.len() && !leaders.is_empty())
                    .then_some(last_pick.unwrap_or(now)),
                picks_due,
                now,
            ),
            done: picked,
            total: leaders.len() as u32,
            behind: if overseer {
                leaders
                    .iter()
                    .filter(|(_, l)| l.state == StepState::Overdue)
                    .map(|(_, l)| l.leader.clone())
                    .collect()
            } else {
                Vec::new()
            },
        });

        // Quarterly decision and publication.
        let qr = self.quarter_result(&self.db, q).await?;
        let q_due = policy.quarter_due(q, &self.policy);
        // Before publication only the deciders know that the quarter is decided.
        let decided_at = qr
            .as_ref()
            .filter(|r| me.has(policy.deciding_role) || r.published_at.is_some())
            .map(|r| r.made_at);
        steps.push(CalendarStep {
            step: "quarter_decision".into(),
            period: q.key(),
            due: Some(q_due),
            state: StepState::derive(decided_at, q_due, now),
            done: u32::from(decided_at.is_some()),
            total: 1,
            behind: Vec::new(),
        });
        steps.push(CalendarStep {
            step: "publication".into(),
            period: q.key(),
            due: Some(q_due),
            state: StepState::derive(qr.as_ref().and_then(|r| r.published_at), q_due, now),
            done: u32::from(qr.as_ref().is_some_and(|r| r.published_at.is_some())),
            total: 1,
            behind: Vec::new(),
        });

        // Appeals on the month's picks and the quarter's result.
        let mut rids: Vec<i32> = results.iter().map(|r| r.id).collect();
        rids.extend(qr.as_ref().map(|r| r.id));
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
        let latest_due = open.iter().map(|a| a.due_at).max();
        let state = if open.iter().any(|a| now > a.due_at) {
            StepState::Overdue
        } else if open.is_empty() {
            StepState::Done
        } else {
            StepState::Pending
        };
        steps.push(CalendarStep {
            step: "appeals".into(),
            period: q.key(),
            due: latest_due,
            state,
            done: (apps.len() - open.len()) as u32,
            total: apps.len() as u32,
            behind: if me.has(Role::Committee) || me.has(Role::Principal) {
                open.iter()
                    .filter(|a| now > a.due_at)
                    .map(|a| name(&a.cadre_id))
                    .collect()
            } else {
                Vec::new()
            },
        });
        Ok(CalendarView {
            month,
            quarter: q,
            now,
            steps,
        })
    }

    async fn reminders(&self, me: &Me) -> Result<Vec<Reminder>, AppError> {
        let now = self.now();
        let (_, policy) = self.eval_policy(&self.db).await?;
        let month = self.default_month();
        let mut out = Vec::new();
        let recent = [month];
        if me.has(Role::AreaChief) {
            out.extend(self.opinion_reminders(me, &policy, &recent, now).await?);
        }
        if me.has(Role::Supervisor) {
            out.extend(self.pick_reminders(me, &policy, &recent, now).await?);
        }
        if me.has(policy.deciding_role) {
            out.extend(self.quarter_reminder(me, &policy, month, now).await?);
        }
        if me.has(Role::Committee) || me.has(Role::Principal) {
            out.extend(self.appeal_answer_reminder(me, now).await?);
        }
        for n in self.my_results(me).await? {
            if n.can_appeal && n.kind == PickKind::Worst {
                out.push(Reminder {
                    what: "appeal_window".into(),
                    period: n.period.clone(),
                    due: n.appeal_until,
                    overdue: false,
                    count: 1,
                    href: "/eval/mine".into(),
                });
            }
        }
        out.sort_by_key(|r| r.due);
        out.extend(self.case_reminders(me).await?);
        Ok(out)
    }
}

impl Service {
    /// An area chief's reminder for each recent month with opinions still to write on the
    /// area's cadres.
    async fn opinion_reminders(
        &self,
        me: &Me,
        policy: &EvalPolicy,
        recent: &[Month],
        now: DateTime<Utc>,
    ) -> Result<Vec<Reminder>, AppError> {
        let mut out = Vec::new();
        let cadres = self.area_cadres(&self.db, me).await?;
        for &m in recent {
            let written: HashSet<i32> = area_opinion::Entity::find()
                .filter(area_opinion::Column::Year.eq(m.year))
                .filter(area_opinion::Column::Month.eq(m.month as i32))
                .filter(area_opinion::Column::AuthorId.eq(me.id.0))
                .all(&self.db)
                .await
                .ie()?
                .into_iter()
                .map(|o| o.cadre_id)
                .collect();
            let left = cadres
                .iter()
                .filter(|(c, _)| !written.contains(&c.id))
                .count();
            let due = policy.opinion_due(m, &self.policy);
            // Only while it matters: until the picks of that month are due.
            if left > 0 && now <= policy.pick_due(m, &self.policy) {
                out.push(Reminder {
                    what: "opinions".into(),
                    period: m.key(),
                    due,
                    overdue: now > due,
                    count: left as u32,
                    href: format!("/eval/opinions?month={}", m.key()),
                });
            }
        }
        Ok(out)
    }

    /// A supervising leader's reminder for each recent month in which they supervise
    /// someone and have not made their monthly pick.
    async fn pick_reminders(
        &self,
        me: &Me,
        policy: &EvalPolicy,
        recent: &[Month],
        now: DateTime<Utc>,
    ) -> Result<Vec<Reminder>, AppError> {
        let mut out = Vec::new();
        for &m in recent {
            let sups = self.supervisors_in_month(&self.db, m).await?;
            if !sups.values().any(|s| *s == me.id.0) {
                continue;
            }
            let done = eval_result::Entity::find()
                .filter(eval_result::Column::Scope.eq(monthly_scope(m, me.id.0)))
                .one(&self.db)
                .await
                .ie()?
                .is_some();
            let due = policy.pick_due(m, &self.policy);
            if !done {
                out.push(Reminder {
                    what: "pick".into(),
                    period: m.key(),
                    due,
                    overdue: now > due,
                    count: 1,
                    href: format!("/eval/pick?month={}", m.key()),
                });
            }
        }
        Ok(out)
    }

    /// The deciding role's reminder for the latest ended quarter: to choose (until their own
    /// choice is confirmed) while there is no result, or to publish a result not yet out.
    async fn quarter_reminder(
        &self,
        me: &Me,
        policy: &EvalPolicy,
        month: Month,
        now: DateTime<Utc>,
    ) -> Result<Option<Reminder>, AppError> {
        let q = month.quarter();
        // The latest quarter that has ended (last month is in it or in the one after).
        let q = if month.next().quarter() != q {
            q
        } else {
            q.prev()
        };
        let r = self.quarter_result(&self.db, q).await?;
        let due = policy.quarter_due(q, &self.policy);
        let own_confirm = self
            .live_choices(&self.db, q)
            .await?
            .iter()
            .any(|c| c.principal_id == me.id.0 && c.confirm);
        let what = match &r {
            None if !own_confirm => Some("quarter"),
            Some(r) if r.published_at.is_none() => Some("publish"),
            _ => None,
        };
        Ok(what.map(|what| Reminder {
            what: what.into(),
            period: q.key(),
            due,
            overdue: now > due,
            count: 1,
            href: format!("/eval/quarter?quarter={}", q.key()),
        }))
    }

    /// The reminder of open appeals (other than one's own) to answer: always for the
    /// committee, for a principal only once one of them is overdue.
    async fn appeal_answer_reminder(
        &self,
        me: &Me,
        now: DateTime<Utc>,
    ) -> Result<Option<Reminder>, AppError> {
        let open = appeal::Entity::find()
            .filter(appeal::Column::Status.eq(AppealStatus::Open.code()))
            .order_by_asc(appeal::Column::DueAt)
            .all(&self.db)
            .await
            .ie()?;
        let open: Vec<_> = open.into_iter().filter(|a| a.cadre_id != me.id.0).collect();
        if let Some(first) = open.first()
            && (me.has(Role::Committee) || open.iter().any(|a| now > a.due_at))
        {
            return Ok(Some(Reminder {
                what: "answer_appeal".into(),
                period: String::new(),
                due: first.due_at,
                overdue: now > first.due_at,
                count: open.len() as u32,
                href: "/eval/appeals".into(),
            }));
        }
        Ok(None)
    }
}
