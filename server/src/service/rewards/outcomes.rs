//! Outcomes derived from published results (the reconciliation) and the rewards views.

use super::*;

fn criticism_reason(basis: &[String]) -> String {
    format!("连续{}次被评为最差（{}）", basis.len(), basis.join("、"))
}

/// One run of the reconciliation: on whose behalf and when it runs, the owner of the cases
/// it opens (looked up when first needed) and what it has changed so far.
struct Reconciliation {
    actor: Option<i32>,
    now: DateTime<Utc>,
    today: NaiveDate,
    owner: Option<Option<i32>>,
    report: RecomputeReport,
}

/// The published results as the outcome rules take them: each quarterly result with its
/// current namings (pending while under appeal), and the worst namings of monthly picks.
fn finals_of(
    results: &[eval_result::Model],
    namings: &[eval_naming::Model],
    open: &HashSet<i32>,
    policies: &HashMap<i32, OutcomePolicy>,
) -> Result<(Vec<QuarterFinal>, Vec<MonthlyWorst>), AppError> {
    let mut quarters = Vec::new();
    let mut monthly = Vec::new();
    for r in results {
        let names = namings.iter().filter(|n| n.result_id == r.id);
        if r.kind == QUARTERLY {
            quarters.push(QuarterFinal {
                quarter: quarter_of(r),
                result: ResultId(r.id),
                policy_version: r.policy_version,
                policy: policies.get(&r.policy_version).cloned().stored(
                    "eval_results",
                    r.id,
                    "policy_version",
                )?,
                names: names
                    .map(|n| {
                        Ok(FinalNaming {
                            cadre: CadreId(n.cadre_id),
                            naming: NamingId(n.id),
                            kind: PickKind::from_code(&n.kind).stored(
                                "eval_namings",
                                n.id,
                                "kind",
                            )?,
                            pending: open.contains(&n.id),
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
            });
        } else if r.kind == MONTHLY {
            for n in names.filter(|n| n.kind == PickKind::Worst.code()) {
                monthly.push(MonthlyWorst {
                    month: Month {
                        year: r.year,
                        month: r.period as u32,
                    },
                    cadre: CadreId(n.cadre_id),
                    pending: open.contains(&n.id),
                });
            }
        }
    }
    Ok((quarters, monthly))
}

impl Service {
    /// The principal who owns new cases: the first active principal (the Party secretary in
    /// the demo), if any.
    pub(in crate::service) async fn default_owner<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<Option<i32>, AppError> {
        let people = self.people(db).await?;
        let mut ids: Vec<i32> = people
            .iter()
            .filter(|(_, p)| p.active && p.roles.contains(&Role::Principal))
            .map(|(id, _)| *id)
            .collect();
        ids.sort();
        Ok(ids.first().copied())
    }

    /// Derives every outcome from the published results and brings the stored outcomes and
    /// cases in line: new outcomes are added, pending ones activated (opening their cases),
    /// active ones held while an appeal is open, and outcomes whose naming is gone withdrawn
    /// (their open cases too), each with an audit row. Running it again changes nothing.
    ///
    /// Why derive instead of apply: outcomes hang on namings that appeals can overturn or
    /// replace long after publication, and a streak of worst quarters can be broken by an
    /// answer to an appeal two quarters back. Applying outcomes as events would need an undo
    /// for each of those paths; deriving the whole set from the published results every
    /// time (the pure `derive_outcomes`) and reconciling it with what is stored makes every
    /// path the same one. Stored rows are never deleted: a naming that disappears withdraws
    /// its outcome with a reason, so the history of who was told what stays readable. It runs
    /// inside the caller's transaction, so a publication and the outcomes it moves commit (or
    /// fail) together.
    pub(crate) async fn recompute_in<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: Option<i32>,
    ) -> Result<RecomputeReport, AppError> {
        let now = self.now();
        let today = self.today();
        let (quarters, monthly, policies) = self.published_finals(db, now).await?;
        let derived = derive_outcomes(&quarters, &monthly);

        let mut existing: BTreeMap<(i32, i32, String), outcome::Model> = outcome::Entity::find()
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .order_by_asc(outcome::Column::Id)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|o| (key3(o.cadre_id, o.result_id, &o.kind), o))
            .collect();
        let mut run = Reconciliation {
            actor,
            now,
            today,
            owner: None,
            report: RecomputeReport::default(),
        };
        for d in derived {
            let status = if d.pending {
                OutcomeStatus::Pending
            } else {
                OutcomeStatus::Active
            };
            let key = key3(d.cadre.0, d.result.0, d.kind.code());
            let stored = existing.remove(&key);
            let row = self.sync_outcome(db, &mut run, &d, status, stored).await?;
            if status == OutcomeStatus::Active && d.kind.is_case() {
                self.open_case_for(db, &mut run, &d, &row, &policies)
                    .await?;
            }
        }
        for (_, row) in existing {
            self.withdraw_outcome(db, &mut run, row).await?;
        }
        Ok(run.report)
    }

    /// What the outcome rules take: the published quarterly results (current namings, each
    /// pending while under appeal) and the published monthly worst picks, with the outcome
    /// policy of every policy version they were made under.
    async fn published_finals<C: ConnectionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> Result<
        (
            Vec<QuarterFinal>,
            Vec<MonthlyWorst>,
            HashMap<i32, OutcomePolicy>,
        ),
        AppError,
    > {
        let results: Vec<eval_result::Model> = eval_result::Entity::find()
            .filter(eval_result::Column::PublishedAt.is_not_null())
            .all(db)
            .await
            .ie()?
            .into_iter()
            .filter(|r| r.published_at.is_some_and(|p| p <= now))
            .collect();
        let ids: Vec<i32> = results.iter().map(|r| r.id).collect();
        let namings = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.is_in(ids))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .all(db)
            .await
            .ie()?;
        let open: HashSet<i32> = appeal::Entity::find()
            .filter(appeal::Column::Status.eq(AppealStatus::Open.code()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|a| a.naming_id)
            .collect();
        let mut policies: HashMap<i32, OutcomePolicy> = HashMap::new();
        for r in &results {
            if let std::collections::hash_map::Entry::Vacant(e) = policies.entry(r.policy_version) {
                e.insert(self.eval_policy_at(db, r.policy_version).await?.outcomes);
            }
        }
        let (quarters, monthly) = finals_of(&results, &namings, &open, &policies)?;
        Ok((quarters, monthly, policies))
    }

    /// Brings one stored outcome in line with its derived one: leaves it when its status
    /// agrees, activates or holds it otherwise, and adds it when there is none; each change
    /// with its audit row. Returns the stored row.
    async fn sync_outcome<C: ConnectionTrait>(
        &self,
        db: &C,
        run: &mut Reconciliation,
        d: &DerivedOutcome,
        status: OutcomeStatus,
        stored: Option<outcome::Model>,
    ) -> Result<outcome::Model, AppError> {
        let (actor, now) = (run.actor, run.now);
        let report = &mut run.report;
        Ok(match stored {
            Some(row) if row.status == status.code() => row,
            Some(row) => {
                let mut am: outcome::ActiveModel = row.clone().into();
                am.status = Set(status.code().into());
                if status == OutcomeStatus::Active && row.activated_at.is_none() {
                    am.activated_at = Set(Some(now));
                }
                let row = am.update(db).await.ie()?;
                let action = if status == OutcomeStatus::Active {
                    report.activated += 1;
                    "outcome.activated"
                } else {
                    report.made_pending += 1;
                    "outcome.held"
                };
                self.audit_as(db, actor, action, "outcome", row.id, None)
                    .await?;
                row
            }
            None => {
                let row = outcome::ActiveModel {
                    cadre_id: Set(d.cadre.0),
                    result_id: Set(d.result.0),
                    naming_id: Set(d.naming.map(|n| n.0)),
                    quarter: Set(d.quarter.key()),
                    year: Set(d.quarter.year),
                    kind: Set(d.kind.code().into()),
                    status: Set(status.code().into()),
                    policy_version: Set(d.policy_version),
                    basis: Set(serde_json::to_string(&d.basis).unwrap_or_else(|_| "[]".into())),
                    created_at: Set(now),
                    activated_at: Set((status == OutcomeStatus::Active).then_some(now)),
                    withdrawn_at: Set(None),
                    withdrawn_reason: Set(None),
                    ..Default::default()
                }
                .insert(db)
                .await
                .ie()?;
                report.created += 1;
                self.audit_as(
                    db,
                    actor,
                    "outcome.created",
                    "outcome",
                    row.id,
                    Some(audit::digest_of(d)),
                )
                .await?;
                row
            }
        })
    }

    /// Opens the case an active talk, warning or rectification calls for, unless it has
    /// one: owned by the default owner (looked up once per run; with none, no case is
    /// opened) and due after the policy's days for its kind.
    async fn open_case_for<C: ConnectionTrait>(
        &self,
        db: &C,
        run: &mut Reconciliation,
        d: &DerivedOutcome,
        row: &outcome::Model,
        policies: &HashMap<i32, OutcomePolicy>,
    ) -> Result<(), AppError> {
        let has_case = case::Entity::find()
            .filter(case::Column::OutcomeId.eq(row.id))
            .one(db)
            .await
            .ie()?
            .is_some();
        if has_case {
            return Ok(());
        }
        if run.owner.is_none() {
            run.owner = Some(self.default_owner(db).await?);
        }
        let Some(Some(owner_id)) = run.owner else {
            return Ok(());
        };
        let policy = policies.get(&d.policy_version).cloned().stored(
            "outcomes",
            row.id,
            "policy_version",
        )?;
        let days = if d.kind == OutcomeKind::Rectification {
            policy.rectification_days
        } else {
            policy.talk_due_days
        };
        let c = case::ActiveModel {
            outcome_id: Set(row.id),
            cadre_id: Set(row.cadre_id),
            kind: Set(row.kind.clone()),
            owner_id: Set(owner_id),
            opened_at: Set(run.now),
            due_on: Set(run.today + Duration::days(i64::from(days))),
            state: Set(CaseState::Open.code().into()),
            closed_at: Set(None),
            closed_by: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await
        .ie()?;
        run.report.cases_opened += 1;
        self.audit_as(db, run.actor, "case.opened", "case", c.id, None)
            .await
    }

    /// Withdraws a stored outcome the rules no longer derive (its naming is gone), and its
    /// open cases with a note saying why; each with its audit row.
    async fn withdraw_outcome<C: ConnectionTrait>(
        &self,
        db: &C,
        run: &mut Reconciliation,
        row: outcome::Model,
    ) -> Result<(), AppError> {
        let (actor, now) = (run.actor, run.now);
        let id = row.id;
        let mut am: outcome::ActiveModel = row.into();
        am.status = Set(OutcomeStatus::Withdrawn.code().into());
        am.withdrawn_at = Set(Some(now));
        am.withdrawn_reason = Set(Some("result_changed".into()));
        am.update(db).await.ie()?;
        run.report.withdrawn += 1;
        self.audit_as(db, actor, "outcome.withdrawn", "outcome", id, None)
            .await?;
        let cases = case::Entity::find()
            .filter(case::Column::OutcomeId.eq(id))
            .filter(case::Column::State.eq(CaseState::Open.code()))
            .all(db)
            .await
            .ie()?;
        for c in cases {
            let cid = c.id;
            let mut cm: case::ActiveModel = c.into();
            cm.state = Set(CaseState::Withdrawn.code().into());
            cm.closed_at = Set(Some(now));
            cm.update(db).await.ie()?;
            case_note::ActiveModel {
                case_id: Set(cid),
                author_id: Set(actor),
                kind: Set(NoteKind::Withdrawn.code().into()),
                body: Set(
                    "复评改变了评定结果，本事项撤销 / withdrawn after an appeal changed the result"
                        .into(),
                ),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await
            .ie()?;
            run.report.cases_withdrawn += 1;
            self.audit_as(db, actor, "case.withdrawn", "case", cid, None)
                .await?;
        }
        Ok(())
    }

    pub(in crate::service) fn outcome_view(
        o: &outcome::Model,
        people: &HashMap<i32, Person>,
        reasons: &HashMap<i32, String>,
        cases: &HashMap<i32, i32>,
    ) -> Result<OutcomeView, AppError> {
        let p = people.get(&o.cadre_id).cloned().unwrap_or_default();
        let basis: Vec<String> =
            serde_json::from_str(&o.basis).stored("outcomes", o.id, "basis")?;
        let kind = OutcomeKind::from_code(&o.kind).stored("outcomes", o.id, "kind")?;
        let reason = if basis.is_empty() {
            o.naming_id
                .and_then(|n| reasons.get(&n).cloned())
                .unwrap_or_default()
        } else {
            criticism_reason(&basis)
        };
        Ok(OutcomeView {
            id: OutcomeId(o.id),
            cadre: PersonRef::new(CadreId(o.cadre_id), p.name),
            department: p.department,
            result: ResultId(o.result_id),
            quarter: o.quarter.clone(),
            kind,
            status: OutcomeStatus::from_code(&o.status).stored("outcomes", o.id, "status")?,
            policy_version: o.policy_version,
            basis,
            reason,
            created_at: o.created_at,
            activated_at: o.activated_at,
            withdrawn_at: o.withdrawn_at,
            withdrawn_reason: o.withdrawn_reason.clone(),
            case: cases.get(&o.id).map(|c| CaseId(*c)),
        })
    }

    pub(in crate::service) async fn naming_reasons<C: ConnectionTrait>(
        &self,
        db: &C,
        outcomes: &[outcome::Model],
    ) -> Result<HashMap<i32, String>, AppError> {
        let ids: Vec<i32> = outcomes.iter().filter_map(|o| o.naming_id).collect();
        Ok(eval_naming::Entity::find()
            .filter(eval_naming::Column::Id.is_in(ids))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|n| (n.id, n.reason))
            .collect())
    }

    pub(in crate::service) async fn outcome_views<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: &[outcome::Model],
        people: &HashMap<i32, Person>,
    ) -> Result<Vec<OutcomeView>, AppError> {
        let reasons = self.naming_reasons(db, rows).await?;
        let ids: Vec<i32> = rows.iter().map(|o| o.id).collect();
        let cases: HashMap<i32, i32> = case::Entity::find()
            .filter(case::Column::OutcomeId.is_in(ids))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| (c.outcome_id, c.id))
            .collect();
        rows.iter()
            .map(|o| Self::outcome_view(o, people, &reasons, &cases))
            .collect()
    }
}

impl Service {
    pub(super) async fn eval_policy_at_or_current<C: ConnectionTrait>(
        &self,
        db: &C,
        version: i32,
    ) -> Result<(i32, EvalPolicy), AppError> {
        Ok((version, self.eval_policy_at(db, version).await?))
    }
}

#[async_trait::async_trait]
impl app::ports::Outcomes for Service {
    async fn rewards_board(&self, me: &Me) -> Result<RewardsBoard, AppError> {
        if !Self::may_see_rewards(me) {
            return Err(AppError::Forbidden {});
        }
        let db = &self.db;
        let now = self.now();
        let people = self.people(db).await?;
        let results = eval_result::Entity::find()
            .filter(eval_result::Column::Kind.eq(QUARTERLY))
            .filter(eval_result::Column::PublishedAt.is_not_null())
            .order_by_desc(eval_result::Column::Year)
            .order_by_desc(eval_result::Column::Period)
            .all(db)
            .await
            .ie()?;
        let open_results: HashSet<i32> = appeal::Entity::find()
            .filter(appeal::Column::Status.eq(AppealStatus::Open.code()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|a| a.result_id)
            .collect();
        let mut quarters = Vec::new();
        for r in results
            .iter()
            .filter(|r| r.published_at.is_some_and(|p| p <= now))
        {
            let rows = outcome::Entity::find()
                .filter(outcome::Column::ResultId.eq(r.id))
                .order_by_asc(outcome::Column::Id)
                .all(db)
                .await
                .ie()?;
            quarters.push(QuarterOutcomes {
                result: ResultId(r.id),
                quarter: quarter_of(r).key(),
                published_at: r.published_at,
                under_appeal: open_results.contains(&r.id),
                outcomes: self.outcome_views(db, &rows, &people).await?,
            });
        }
        let mut cases = Vec::new();
        for c in case::Entity::find()
            .order_by_asc(case::Column::DueOn)
            .all(db)
            .await
            .ie()?
        {
            cases.push(self.case_view(db, me, &c, &people, false).await?);
        }
        cases.sort_by_key(|c| (c.state != CaseState::Open, !c.overdue, c.due));
        let (version, policy) = self.eval_policy(db).await?;
        Ok(RewardsBoard {
            quarters,
            cases,
            notices: self.notice_summaries(db, me).await?,
            policy_version: version,
            policy: policy.outcomes,
            may_draft: Self::may_draft_notices(me),
        })
    }

    async fn recompute_outcomes(&self, me: &Me) -> Result<RecomputeReport, AppError> {
        if !(me.has(Role::Office) || me.has(Role::Principal)) {
            return Err(AppError::Forbidden {});
        }
        self.write(async |tx| {
            let report = self.recompute_in(tx, Some(me.id.0)).await?;
            Ok(Change::recorded(report))
        })
        .await
    }

    async fn my_rewards(&self, me: &Me) -> Result<MyRewards, AppError> {
        use app::ports::Appeals;
        let results = self.my_results(me).await?;
        let db = &self.db;
        let people = self.people(db).await?;
        let rows = outcome::Entity::find()
            .filter(outcome::Column::CadreId.eq(me.id.0))
            .order_by_desc(outcome::Column::Id)
            .all(db)
            .await
            .ie()?;
        let outcomes = self.outcome_views(db, &rows, &people).await?;
        let mut cases = Vec::new();
        for c in case::Entity::find()
            .filter(case::Column::CadreId.eq(me.id.0))
            .order_by_desc(case::Column::Id)
            .all(db)
            .await
            .ie()?
        {
            cases.push(self.case_view(db, me, &c, &people, true).await?);
        }
        // Every period with a base or an outcome of mine, in payment order.
        let mut periods: BTreeSet<LedgerPeriod> = bonus_base::Entity::find()
            .filter(bonus_base::Column::CadreId.eq(me.id.0))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|b| LedgerPeriod::parse_key(&b.period).stored("bonus_bases", b.id, "period"))
            .collect::<Result<_, AppError>>()?;
        for o in &rows {
            let q = Quarter::parse_key(&o.quarter).stored("outcomes", o.id, "quarter")?;
            periods.insert(LedgerPeriod::quarter(q));
            periods.insert(LedgerPeriod::year_end(q.year));
        }
        let closures = self.closures(db).await?;
        // Closed periods, and the open periods that carry their corrections.
        for closed in closures.keys() {
            periods.insert(*closed);
            let mut next = closed.next();
            while closures.contains_key(&next) {
                next = next.next();
            }
            periods.insert(next);
        }
        let mut ledger = Vec::new();
        for p in periods {
            let (frozen, _) = self.period_lines(db, p).await?;
            ledger.extend(
                frozen
                    .rows
                    .into_iter()
                    .chain(frozen.corrections)
                    .filter(|r| r.cadre == me.id),
            );
        }
        Ok(MyRewards {
            results,
            outcomes,
            cases,
            ledger,
        })
    }
}
