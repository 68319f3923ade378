//! The three evaluations (三评) on sea-orm: area-chief opinions, monthly picks, the quarterly
//! re-evaluation, appeals, the calendar and the versioned evaluation policy. The rules
//! themselves are the pure functions of `app::eval`; this room loads what they need and
//! authorises every call on the record it touches.

mod appeals;
mod calendar;
mod calendar_steps;
mod opinions;
mod picks;
mod policy;
mod quarter;

use crate::service::prelude::*;

const MONTHLY: &str = "monthly";

const QUARTERLY: &str = "quarterly";

fn monthly_scope(m: Month, leader: i32) -> String {
    format!("m:{}:{leader}", m.key())
}

fn quarterly_scope(q: Quarter) -> String {
    format!("q:{}", q.key())
}

fn result_period(r: &eval_result::Model) -> String {
    if r.kind == MONTHLY {
        format!("{}-{:02}", r.year, r.period)
    } else {
        format!("{}-Q{}", r.year, r.period)
    }
}

fn result_kind(r: &eval_result::Model) -> ResultKind {
    if r.kind == MONTHLY {
        ResultKind::Monthly
    } else {
        ResultKind::Quarterly
    }
}

fn ids_json(ids: &[i32]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Stores a naming of a result's first revision: who, best or worst, why, which entries.
async fn insert_naming(
    tx: &DatabaseTransaction,
    result_id: i32,
    cadre: CadreId,
    kind: PickKind,
    reason: String,
    cites: &[i32],
) -> Result<eval_naming::Model, AppError> {
    eval_naming::ActiveModel {
        result_id: Set(result_id),
        cadre_id: Set(cadre.0),
        kind: Set(kind.code().into()),
        reason: Set(reason),
        citations: Set(ids_json(cites)),
        added_in: Set(1),
        removed_in: Set(None),
        ..Default::default()
    }
    .insert(tx)
    .await
    .ie()
}

/// The entry ids each naming cites, by naming id, as stored.
fn citations_by_naming(namings: &[eval_naming::Model]) -> Result<HashMap<i32, Vec<i32>>, AppError> {
    namings
        .iter()
        .map(|n| {
            let ids =
                serde_json::from_str(&n.citations).stored("eval_namings", n.id, "citations")?;
            Ok((n.id, ids))
        })
        .collect()
}

/// A principal's stored best and worst lists.
fn choice_lists(c: &quarter_choice::Model) -> Result<(Vec<CadreId>, Vec<CadreId>), AppError> {
    let list = |json: &str, column: &str| -> Result<Vec<CadreId>, AppError> {
        let ids: Vec<i32> = serde_json::from_str(json).stored("quarter_choices", c.id, column)?;
        Ok(ids.into_iter().map(CadreId).collect())
    };
    Ok((list(&c.best, "best")?, list(&c.worst, "worst")?))
}

/// Every cadre's supervising leader during `month` from supervision rows: the assignment
/// covering the month's last dekad (latest start first), as for sheets.
pub(crate) fn supervisors_from(
    mut rows: Vec<supervision::Model>,
    month: Month,
) -> HashMap<i32, i32> {
    let period = month.periods()[2];
    rows.sort_by(|a, b| b.valid_from.cmp(&a.valid_from).then(b.id.cmp(&a.id)));
    let mut out = HashMap::new();
    for r in rows {
        let overlaps = r.valid_from <= period.last_day()
            && r.valid_to.is_none_or(|to| to > period.first_day());
        if overlaps && r.cadre_id != r.supervisor_id {
            out.entry(r.cadre_id).or_insert(r.supervisor_id);
        }
    }
    out
}

/// Whether a published naming's state may be seen by `now`.
fn is_published(r: &eval_result::Model, now: DateTime<Utc>) -> bool {
    r.published_at.is_some_and(|p| p <= now)
}

/// How much of a result a viewer may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Everything: its leader or the deciders, principals, committee, office.
    Full,
    /// A named cadre: only their own naming and the revisions that concern it.
    Own(i32),
    /// Everyone, once a quarterly result is published: the current names and reasons,
    /// without cited entries or the committee's answers.
    Public,
}

#[derive(Serialize)]
struct ResultState<'a> {
    scope: &'a str,
    revision: i32,
    published_at: Option<DateTime<Utc>>,
    names: Vec<(i32, &'a str, Option<i32>)>,
}

