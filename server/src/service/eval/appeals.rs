//! Appeals: filing within the window, the committee's answer, revisions of a result.

use super::*;

impl Service {
    pub(super) fn appeal_view(
        &self,
        a: &appeal::Model,
        r: &eval_result::Model,
        n: Option<&eval_naming::Model>,
        people: &HashMap<i32, Person>,
    ) -> Result<AppealView, AppError> {
        let name = |id: i32| people.person_ref(id);
        let status = AppealStatus::from_code(&a.status).stored("appeals", a.id, "status")?;
        let kind = match n {
            Some(n) => PickKind::from_code(&n.kind).stored("eval_namings", n.id, "kind")?,
            // An appeal's naming is always stored with it; only a broken link lands here.
            None => return Err(AppError::Internal {}),
        };
        Ok(AppealView {
            id: AppealId(a.id),
            result: ResultId(r.id),
            result_kind: result_kind(r),
            period: result_period(r),
            naming: NamingId(a.naming_id),
            cadre: name(a.cadre_id),
            kind,
            ground: a.ground.clone(),
            filed_at: a.filed_at,
            due: a.due_at,
            status,
            overdue: status == AppealStatus::Open && self.now() > a.due_at,
            answer: a.answer.clone(),
            answered_by: a.answered_by.map(name),
            answered_at: a.answered_at,
            replacement: a.replacement_id.map(name),
            candidates: Vec::new(),
        })
    }

