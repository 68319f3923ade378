//! The quarterly re-evaluation: the pools of monthly picks, the principals' choices, the
//! decision and its publication.

use super::*;

impl Service {
    /// Per month of the quarter, which leaders have picked (leaders = whoever supervised
    /// someone that month).
    pub(super) async fn leader_states<C: ConnectionTrait>(
        &self,
        db: &C,
        months: &[Month],
        results: &[eval_result::Model],
        policy: &EvalPolicy,
        people: &HashMap<i32, Person>,
    ) -> Result<Vec<(i32, LeaderPickState)>, AppError> {
        let now = self.now();
        let mut out = Vec::new();
        for m in months {
            let sups = self.supervisors_in_month(db, *m).await?;
            let mut leaders: Vec<i32> = sups.values().copied().collect();
            leaders.sort();
            leaders.dedup();
            for l in leaders {
                let r = results.iter().find(|r| {
                    r.owner_id == Some(l) && r.year == m.year && r.period == m.month as i32
                });
                out.push((
                    l,
                    LeaderPickState {
                        leader: people.person_ref(l),
                        month: *m,
                        state: StepState::derive(
                            r.map(|r| r.made_at),
                            policy.pick_due(*m, &self.policy),
                            now,
                        ),
                        result: r.map(|r| ResultId(r.id)),
                    },
                ));
            }
        }
        Ok(out)
    }

    /// The quarter's pool: current namings of its monthly results, by kind.
    pub(super) async fn pool_namings<C: ConnectionTrait>(
        &self,
        db: &C,
        results: &[eval_result::Model],
    ) -> Result<Vec<eval_naming::Model>, AppError> {
        if results.is_empty() {
            return Ok(Vec::new());
        }
        eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.is_in(results.iter().map(|r| r.id)))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .order_by_asc(eval_naming::Column::Id)
            .all(db)
            .await
            .ie()
    }

    pub(super) fn choice_view(
        c: &quarter_choice::Model,
        people: &HashMap<i32, Person>,
    ) -> Result<ChoiceView, AppError> {
        let (best, worst) = choice_lists(c)?;
        Ok(ChoiceView {
            principal: people.person_ref(c.principal_id),
            confirm: c.confirm,
            best,
            worst,
            note: c.note.clone(),
            at: c.at,
        })
    }

    pub(super) async fn live_choices<C: ConnectionTrait>(
        &self,
        db: &C,
        q: Quarter,
    ) -> Result<Vec<quarter_choice::Model>, AppError> {
        quarter_choice::Entity::find()
            .filter(quarter_choice::Column::Year.eq(q.year))
            .filter(quarter_choice::Column::Quarter.eq(q.quarter as i32))
            .filter(quarter_choice::Column::WithdrawnAt.is_null())
            .order_by_asc(quarter_choice::Column::Id)
            .all(db)
            .await
            .ie()
    }

    pub(super) async fn pool_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        q: Quarter,
    ) -> Result<PoolView, AppError> {
        let (version, policy) = self.eval_policy(db).await?;
        let people = self.people(db).await?;
        let months = q.months();
        let results = self.monthly_results(db, &months).await?;
        let leaders = self
            .leader_states(db, &months, &results, &policy, &people)
            .await?;
        // Ready when every leader has picked, or anyway once the last month's picks are due.
        let ready = !leaders.is_empty()
            && (leaders
                .iter()
                .all(|(_, l)| matches!(l.state, StepState::Done | StepState::Late))
                || self.now() > policy.pick_due(q.last_month(), &self.policy));
        let (best, worst) = self.pool_people(db, q, &results, &people).await?;
        let (my_choice, other_choices, result) = self.choices_seen(db, me, q, &people).await?;
        Ok(PoolView {
            quarter: q,
            due: policy.quarter_due(q, &self.policy),
            policy_version: version,
            want_best: policy.quarterly_best.min(best.len() as u32),
            want_worst: policy.quarterly_worst.min(worst.len() as u32),
            ready,
            leaders: leaders.into_iter().map(|(_, l)| l).collect(),
            best,
            worst,
            my_choice,
            other_choices,
            result,
        })
    }

    /// The pool's people, best and worst: each with the monthly picks that named them (the
    /// leader, reason, cited entries, whether under appeal) and the area chiefs' opinions.
    async fn pool_people<C: ConnectionTrait>(
        &self,
        db: &C,
        q: Quarter,
        results: &[eval_result::Model],
        people: &HashMap<i32, Person>,
    ) -> Result<(Vec<PoolPerson>, Vec<PoolPerson>), AppError> {
        let namings = self.pool_namings(db, results).await?;
        let cited_by = citations_by_naming(&namings)?;
        let cited: Vec<i32> = cited_by.values().flatten().copied().collect();
        let cites = self.citations(db, &cited).await?;
        let open = self
            .open_appeals(db, &results.iter().map(|r| r.id).collect::<Vec<_>>())
            .await?;
        let pool_ids: Vec<i32> = namings.iter().map(|n| n.cadre_id).collect();
        let opinions = self.opinions(db, &pool_ids, &q.months(), people).await?;
        let mut best = Vec::new();
        let mut worst = Vec::new();
        for n in &namings {
            let Some(r) = results.iter().find(|r| r.id == n.result_id) else {
                continue;
            };
            let pick = PoolPick {
                naming: NamingId(n.id),
                result: ResultId(r.id),
                month: Month {
                    year: r.year,
                    month: r.period as u32,
                },
                // A monthly pick always has its leader.
                supervisor: r
                    .owner_id
                    .map(|o| people.person_ref(o))
                    .ok_or(AppError::Internal {})?,
                reason: n.reason.clone(),
                citations: cited_by[&n.id]
                    .iter()
                    .filter_map(|e| cites.get(e).cloned())
                    .collect(),
                under_appeal: open.contains(&n.id),
            };
            match PickKind::from_code(&n.kind).stored("eval_namings", n.id, "kind")? {
                PickKind::Worst => worst.push((CadreId(n.cadre_id), pick)),
                PickKind::Best => best.push((CadreId(n.cadre_id), pick)),
            }
        }
        let person = |(c, picks): (CadreId, Vec<PoolPick>)| {
            let p = people.get(&c.0).cloned().unwrap_or_default();
            PoolPerson {
                cadre: PersonRef::new(c, p.name),
                department: p.department,
                picks,
                opinions: opinions.iter().filter(|o| o.cadre == c).cloned().collect(),
            }
        };
        Ok((
            group_pool(best).into_iter().map(person).collect(),
            group_pool(worst).into_iter().map(person).collect(),
        ))
    }

    /// The choices `me` may see, and the decided result. One's own choice always; the other
    /// principals' only once one has made one's own (or the quarter is decided), so that
    /// nobody's list anchors another's.
    async fn choices_seen<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        q: Quarter,
        people: &HashMap<i32, Person>,
    ) -> Result<(Option<ChoiceView>, Vec<ChoiceView>, Option<ResultView>), AppError> {
        let choices = self.live_choices(db, q).await?;
        let mine = choices
            .iter()
            .rfind(|c| c.principal_id == me.id.0)
            .map(|c| Self::choice_view(c, people))
            .transpose()?;
        let result_row = self.quarter_result(db, q).await?;
        let others = if mine.is_some() || result_row.is_some() {
            choices
                .iter()
                .filter(|c| c.principal_id != me.id.0)
                .map(|c| Self::choice_view(c, people))
                .collect::<Result<_, AppError>>()?
        } else {
            Vec::new()
        };
        let result = match &result_row {
            Some(r) => Some(self.result_view(db, r, people, Access::Full).await?),
            None => None,
        };
        Ok((mine, others, result))
    }
}