impl Service {
    /// Every cadre's supervising leader during `month` (the assignment covering its last
    /// dekad, as for sheets), computed in memory from one query.
    async fn supervisors_in_month<C: ConnectionTrait>(
        &self,
        db: &C,
        month: Month,
    ) -> Result<HashMap<i32, i32>, AppError> {
        let period = month.periods()[2];
        let rows = supervision::Entity::find()
            .filter(supervision::Column::ValidFrom.lte(period.last_day()))
            .all(db)
            .await
            .ie()?;
        Ok(supervisors_from(rows, month))
    }

    async fn citations<C: ConnectionTrait>(
        &self,
        db: &C,
        ids: &[i32],
    ) -> Result<HashMap<i32, CitationView>, AppError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(day_entry::Entity::find()
            .filter(day_entry::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|e| {
                (
                    e.id,
                    CitationView {
                        entry: EntryId(e.id),
                        sheet: SheetId(e.sheet_id),
                        day: e.day,
                        work: e.work,
                        outcome: e.outcome,
                    },
                )
            })
            .collect())
    }

    /// Open appeals per naming id among `naming_ids`.
    async fn open_appeals<C: ConnectionTrait>(
        &self,
        db: &C,
        result_ids: &[i32],
    ) -> Result<HashSet<i32>, AppError> {
        if result_ids.is_empty() {
            return Ok(HashSet::new());
        }
        Ok(appeal::Entity::find()
            .filter(appeal::Column::ResultId.is_in(result_ids.iter().copied()))
            .filter(appeal::Column::Status.eq(AppealStatus::Open.code()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|a| a.naming_id)
            .collect())
    }

    /// A result as `me` may see it: `only` limits the namings to one person's.
    async fn result_view<C: ConnectionTrait>(
        &self,
        db: &C,
        r: &eval_result::Model,
        people: &HashMap<i32, Person>,
        access: Access,
    ) -> Result<ResultView, AppError> {
        let names = self.naming_views(db, r, people, access).await?;
        let history = Self::revision_views(db, r, people, access).await?;
        let name = |id: i32| people.person_ref(id);
        Ok(ResultView {
            id: ResultId(r.id),
            kind: result_kind(r),
            period: result_period(r),
            owner: r.owner_id.map(name),
            policy_version: r.policy_version,
            made_at: r.made_at,
            late: r.late,
            published_at: r.published_at,
            published: is_published(r, self.now()),
            revision: r.revision,
            missing_confirmed: r.missing_confirmed,
            missing_sheets: r.missing_sheets as u32,
            under_appeal: names.iter().any(|n| n.under_appeal),
            names,
            history,
        })
    }

    /// The result's namings the viewer may see (all, their own, or the current ones), with
    /// the entries they cite (not for the public) and whether each is under appeal.
    async fn naming_views<C: ConnectionTrait>(
        &self,
        db: &C,
        r: &eval_result::Model,
        people: &HashMap<i32, Person>,
        access: Access,
    ) -> Result<Vec<NamingView>, AppError> {
        let namings = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.eq(r.id))
            .order_by_asc(eval_naming::Column::Id)
            .all(db)
            .await
            .ie()?;
        let cited_by = citations_by_naming(&namings)?;
        let cited: Vec<i32> = cited_by.values().flatten().copied().collect();
        let cites = self.citations(db, &cited).await?;
        let open = self.open_appeals(db, &[r.id]).await?;
        let name = |id: i32| people.person_ref(id);
        namings
            .iter()
            .filter(|n| match access {
                Access::Full => true,
                Access::Own(c) => c == n.cadre_id,
                Access::Public => n.removed_in.is_none(),
            })
            .map(|n| {
                Ok(NamingView {
                    id: NamingId(n.id),
                    cadre: name(n.cadre_id),
                    department: people
                        .get(&n.cadre_id)
                        .map(|p| p.department.clone())
                        .unwrap_or_default(),
                    kind: PickKind::from_code(&n.kind).stored("eval_namings", n.id, "kind")?,
                    reason: n.reason.clone(),
                    citations: if access == Access::Public {
                        Vec::new()
                    } else {
                        cited_by[&n.id]
                            .iter()
                            .filter_map(|e| cites.get(e).cloned())
                            .collect()
                    },
                    added_in: n.added_in,
                    removed_in: n.removed_in,
                    under_appeal: open.contains(&n.id),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()
    }

    /// The result's revisions the viewer may see: a named cadre only those answering their
    /// own appeals (besides the publications), the public without the committee's notes.
    async fn revision_views<C: ConnectionTrait>(
        db: &C,
        r: &eval_result::Model,
        people: &HashMap<i32, Person>,
        access: Access,
    ) -> Result<Vec<RevisionView>, AppError> {
        let name = |id: i32| people.person_ref(id);
        let own_appeals: HashSet<i32> = match access {
            Access::Own(c) => appeal::Entity::find()
                .filter(appeal::Column::ResultId.eq(r.id))
                .filter(appeal::Column::CadreId.eq(c))
                .all(db)
                .await
                .ie()?
                .into_iter()
                .map(|a| a.id)
                .collect(),
            _ => HashSet::new(),
        };
        Ok(eval_revision::Entity::find()
            .filter(eval_revision::Column::ResultId.eq(r.id))
            .order_by_asc(eval_revision::Column::Revision)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .filter(|v| match (access, v.appeal_id) {
                (Access::Own(_), Some(a)) => own_appeals.contains(&a),
                _ => true,
            })
            .map(|v| RevisionView {
                revision: v.revision,
                at: v.at,
                by: name(v.by_id),
                // The committee's answer concerns the appellant; the public sees that the
                // result changed, not why.
                note: if access == Access::Public && v.appeal_id.is_some() {
                    String::new()
                } else {
                    v.note
                },
                appeal: v.appeal_id.map(AppealId),
            })
            .collect())
    }

    /// What of a result `me` may see, or nothing.
    async fn result_access<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        r: &eval_result::Model,
    ) -> Result<Option<Access>, AppError> {
        let now = self.now();
        let (_, policy) = self.eval_policy(db).await?;
        if r.kind == MONTHLY {
            if r.owner_id == Some(me.id.0)
                || me.has(Role::Principal)
                || me.has(Role::Committee)
                || me.has(Role::Office)
            {
                return Ok(Some(Access::Full));
            }
            if is_published(r, now) {
                let named = eval_naming::Entity::find()
                    .filter(eval_naming::Column::ResultId.eq(r.id))
                    .filter(eval_naming::Column::CadreId.eq(me.id.0))
                    .one(db)
                    .await
                    .ie()?;
                if named.is_some() {
                    return Ok(Some(Access::Own(me.id.0)));
                }
            }
            return Ok(None);
        }
        if me.has(policy.deciding_role) {
            return Ok(Some(Access::Full));
        }
        if !is_published(r, now) {
            return Ok(None);
        }
        if me.has(Role::Committee) || me.has(Role::Office) {
            return Ok(Some(Access::Full));
        }
        Ok(Some(Access::Public))
    }

    async fn quarter_result<C: ConnectionTrait>(
        &self,
        db: &C,
        q: Quarter,
    ) -> Result<Option<eval_result::Model>, AppError> {
        eval_result::Entity::find()
            .filter(eval_result::Column::Scope.eq(quarterly_scope(q)))
            .one(db)
            .await
            .ie()
    }

    /// Monthly results of the quarter's months.
    async fn monthly_results<C: ConnectionTrait>(
        &self,
        db: &C,
        months: &[Month],
    ) -> Result<Vec<eval_result::Model>, AppError> {
        let mut out = Vec::new();
        for m in months {
            out.extend(
                eval_result::Entity::find()
                    .filter(eval_result::Column::Kind.eq(MONTHLY))
                    .filter(eval_result::Column::Year.eq(m.year))
                    .filter(eval_result::Column::Period.eq(m.month as i32))
                    .order_by_asc(eval_result::Column::Id)
                    .all(db)
                    .await
                    .ie()?,
            );
        }
        Ok(out)
    }

    fn default_month(&self) -> Month {
        Month::containing(self.today()).prev()
    }

    /// Audits a result's new state, moves the outcomes that follow it and renders it.
    async fn record_result(
        &self,
        tx: &DatabaseTransaction,
        me: &Me,
        action: &str,
        r: &eval_result::Model,
        names: &[eval_naming::Model],
    ) -> Result<ResultView, AppError> {
        self.audit(
            tx,
            me,
            action,
            "eval_result",
            r.id,
            Some(Self::result_state(r, names)),
        )
        .await?;
        // Outcomes follow every change of a result (publication, re-publication).
        self.recompute_in(tx, Some(me.id.0)).await?;
        let people = self.people(tx).await?;
        self.result_view(tx, r, &people, Access::Full).await
    }

    async fn audit<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        action: &str,
        entity: &str,
        id: i32,
        after: Option<String>,
    ) -> Result<(), AppError> {
        self.audit_as(db, Some(me.id.0), action, entity, id, after)
            .await
    }

    fn result_state(r: &eval_result::Model, names: &[eval_naming::Model]) -> String {
        audit::digest_of(&ResultState {
            scope: &r.scope,
            revision: r.revision,
            published_at: r.published_at,
            names: names
                .iter()
                .map(|n| (n.cadre_id, n.kind.as_str(), n.removed_in))
                .collect(),
        })
    }
}