    pub(super) async fn appeal_views<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: Vec<appeal::Model>,
        people: &HashMap<i32, Person>,
    ) -> Result<Vec<AppealView>, AppError> {
        let mut out = Vec::with_capacity(rows.len());
        for a in rows {
            let r = eval_result::Entity::find_by_id(a.result_id)
                .one(db)
                .await
                .ie()?
                .ok_or(AppError::Internal {})?;
            let n = eval_naming::Entity::find_by_id(a.naming_id)
                .one(db)
                .await
                .ie()?;
            out.push(self.appeal_view(&a, &r, n.as_ref(), people)?);
        }
        Ok(out)
    }

    /// When the naming was published: its result's publication, or the revision that added
    /// it after an appeal.
    pub(super) async fn naming_published<C: ConnectionTrait>(
        &self,
        db: &C,
        r: &eval_result::Model,
        n: &eval_naming::Model,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        let Some(published) = r.published_at else {
            return Ok(None);
        };
        if n.added_in <= 1 {
            return Ok(Some(published));
        }
        Ok(eval_revision::Entity::find()
            .filter(eval_revision::Column::ResultId.eq(r.id))
            .filter(eval_revision::Column::Revision.eq(n.added_in))
            .one(db)
            .await
            .ie()?
            .map(|v| v.at.max(published)))
    }

    /// Who may replace an appellant: for a monthly pick the leader's cadres of that month,
    /// for a quarterly result the quarter's pool of the same kind; nobody already named.
    pub(super) async fn replacement_pool<C: ConnectionTrait>(
        &self,
        db: &C,
        r: &eval_result::Model,
        n: &eval_naming::Model,
    ) -> Result<Vec<i32>, AppError> {
        let named: HashSet<i32> = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.eq(r.id))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .all(db)
            .await
            .ie()?
            .iter()
            .map(|c| c.cadre_id)
            .collect();
        let mut allowed: Vec<i32> = if r.kind == MONTHLY {
            let m = Month::new(r.year, r.period as u32)?;
            self.supervisors_in_month(db, m)
                .await?
                .into_iter()
                .filter(|(_, s)| Some(*s) == r.owner_id)
                .map(|(c, _)| c)
                .collect()
        } else {
            let q = Quarter::new(r.year, r.period as u32)?;
            let results = self.monthly_results(db, &q.months()).await?;
            self.pool_namings(db, &results)
                .await?
                .into_iter()
                .filter(|p| p.kind == n.kind)
                .map(|p| p.cadre_id)
                .collect()
        };
        allowed.retain(|c| !named.contains(c));
        allowed.sort();
        allowed.dedup();
        Ok(allowed)
    }

    /// Records one publication of a result; a second one of the same revision (a race) is
    /// the conflict `on_clash`.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn add_revision<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        result_id: i32,
        revision: i32,
        note: String,
        appeal_id: Option<i32>,
        on_clash: &str,
    ) -> Result<(), AppError> {
        eval_revision::ActiveModel {
            result_id: Set(result_id),
            revision: Set(revision),
            by_id: Set(me.id.0),
            at: Set(self.now()),
            note: Set(note),
            appeal_id: Set(appeal_id),
            ..Default::default()
        }
        .insert(db)
        .await
        .map_err(|_| AppError::conflict(on_clash))?;
        Ok(())
    }

    /// Loads the appeal being answered with the result and naming it is against, refusing
    /// an appellant answering their own appeal and an appeal already answered.
    async fn load_open_appeal(
        tx: &DatabaseTransaction,
        me: &Me,
        id: AppealId,
    ) -> Result<Appealed, AppError> {
        let a = appeal::Entity::find_by_id(id.0)
            .one(tx)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if a.cadre_id == me.id.0 {
            return Err(AppError::Forbidden {});
        }
        if AppealStatus::from_code(&a.status).stored("appeals", a.id, "status")?
            != AppealStatus::Open
        {
            return Err(AppError::conflict("already_answered"));
        }
        let r = eval_result::Entity::find_by_id(a.result_id)
            .one(tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        let n = eval_naming::Entity::find_by_id(a.naming_id)
            .one(tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        let current: Vec<eval_naming::Model> = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.eq(r.id))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .all(tx)
            .await
            .ie()?;
        let before = Self::result_state(&r, &current);
        Ok(Appealed {
            appeal: a,
            result: r,
            naming: n,
            before,
        })
    }

    /// Stores the committee's answer on the appeal, with its audit row; returns the
    /// answered appeal.
    async fn record_answer(
        &self,
        tx: &DatabaseTransaction,
        me: &Me,
        a: &appeal::Model,
        answer: &CommitteeAnswer,
        now: DateTime<Utc>,
    ) -> Result<appeal::Model, AppError> {
        let mut am: appeal::ActiveModel = a.clone().into();
        am.status = Set(answer.outcome.code().into());
        am.answer = Set(Some(answer.text.clone()));
        am.answered_by = Set(Some(me.id.0));
        am.answered_at = Set(Some(now));
        am.replacement_id = Set(answer.replacement.map(|c| c.0));
        let a = am.update(tx).await.ie()?;
        self.audit(
            tx,
            me,
            "appeal.answered",
            "appeal",
            a.id,
            Some(audit::digest_of(&(&a.status, &a.answer, a.replacement_id))),
        )
        .await?;
        Ok(a)
    }

    /// Re-publishes the result after an answer that overturns or changes the naming, with
    /// the audit row of the result's state before and after.
    async fn republish_answered(
        &self,
        tx: &DatabaseTransaction,
        me: &Me,
        appealed: &Appealed,
        answer: &CommitteeAnswer,
        appeal_id: i32,
    ) -> Result<(), AppError> {
        let (r, n) = (&appealed.result, &appealed.naming);
        // Re-publish: a new revision withdraws the naming (and names the replacement);
        // the earlier revisions stay.
        let revision = r.revision + 1;
        let mut nm: eval_naming::ActiveModel = n.clone().into();
        nm.removed_in = Set(Some(revision));
        nm.update(tx).await.ie()?;
        if let Some(rep) = answer.replacement {
            eval_naming::ActiveModel {
                result_id: Set(r.id),
                cadre_id: Set(rep.0),
                kind: Set(n.kind.clone()),
                reason: Set(format!("复评改定（第 {revision} 版）")),
                citations: Set("[]".into()),
                added_in: Set(revision),
                removed_in: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
        }
        self.add_revision(
            tx,
            me,
            r.id,
            revision,
            answer.text.clone(),
            Some(appeal_id),
            "already_answered",
        )
        .await?;
        let mut rm: eval_result::ActiveModel = r.clone().into();
        rm.revision = Set(revision);
        let r = rm.update(tx).await.ie()?;
        let after_names = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.eq(r.id))
            .all(tx)
            .await
            .ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "result.republished", "eval_result", r.id);
        ev.before = Some(appealed.before.clone());
        ev.after = Some(Self::result_state(&r, &after_names));
        self.append_audit(tx, ev).await
    }
}