#[async_trait::async_trait]
impl app::ports::Quarterly for Service {
    async fn pool(&self, me: &Me, quarter: Option<Quarter>) -> Result<PoolView, AppError> {
        let (_, policy) = self.eval_policy(&self.db).await?;
        Self::require(me, policy.deciding_role)?;
        let q = quarter.unwrap_or_else(|| self.default_month().quarter());
        self.pool_view(&self.db, me, q).await
    }

    async fn published_results(
        &self,
        me: &Me,
        year: Option<i32>,
    ) -> Result<Vec<ResultView>, AppError> {
        let now = self.now();
        let mut q = eval_result::Entity::find()
            .filter(eval_result::Column::Kind.eq(QUARTERLY))
            .filter(eval_result::Column::PublishedAt.lte(now));
        if let Some(y) = year {
            q = q.filter(eval_result::Column::Year.eq(y));
        }
        let rows = q
            .order_by_desc(eval_result::Column::Year)
            .order_by_desc(eval_result::Column::Period)
            .all(&self.db)
            .await
            .ie()?;
        let people = self.people(&self.db).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            // Published quarterly results are visible to everyone; how much, by role.
            if let Some(access) = self.result_access(&self.db, me, r).await? {
                out.push(self.result_view(&self.db, r, &people, access).await?);
            }
        }
        Ok(out)
    }

    /// A principal's preliminary or confirming choice. The quarter is decided when the
    /// policy's number of active principals have confirmed *identical* lists: a confirmation
    /// that differs from one already confirmed is refused (409 `confirm_mismatch`) rather than
    /// stored, so two principals can never each believe their list was the decision. Choices
    /// stay private to the principals until the result is published; one's own must exist
    /// before the other's is shown, so neither anchors the other.
    async fn choose(
        &self,
        me: &Me,
        q: Quarter,
        confirm: bool,
        best: Vec<CadreId>,
        worst: Vec<CadreId>,
        note: Option<String>,
    ) -> Result<PoolView, AppError> {
        let note = clean_text("note", note.as_deref().unwrap_or(""), MAX_REASON_CHARS)?;
        let now = self.now();
        self.write(async |tx| {
            let (version, policy) = self.eval_policy(tx).await?;
            Self::require(me, policy.deciding_role)?;
            if self.quarter_result(tx, q).await?.is_some() {
                return Err(AppError::conflict("already_decided"));
            }
            let pool = self.pool_view(tx, me, q).await?;
            if !pool.ready {
                return Err(AppError::conflict("pool_not_ready"));
            }
            let choices = self.live_choices(tx, q).await?;
            let own = check_choice(&policy, &pool, me, &choices, confirm, &best, &worst)?;
            // A new preliminary choice replaces the earlier one (kept, marked withdrawn).
            for c in own {
                let mut am: quarter_choice::ActiveModel = c.clone().into();
                am.withdrawn_at = Set(Some(now));
                am.update(tx).await.ie()?;
            }
            let row = quarter_choice::ActiveModel {
                year: Set(q.year),
                quarter: Set(q.quarter as i32),
                principal_id: Set(me.id.0),
                confirm: Set(confirm),
                best: Set(ids_json(&raw_ids(&best))),
                worst: Set(ids_json(&raw_ids(&worst))),
                note: Set(note),
                at: Set(now),
                withdrawn_at: Set(None),
                ..Default::default()
            }
            .insert(tx)
            .await
            .ie()?;
            let action = if confirm {
                "quarter.confirmed"
            } else {
                "quarter.preliminary"
            };
            let digest = audit::digest_of(&(&row.best, &row.worst));
            self.audit(tx, me, action, "quarter_choice", row.id, Some(digest))
                .await?;
            let confirmations = self.deciding_confirmations(tx, q, &policy).await?;
            if confirm && confirmations.len() as u32 >= policy.confirmations_required {
                let decision = Decision {
                    q,
                    version,
                    pool: &pool,
                    best: &best,
                    worst: &worst,
                    now,
                };
                self.decide_quarter(tx, me, decision).await?;
            }
            let view = self.pool_view(tx, me, q).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn withdraw_choice(&self, me: &Me, q: Quarter) -> Result<PoolView, AppError> {
        self.write(async |tx| {
            let (_, policy) = self.eval_policy(tx).await?;
            Self::require(me, policy.deciding_role)?;
            if self.quarter_result(tx, q).await?.is_some() {
                return Err(AppError::conflict("already_decided"));
            }
            let own: Vec<quarter_choice::Model> = self
                .live_choices(tx, q)
                .await?
                .into_iter()
                .filter(|c| c.principal_id == me.id.0)
                .collect();
            if own.is_empty() {
                return Err(AppError::conflict("nothing_to_withdraw"));
            }
            for c in own {
                let id = c.id;
                let mut am: quarter_choice::ActiveModel = c.into();
                am.withdrawn_at = Set(Some(self.now()));
                am.update(tx).await.ie()?;
                self.audit(tx, me, "quarter.withdrawn", "quarter_choice", id, None)
                    .await?;
            }
            let view = self.pool_view(tx, me, q).await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn publish(&self, me: &Me, q: Quarter) -> Result<ResultView, AppError> {
        let now = self.now();
        self.write(async |tx| {
            let (_, policy) = self.eval_policy(tx).await?;
            Self::require(me, policy.deciding_role)?;
            let r = self
                .quarter_result(tx, q)
                .await?
                .ok_or_else(|| AppError::conflict("not_decided"))?;
            if r.published_at.is_some() {
                return Err(AppError::conflict("already_published"));
            }
            let mut am: eval_result::ActiveModel = r.into();
            am.published_at = Set(Some(now));
            am.revision = Set(1);
            let r = am.update(tx).await.ie()?;
            self.add_revision(
                tx,
                me,
                r.id,
                1,
                "published".into(),
                None,
                "already_published",
            )
            .await?;
            let names = eval_naming::Entity::find()
                .filter(eval_naming::Column::ResultId.eq(r.id))
                .all(tx)
                .await
                .ie()?;
            let view = self
                .record_result(tx, me, "quarter.published", &r, &names)
                .await?;
            Ok(Change::recorded(view))
        })
        .await
    }
}

fn raw_ids(v: &[CadreId]) -> Vec<i32> {
    v.iter().map(|c| c.0).collect()
}

/// Checks a principal's choice against the pool and the other confirmations, and returns
/// the principal's own earlier (preliminary) choices that it replaces. A confirmation must
/// match every confirmation already made, list for list: agreeing is what decides.
fn check_choice<'a>(
    policy: &EvalPolicy,
    pool: &PoolView,
    me: &Me,
    choices: &'a [quarter_choice::Model],
    confirm: bool,
    best: &[CadreId],
    worst: &[CadreId],
) -> Result<Vec<&'a quarter_choice::Model>, AppError> {
    let best_pool: HashSet<CadreId> = pool.best.iter().map(|p| p.cadre.id).collect();
    let worst_pool: HashSet<CadreId> = pool.worst.iter().map(|p| p.cadre.id).collect();
    check_quarter_choice(policy, &best_pool, &worst_pool, best, worst)?;
    let own: Vec<&quarter_choice::Model> = choices
        .iter()
        .filter(|c| c.principal_id == me.id.0)
        .collect();
    if own.iter().any(|c| c.confirm) {
        return Err(AppError::conflict("already_confirmed"));
    }
    if confirm {
        for other in choices
            .iter()
            .filter(|c| c.confirm && c.principal_id != me.id.0)
        {
            let (ob, ow) = choice_lists(other)?;
            if !same_list(&ob, best) || !same_list(&ow, worst) {
                return Err(AppError::conflict("confirm_mismatch"));
            }
        }
    }
    Ok(own)
}

/// What a decided quarter is made from.
struct Decision<'a> {
    q: Quarter,
    version: i32,
    pool: &'a PoolView,
    best: &'a [CadreId],
    worst: &'a [CadreId],
    now: DateTime<Utc>,
}

impl Service {
    /// The principals whose live confirmation counts: only those who still decide (active
    /// and holding the deciding role) — a confirmation by someone who has since left or
    /// lost the role does not.
    async fn deciding_confirmations(
        &self,
        tx: &DatabaseTransaction,
        q: Quarter,
        policy: &EvalPolicy,
    ) -> Result<HashSet<i32>, AppError> {
        let people = self.people(tx).await?;
        Ok(self
            .live_choices(tx, q)
            .await?
            .iter()
            .filter(|c| c.confirm)
            .filter(|c| {
                people
                    .get(&c.principal_id)
                    .is_some_and(|p| p.active && p.roles.contains(&policy.deciding_role))
            })
            .map(|c| c.principal_id)
            .collect())
    }

    /// Records the decided quarter: the result, and each name with the reasons and cited
    /// entries gathered from the monthly picks that put them in the pool.
    async fn decide_quarter(
        &self,
        tx: &DatabaseTransaction,
        me: &Me,
        d: Decision<'_>,
    ) -> Result<(), AppError> {
        let r = eval_result::ActiveModel {
            scope: Set(quarterly_scope(d.q)),
            kind: Set(QUARTERLY.into()),
            year: Set(d.q.year),
            period: Set(d.q.quarter as i32),
            owner_id: Set(None),
            policy_version: Set(d.version),
            made_by: Set(me.id.0),
            made_at: Set(d.now),
            late: Set(d.now > d.pool.due),
            published_at: Set(None),
            revision: Set(0),
            missing_confirmed: Set(false),
            missing_sheets: Set(0),
            ..Default::default()
        }
        .insert(tx)
        .await
        .map_err(|_| AppError::conflict("already_decided"))?;
        let mut names = Vec::new();
        for (kind, list, group) in [
            (PickKind::Best, d.best, &d.pool.best),
            (PickKind::Worst, d.worst, &d.pool.worst),
        ] {
            for c in list {
                let person = group.iter().find(|p| p.cadre.id == *c);
                let picks = person.map(|p| p.picks.as_slice()).unwrap_or(&[]);
                let reason = picks
                    .iter()
                    .map(|p| format!("{}月：{}", p.month.month, p.reason))
                    .collect::<Vec<_>>()
                    .join("；");
                let cites: Vec<i32> = picks
                    .iter()
                    .flat_map(|p| p.citations.iter().map(|c| c.entry.0))
                    .collect();
                names.push(insert_naming(tx, r.id, *c, kind, reason, &cites).await?);
            }
        }
        let state = Self::result_state(&r, &names);
        self.audit(tx, me, "quarter.decided", "eval_result", r.id, Some(state))
            .await
    }
}
