//! The evaluation calendar and everyone's reminders.

use super::calendar_steps::CalendarScope;
use super::*;

#[async_trait::async_trait]
impl app::ports::EvalCalendar for Service {
    async fn calendar(&self, me: &Me, month: Option<Month>) -> Result<CalendarView, AppError> {
        let month = month.unwrap_or_else(|| self.default_month());
        let (_, policy) = self.eval_policy(&self.db).await?;
        let people = self.people(&self.db).await?;
        let scope = CalendarScope {
            me,
            month,
            now: self.now(),
            policy: &policy,
            people: &people,
            overseer: me.has(Role::Principal) || me.has(Role::Committee) || me.has(Role::Office),
        };
        let results = self.monthly_results(&self.db, &[month]).await?;
        let leaders = self
            .leader_states(&self.db, &[month], &results, &policy, &people)
            .await?;
        let qr = self.quarter_result(&self.db, month.quarter()).await?;
        let mut steps = vec![
            self.sheets_step(&scope).await?,
            self.opinions_step(&scope).await?,
            self.picks_step(&scope, &results, &leaders),
        ];
        steps.extend(self.quarter_steps(&scope, qr.as_ref()));
        steps.push(self.appeals_step(&scope, &results, qr.as_ref()).await?);
        Ok(CalendarView {
            month,
            quarter: month.quarter(),
            now: scope.now,
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