/// The committee's answer to an appeal, checked before the transaction begins.
struct CommitteeAnswer {
    outcome: AppealOutcome,
    /// The answer's text, trimmed.
    text: String,
    replacement: Option<CadreId>,
}

impl CommitteeAnswer {
    /// Checks the answer's text, and that a replacement comes with a change and only then.
    fn parse(
        outcome: AppealOutcome,
        answer: &str,
        replacement: Option<CadreId>,
    ) -> Result<Self, AppError> {
        let text = required_text("answer", answer)?;
        match (outcome, replacement) {
            (AppealOutcome::Change, None) => {
                return Err(AppError::invalid("replacement", "replacement_required"));
            }
            (AppealOutcome::Uphold | AppealOutcome::Overturn, Some(_)) => {
                return Err(AppError::invalid("replacement", "replacement_not_allowed"));
            }
            _ => {}
        }
        Ok(CommitteeAnswer {
            outcome,
            text,
            replacement,
        })
    }
}

/// An open appeal being answered, with the result and the naming it is against.
struct Appealed {
    appeal: appeal::Model,
    result: eval_result::Model,
    naming: eval_naming::Model,
    /// The result's state before the answer, for the audit row of a re-publication.
    before: String,
}

#[async_trait::async_trait]
impl app::ports::Appeals for Service {
    async fn my_results(&self, me: &Me) -> Result<Vec<MyNaming>, AppError> {
        let now = self.now();
        let people = self.people(&self.db).await?;
        let namings = eval_naming::Entity::find()
            .filter(eval_naming::Column::CadreId.eq(me.id.0))
            .order_by_desc(eval_naming::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let my_appeals = appeal::Entity::find()
            .filter(appeal::Column::CadreId.eq(me.id.0))
            .order_by_asc(appeal::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let mut out = Vec::new();
        for n in namings {
            let Some(r) = eval_result::Entity::find_by_id(n.result_id)
                .one(&self.db)
                .await
                .ie()?
            else {
                continue;
            };
            if !is_published(&r, now) {
                continue;
            }
            let Some(published) = self.naming_published(&self.db, &r, &n).await? else {
                continue;
            };
            if published > now {
                continue;
            }
            let policy = self.eval_policy_at(&self.db, r.policy_version).await?;
            let until = policy.appeal_window_closes(published, &self.policy);
            let appeals: Vec<AppealView> = my_appeals
                .iter()
                .filter(|a| a.naming_id == n.id)
                .map(|a| self.appeal_view(a, &r, Some(&n), &people))
                .collect::<Result<_, AppError>>()?;
            out.push(MyNaming {
                result: ResultId(r.id),
                result_kind: result_kind(&r),
                period: result_period(&r),
                naming: NamingId(n.id),
                kind: PickKind::from_code(&n.kind).stored("eval_namings", n.id, "kind")?,
                reason: n.reason.clone(),
                published_at: published,
                withdrawn: n.removed_in.is_some(),
                appeal_until: until,
                can_appeal: n.removed_in.is_none() && now <= until && appeals.is_empty(),
                appeals,
            });
        }
        Ok(out)
    }

    async fn file_appeal(
        &self,
        me: &Me,
        naming: NamingId,
        ground: String,
    ) -> Result<AppealView, AppError> {
        let ground = required_text("ground", &ground)?;
        let now = self.now();
        self.write(async |tx| {
            let n = eval_naming::Entity::find_by_id(naming.0)
                .one(tx)
                .await
                .ie()?
                .ok_or(AppError::NotFound {})?;
            let r = eval_result::Entity::find_by_id(n.result_id)
                .one(tx)
                .await
                .ie()?
                .ok_or(AppError::NotFound {})?;
            if n.cadre_id != me.id.0 {
                // Someone else's naming: do not reveal that it exists.
                return Err(AppError::NotFound {});
            }
            let published = match self.naming_published(tx, &r, &n).await? {
                Some(p) if p <= now => p,
                _ => return Err(AppError::NotFound {}),
            };
            if n.removed_in.is_some() {
                return Err(AppError::conflict("naming_withdrawn"));
            }
            let policy = self.eval_policy_at(tx, r.policy_version).await?;
            if now > policy.appeal_window_closes(published, &self.policy) {
                return Err(AppError::conflict("appeal_window_closed"));
            }
            if appeal::Entity::find()
                .filter(appeal::Column::NamingId.eq(n.id))
                .one(tx)
                .await
                .ie()?
                .is_some()
            {
                return Err(AppError::conflict("already_appealed"));
            }
            let (version, current) = self.eval_policy(tx).await?;
            let a = appeal::ActiveModel {
                result_id: Set(r.id),
                naming_id: Set(n.id),
                cadre_id: Set(me.id.0),
                ground: Set(ground),
                policy_version: Set(version),
                filed_at: Set(now),
                due_at: Set(current.appeal_due(now, &self.policy)),
                status: Set(AppealStatus::Open.code().into()),
                answer: Set(None),
                answered_by: Set(None),
                answered_at: Set(None),
                replacement_id: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await
            .map_err(|_| AppError::conflict("already_appealed"))?;
            self.audit(
                tx,
                me,
                "appeal.filed",
                "appeal",
                a.id,
                Some(audit::digest_of(&(&a.ground, a.naming_id))),
            )
            .await?;
            let people = self.people(tx).await?;
            let view = self.appeal_view(&a, &r, Some(&n), &people)?;
            // An open appeal holds the outcomes of its naming; an answer releases or withdraws them.
            self.recompute_in(tx, Some(me.id.0)).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn appeals(&self, me: &Me) -> Result<AppealList, AppError> {
        let people = self.people(&self.db).await?;
        let all = me.has(Role::Committee) || me.has(Role::Principal);
        let mut q = appeal::Entity::find().order_by_asc(appeal::Column::DueAt);
        if !all {
            q = q.filter(appeal::Column::CadreId.eq(me.id.0));
        }
        let rows = q.all(&self.db).await.ie()?;
        let mut views = self.appeal_views(&self.db, rows, &people).await?;
        if me.has(Role::Committee) {
            for v in views.iter_mut().filter(|v| v.status == AppealStatus::Open) {
                let r = eval_result::Entity::find_by_id(v.result.0)
                    .one(&self.db)
                    .await
                    .ie()?;
                let n = eval_naming::Entity::find_by_id(v.naming.0)
                    .one(&self.db)
                    .await
                    .ie()?;
                if let (Some(r), Some(n)) = (r, n) {
                    v.candidates = self
                        .replacement_pool(&self.db, &r, &n)
                        .await?
                        .into_iter()
                        .map(|c| people.person_ref(c))
                        .collect();
                }
            }
        }
        let (open, mut decided): (Vec<_>, Vec<_>) = views
            .into_iter()
            .partition(|a| a.status == AppealStatus::Open);
        decided.sort_by_key(|a| std::cmp::Reverse(a.answered_at));
        Ok(AppealList {
            now: self.now(),
            open,
            decided,
            can_answer: me.has(Role::Committee),
        })
    }

    async fn answer_appeal(
        &self,
        me: &Me,
        id: AppealId,
        outcome: AppealOutcome,
        answer: String,
        replacement: Option<CadreId>,
    ) -> Result<AppealView, AppError> {
        Self::require(me, Role::Committee)?;
        let answer = CommitteeAnswer::parse(outcome, &answer, replacement)?;
        let now = self.now();
        self.write(async |tx| {
            let appealed = Self::load_open_appeal(tx, me, id).await?;
            if let Some(rep) = replacement
                && !self
                    .replacement_pool(tx, &appealed.result, &appealed.naming)
                    .await?
                    .contains(&rep.0)
            {
                return Err(AppError::invalid("replacement", "not_in_pool"));
            }
            let a = self
                .record_answer(tx, me, &appealed.appeal, &answer, now)
                .await?;
            if outcome != AppealOutcome::Uphold {
                self.republish_answered(tx, me, &appealed, &answer, a.id)
                    .await?;
            }
            let people = self.people(tx).await?;
            let r = eval_result::Entity::find_by_id(a.result_id)
                .one(tx)
                .await
                .ie()?
                .ok_or(AppError::Internal {})?;
            let view = self.appeal_view(&a, &r, Some(&appealed.naming), &people)?;
            // An open appeal holds the outcomes of its naming; an answer releases or withdraws them.
            self.recompute_in(tx, Some(me.id.0)).await?;
            Ok(Change::recorded(view))
        })
        .await
    }
}
