//! The monthly pick: a supervising leader names the best and worst of their cadres.

use super::*;

#[async_trait::async_trait]
impl app::ports::MonthlyPicks for Service {
    async fn pick_board(&self, me: &Me, month: Option<Month>) -> Result<PickBoard, AppError> {
        Self::require(me, Role::Supervisor)?;
        let month = month.unwrap_or_else(|| self.default_month());
        let (version, policy) = self.eval_policy(&self.db).await?;
        let people = self.people(&self.db).await?;
        let ids = self.own_cadres(me, month, &people).await?;
        let (glances, entries, owner) = self.glances(&self.db, &ids, month).await?;
        let opinions = self.opinions(&self.db, &ids, &[month], &people).await?;
        let mut past = self.past_picks(me, &ids, month).await?;
        let candidates: Vec<PickCandidate> = ids
            .iter()
            .map(|id| {
                let p = people.get(id).cloned().unwrap_or_default();
                Ok(PickCandidate {
                    cadre: PersonRef::new(CadreId(*id), p.name),
                    department: p.department,
                    glance: glances.get(id).cloned().unwrap_or(MonthGlance {
                        sheets: vec![],
                        places: vec![],
                        missing: 3,
                    }),
                    opinions: opinions
                        .iter()
                        .filter(|o| o.cadre.0 == *id)
                        .cloned()
                        .collect(),
                    past: past.remove(id).unwrap_or_default(),
                    entries: cite_options(
                        entries
                            .iter()
                            .filter(|e| owner.get(&e.sheet_id) == Some(id)),
                    )?,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let existing = eval_result::Entity::find()
            .filter(eval_result::Column::Scope.eq(monthly_scope(month, me.id.0)))
            .one(&self.db)
            .await
            .ie()?;
        let result = match existing {
            Some(r) => Some(
                self.result_view(&self.db, &r, &people, Access::Full)
                    .await?,
            ),
            None => None,
        };
        let n = ids.len() as u32;
        let want_best = policy.monthly_best.min(n);
        Ok(PickBoard {
            month,
            due: policy.pick_due(month, &self.policy),
            policy_version: version,
            want_best,
            want_worst: policy.monthly_worst.min(n.saturating_sub(want_best)),
            missing_sheets: candidates.iter().map(|c| c.glance.missing).sum(),
            candidates,
            result,
        })
    }

    async fn submit_pick(&self, me: &Me, input: MonthlyPick) -> Result<ResultView, AppError> {
        Self::require(me, Role::Supervisor)?;
        let month = input.month;
        if month.next().first_day() > self.today() {
            return Err(AppError::conflict("month_not_over"));
        }
        let now = self.now();
        self.write(async |tx| {
            let scope = monthly_scope(month, me.id.0);
            self.check_pick_open(tx, month, &scope).await?;
            let (version, policy) = self.eval_policy(tx).await?;
            let missing = self.check_pick(tx, me, month, &policy, &input).await?;
            let due = policy.pick_due(month, &self.policy);
            let r = eval_result::ActiveModel {
                scope: Set(scope),
                kind: Set(MONTHLY.into()),
                year: Set(month.year),
                period: Set(month.month as i32),
                owner_id: Set(Some(me.id.0)),
                policy_version: Set(version),
                made_by: Set(me.id.0),
                made_at: Set(now),
                late: Set(now > due),
                // Monthly picks become visible to the named cadres at the deadline, so that
                // every leader's pick is published together.
                published_at: Set(Some(now.max(due))),
                revision: Set(1),
                missing_confirmed: Set(missing > 0),
                missing_sheets: Set(missing as i32),
                ..Default::default()
            }
            .insert(tx)
            .await
            .map_err(|_| AppError::conflict("already_picked"))?;
            let names = Self::insert_pick_namings(tx, r.id, &input).await?;
            let note = if missing > 0 {
                format!("submitted with {missing} sheet(s) missing (confirmed)")
            } else {
                "submitted".into()
            };
            self.add_revision(tx, me, r.id, 1, note, None, "already_picked")
                .await?;
            let view = self
                .record_result(tx, me, "pick.submitted", &r, &names)
                .await?;
            Ok(Change::recorded(view))
        })
        .await
    }

    async fn result(&self, me: &Me, id: ResultId) -> Result<ResultView, AppError> {
        let r = eval_result::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        let Some(access) = self.result_access(&self.db, me, &r).await? else {
            return Err(AppError::NotFound {});
        };
        let people = self.people(&self.db).await?;
        self.result_view(&self.db, &r, &people, access).await
    }
}

impl Service {
    /// Refuses a monthly pick once the month's quarter is decided, or when this leader's
    /// pick of the month (`scope`) is already in.
    async fn check_pick_open(
        &self,
        tx: &DatabaseTransaction,
        month: Month,
        scope: &str,
    ) -> Result<(), AppError> {
        if self.quarter_result(tx, month.quarter()).await?.is_some() {
            return Err(AppError::conflict("quarter_decided"));
        }
        if eval_result::Entity::find()
            .filter(eval_result::Column::Scope.eq(scope))
            .one(tx)
            .await
            .ie()?
            .is_some()
        {
            return Err(AppError::conflict("already_picked"));
        }
        Ok(())
    }

    /// Checks the pick against the policy and the leader's cadres of the month (their
    /// cited entries included), and that missing sheets are knowingly confirmed. Returns
    /// how many of the month's sheets are missing.
    async fn check_pick(
        &self,
        tx: &DatabaseTransaction,
        me: &Me,
        month: Month,
        policy: &EvalPolicy,
        input: &MonthlyPick,
    ) -> Result<u32, AppError> {
        let sups = self.supervisors_in_month(tx, month).await?;
        let ids: Vec<i32> = sups
            .iter()
            .filter(|(_, s)| **s == me.id.0)
            .map(|(c, _)| *c)
            .collect();
        if ids.is_empty() {
            return Err(AppError::invalid("best", "not_your_cadre"));
        }
        let eligible: HashSet<CadreId> = ids.iter().map(|i| CadreId(*i)).collect();
        let (glances, entries, owner) = self.glances(tx, &ids, month).await?;
        let entry_owner: HashMap<EntryId, CadreId> = entries
            .iter()
            .filter_map(|e| owner.get(&e.sheet_id).map(|c| (EntryId(e.id), CadreId(*c))))
            .collect();
        check_monthly_pick(policy, &eligible, &entry_owner, &input.best, &input.worst)?;
        let missing: u32 = glances.values().map(|g| g.missing).sum();
        if missing > 0 && !input.confirm_missing {
            return Err(AppError::conflict("sheets_missing"));
        }
        Ok(missing)
    }

    /// Stores the pick's namings, best then worst in the order given, on the first
    /// revision of the result `result_id`.
    async fn insert_pick_namings(
        tx: &DatabaseTransaction,
        result_id: i32,
        input: &MonthlyPick,
    ) -> Result<Vec<eval_naming::Model>, AppError> {
        let mut names = Vec::new();
        for (kind, lines) in [
            (PickKind::Best, &input.best),
            (PickKind::Worst, &input.worst),
        ] {
            for l in lines.iter() {
                let cites: Vec<i32> = l.citations.iter().map(|e| e.0).collect();
                let reason = required_text("reason", &l.reason)?;
                names.push(insert_naming(tx, result_id, l.cadre, kind, reason, &cites).await?);
            }
        }
        Ok(names)
    }

    /// The cadres `me` supervised in the month, by name.
    async fn own_cadres(
        &self,
        me: &Me,
        month: Month,
        people: &HashMap<i32, Person>,
    ) -> Result<Vec<i32>, AppError> {
        let sups = self.supervisors_in_month(&self.db, month).await?;
        let mut ids: Vec<i32> = sups
            .iter()
            .filter(|(_, s)| **s == me.id.0)
            .map(|(c, _)| *c)
            .collect();
        ids.sort_by(|a, b| {
            let n = |i: &i32| people.get(i).map(|p| p.name.clone()).unwrap_or_default();
            n(a).cmp(&n(b))
        });
        Ok(ids)
    }

    /// Each cadre's earlier monthly namings (still current) before `month`, newest first —
    /// only from `me`'s own earlier picks: other leaders' are not one's to see.
    async fn past_picks(
        &self,
        me: &Me,
        ids: &[i32],
        month: Month,
    ) -> Result<HashMap<i32, Vec<PastPick>>, AppError> {
        let rows = eval_naming::Entity::find()
            .filter(eval_naming::Column::CadreId.is_in(ids.iter().copied()))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .all(&self.db)
            .await
            .ie()?;
        let result_ids: Vec<i32> = rows.iter().map(|n| n.result_id).collect();
        let results: HashMap<i32, eval_result::Model> = if result_ids.is_empty() {
            HashMap::new()
        } else {
            eval_result::Entity::find()
                .filter(eval_result::Column::Id.is_in(result_ids))
                .filter(eval_result::Column::Kind.eq(MONTHLY))
                .filter(eval_result::Column::OwnerId.eq(me.id.0))
                .all(&self.db)
                .await
                .ie()?
                .into_iter()
                .map(|r| (r.id, r))
                .collect()
        };
        let mut out: HashMap<i32, Vec<PastPick>> = HashMap::new();
        for n in &rows {
            let kind = PickKind::from_code(&n.kind).stored("eval_namings", n.id, "kind")?;
            let Some(r) = results.get(&n.result_id) else {
                continue;
            };
            let m = Month {
                year: r.year,
                month: r.period as u32,
            };
            if m < month {
                out.entry(n.cadre_id)
                    .or_default()
                    .push(PastPick { month: m, kind });
            }
        }
        for picks in out.values_mut() {
            picks.sort_by_key(|p| std::cmp::Reverse(p.month));
        }
        Ok(out)
    }
}

/// A cadre's entries of the month as a leader may cite them.
fn cite_options<'a>(
    entries: impl Iterator<Item = &'a day_entry::Model>,
) -> Result<Vec<CiteOption>, AppError> {
    entries
        .map(|e| {
            Ok(CiteOption {
                entry: EntryId(e.id),
                sheet: SheetId(e.sheet_id),
                day: e.day,
                work: e.work.clone(),
                outcome: e.outcome.clone(),
                place: Place::from_code(&e.place).stored("day_entries", e.id, "place")?,
            })
        })
        .collect()
}
