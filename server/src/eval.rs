//! The three evaluations (三评) on sea-orm: area-chief opinions, monthly picks, the quarterly
//! re-evaluation, appeals, the calendar and the versioned evaluation policy. The rules
//! themselves are the pure functions of `app::eval`; this module loads what they need,
//! authorises every call on the record it touches, and writes each change in one
//! transaction together with its audit row.

use std::collections::{BTreeMap, HashMap, HashSet};

use app::domain::*;
use app::error::AppError;
use app::eval::*;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Serialize;

use crate::audit::{self, AuditEvent};
use crate::entities::{
    appeal, area, area_opinion, cadre, day_entry, eval_naming, eval_result, eval_revision,
    policy_version, quarter_choice, sheet, supervision,
};
use crate::service::{OrInternal, Service, clean_text, roles_of, status_of};

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

fn ids_of(json: &str) -> Vec<i32> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Who someone is, for views.
#[derive(Clone, Default)]
pub(crate) struct Person {
    pub name: String,
    pub roles: Vec<Role>,
    pub department: String,
    pub active: bool,
    pub area_id: Option<i32>,
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
    /// The current evaluation policy and its version.
    pub(crate) async fn eval_policy<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<(i32, EvalPolicy), AppError> {
        let row = policy_version::Entity::find()
            .order_by_desc(policy_version::Column::Id)
            .one(db)
            .await
            .ie()?;
        Ok(match row {
            Some(r) => (r.id, serde_json::from_str(&r.settings).unwrap_or_default()),
            None => (0, EvalPolicy::default()),
        })
    }

    pub(crate) async fn eval_policy_at<C: ConnectionTrait>(
        &self,
        db: &C,
        version: i32,
    ) -> Result<EvalPolicy, AppError> {
        Ok(policy_version::Entity::find_by_id(version)
            .one(db)
            .await
            .ie()?
            .and_then(|r| serde_json::from_str(&r.settings).ok())
            .unwrap_or_default())
    }

    pub(crate) async fn people<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, Person>, AppError> {
        let depts = self.department_names(db).await?;
        Ok(cadre::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| {
                (
                    c.id,
                    Person {
                        name: c.name.clone(),
                        roles: roles_of(&c),
                        department: depts.get(&c.department_id).cloned().unwrap_or_default(),
                        active: c.active,
                        area_id: c.area_id,
                    },
                )
            })
            .collect())
    }

    /// Every cadre's supervising leader during `month` (the assignment covering its last
    /// dekad, as for sheets), computed in memory from one query.
    pub(crate) async fn supervisors_in_month<C: ConnectionTrait>(
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

    /// The month at a glance for each of `ids`.
    async fn glances<C: ConnectionTrait>(
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
        // Only entries of submitted sheets may be cited: they are locked.
        let citable: HashMap<i32, i32> = sheets
            .iter()
            .filter(|s| matches!(status_of(s), SheetStatus::Submitted | SheetStatus::Reviewed))
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
        let mut counts: HashMap<i32, u32> = HashMap::new();
        let mut places: HashMap<i32, BTreeMap<&str, u32>> = HashMap::new();
        for e in &entries {
            *counts.entry(e.sheet_id).or_default() += 1;
            if let Some(c) = sheet_owner.get(&e.sheet_id) {
                *places.entry(*c).or_default().entry(&e.place).or_default() += 1;
            }
        }
        let now = self.now();
        let mut out = HashMap::new();
        for id in ids {
            let mut missing = 0;
            let glance_sheets = month
                .periods()
                .into_iter()
                .map(|p| {
                    let s = sheets
                        .iter()
                        .find(|s| s.cadre_id == *id && s.dekad == p.dekad.number());
                    let status = s.map(status_of).unwrap_or(SheetStatus::Draft);
                    if !matches!(status, SheetStatus::Submitted | SheetStatus::Reviewed) {
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
                        days_written: s.and_then(|s| counts.get(&s.id)).copied().unwrap_or(0),
                        days_total: p.days().len() as u32,
                    }
                })
                .collect();
            let pl = places.get(id);
            out.insert(
                *id,
                MonthGlance {
                    sheets: glance_sheets,
                    places: Place::ALL
                        .into_iter()
                        .map(|p| (p, pl.and_then(|m| m.get(p.code())).copied().unwrap_or(0)))
                        .collect(),
                    missing,
                },
            );
        }
        Ok((out, entries, citable))
    }

    /// The latest opinion per (author, cadre, month) for `ids` in `months`.
    async fn opinions<C: ConnectionTrait>(
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
                    author_id: CadreId(r.author_id),
                    author: people
                        .get(&r.author_id)
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
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
        let namings = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.eq(r.id))
            .order_by_asc(eval_naming::Column::Id)
            .all(db)
            .await
            .ie()?;
        let cited: Vec<i32> = namings.iter().flat_map(|n| ids_of(&n.citations)).collect();
        let cites = self.citations(db, &cited).await?;
        let open = self.open_appeals(db, &[r.id]).await?;
        let name = |id: i32| people.get(&id).map(|p| p.name.clone()).unwrap_or_default();
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
        let names = namings
            .iter()
            .filter(|n| match access {
                Access::Full => true,
                Access::Own(c) => c == n.cadre_id,
                Access::Public => n.removed_in.is_none(),
            })
            .map(|n| NamingView {
                id: NamingId(n.id),
                cadre: CadreId(n.cadre_id),
                name: name(n.cadre_id),
                department: people
                    .get(&n.cadre_id)
                    .map(|p| p.department.clone())
                    .unwrap_or_default(),
                kind: PickKind::from_code(&n.kind).unwrap_or(PickKind::Best),
                reason: n.reason.clone(),
                citations: if access == Access::Public {
                    Vec::new()
                } else {
                    ids_of(&n.citations)
                        .into_iter()
                        .filter_map(|e| cites.get(&e).cloned())
                        .collect()
                },
                added_in: n.added_in,
                removed_in: n.removed_in,
                under_appeal: open.contains(&n.id),
            })
            .collect::<Vec<_>>();
        let history = eval_revision::Entity::find()
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
            .collect();
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

    /// Per month of the quarter, which leaders have picked (leaders = whoever supervised
    /// someone that month).
    async fn leader_states<C: ConnectionTrait>(
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
                        leader: people.get(&l).map(|p| p.name.clone()).unwrap_or_default(),
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
    async fn pool_namings<C: ConnectionTrait>(
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

    fn choice_view(c: &quarter_choice::Model, people: &HashMap<i32, Person>) -> ChoiceView {
        ChoiceView {
            principal: people
                .get(&c.principal_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            principal_id: CadreId(c.principal_id),
            confirm: c.confirm,
            best: ids_of(&c.best).into_iter().map(CadreId).collect(),
            worst: ids_of(&c.worst).into_iter().map(CadreId).collect(),
            note: c.note.clone(),
            at: c.at,
        }
    }

    async fn live_choices<C: ConnectionTrait>(
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

    async fn pool_view<C: ConnectionTrait>(
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
        let now = self.now();
        let ready = !leaders.is_empty()
            && (leaders
                .iter()
                .all(|(_, l)| matches!(l.state, StepState::Done | StepState::Late))
                || now > policy.pick_due(q.last_month(), &self.policy));
        let namings = self.pool_namings(db, &results).await?;
        let cited: Vec<i32> = namings.iter().flat_map(|n| ids_of(&n.citations)).collect();
        let cites = self.citations(db, &cited).await?;
        let open = self
            .open_appeals(db, &results.iter().map(|r| r.id).collect::<Vec<_>>())
            .await?;
        let pool_ids: Vec<i32> = namings.iter().map(|n| n.cadre_id).collect();
        let opinions = self.opinions(db, &pool_ids, &months, &people).await?;
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
                supervisor: r
                    .owner_id
                    .and_then(|o| people.get(&o))
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                reason: n.reason.clone(),
                citations: ids_of(&n.citations)
                    .into_iter()
                    .filter_map(|e| cites.get(&e).cloned())
                    .collect(),
                under_appeal: open.contains(&n.id),
            };
            match PickKind::from_code(&n.kind) {
                Some(PickKind::Worst) => worst.push((CadreId(n.cadre_id), pick)),
                _ => best.push((CadreId(n.cadre_id), pick)),
            }
        }
        let person = |(c, picks): (CadreId, Vec<PoolPick>)| {
            let p = people.get(&c.0).cloned().unwrap_or_default();
            PoolPerson {
                cadre: c,
                name: p.name,
                department: p.department,
                picks,
                opinions: opinions.iter().filter(|o| o.cadre == c).cloned().collect(),
            }
        };
        let choices = self.live_choices(db, q).await?;
        let mine = choices
            .iter()
            .rfind(|c| c.principal_id == me.id.0)
            .map(|c| Self::choice_view(c, &people));
        let result_row = self.quarter_result(db, q).await?;
        let other_choices = if mine.is_some() || result_row.is_some() {
            choices
                .iter()
                .filter(|c| c.principal_id != me.id.0)
                .map(|c| Self::choice_view(c, &people))
                .collect()
        } else {
            Vec::new()
        };
        let result = match &result_row {
            Some(r) => Some(self.result_view(db, r, &people, Access::Full).await?),
            None => None,
        };
        let best = group_pool(best).into_iter().map(person).collect::<Vec<_>>();
        let worst = group_pool(worst)
            .into_iter()
            .map(person)
            .collect::<Vec<_>>();
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
            my_choice: mine,
            other_choices,
            result,
        })
    }

    fn default_month(&self) -> Month {
        Month::containing(self.today()).prev()
    }

    fn month_arg(&self, month: Option<String>) -> Result<Month, AppError> {
        match month.as_deref().map(str::trim) {
            None | Some("") => Ok(self.default_month()),
            Some(k) => Month::parse_key(k),
        }
    }

    fn quarter_arg(&self, quarter: Option<String>) -> Result<Quarter, AppError> {
        match quarter.as_deref().map(str::trim) {
            None | Some("") => Ok(self.default_month().quarter()),
            Some(k) => Quarter::parse_key(k),
        }
    }

    /// The cadres in the areas `me` is chief of (not `me`).
    async fn area_cadres<C: ConnectionTrait>(
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

    fn appeal_view(
        &self,
        a: &appeal::Model,
        r: &eval_result::Model,
        n: Option<&eval_naming::Model>,
        people: &HashMap<i32, Person>,
    ) -> AppealView {
        let name = |id: i32| people.get(&id).map(|p| p.name.clone()).unwrap_or_default();
        let status = AppealStatus::from_code(&a.status);
        AppealView {
            id: AppealId(a.id),
            result: ResultId(r.id),
            result_kind: result_kind(r),
            period: result_period(r),
            naming: NamingId(a.naming_id),
            cadre: name(a.cadre_id),
            kind: n
                .and_then(|n| PickKind::from_code(&n.kind))
                .unwrap_or(PickKind::Worst),
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
        }
    }

    async fn appeal_views<C: ConnectionTrait>(
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
            out.push(self.appeal_view(&a, &r, n.as_ref(), people));
        }
        Ok(out)
    }

    /// When the naming was published: its result's publication, or the revision that added
    /// it after an appeal.
    async fn naming_published<C: ConnectionTrait>(
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
    async fn replacement_pool<C: ConnectionTrait>(
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
    async fn add_revision<C: ConnectionTrait>(
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

    /// Audits a result's new state, renders it and commits the transaction.
    async fn commit_result(
        &self,
        tx: sea_orm::DatabaseTransaction,
        me: &Me,
        action: &str,
        r: &eval_result::Model,
        names: &[eval_naming::Model],
    ) -> Result<ResultView, AppError> {
        self.audit(
            &tx,
            me,
            action,
            "eval_result",
            r.id,
            Some(Self::result_state(r, names)),
        )
        .await?;
        // Outcomes follow every change of a result (publication, re-publication).
        self.recompute_in(&tx, Some(me.id.0)).await?;
        let people = self.people(&tx).await?;
        let view = self.result_view(&tx, r, &people, Access::Full).await?;
        tx.commit().await.ie()?;
        Ok(view)
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

    /// Appends one audit row (actor `None` = the system) with the digest of the new state.
    pub(crate) async fn audit_as<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: Option<i32>,
        action: &str,
        entity: &str,
        id: impl ToString,
        after: Option<String>,
    ) -> Result<(), AppError> {
        let mut ev = AuditEvent::new(actor, action, entity, id);
        ev.after = after;
        audit::append(db, self.now(), ev).await.ie()?;
        Ok(())
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

#[async_trait::async_trait]
impl app::ports::Evaluations for Service {
    async fn policy_history(&self, _me: &Me) -> Result<PolicyHistory, AppError> {
        let people = self.people(&self.db).await?;
        let rows = policy_version::Entity::find()
            .order_by_desc(policy_version::Column::Id)
            .all(&self.db)
            .await
            .ie()?;
        let versions: Vec<PolicyVersion> = rows
            .into_iter()
            .map(|r| PolicyVersion {
                version: r.id,
                policy: serde_json::from_str(&r.settings).unwrap_or_default(),
                note: r.note,
                created_by: r
                    .created_by
                    .and_then(|c| people.get(&c).map(|p| p.name.clone())),
                created_at: r.created_at,
            })
            .collect();
        let current = versions.first().cloned().ok_or(AppError::Internal {})?;
        Ok(PolicyHistory { current, versions })
    }

    async fn update_policy(
        &self,
        me: &Me,
        policy: EvalPolicy,
        note: String,
    ) -> Result<PolicyVersion, AppError> {
        Self::require(me, Role::Office)?;
        policy.validate()?;
        let note = required_text("note", &note)?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let (_, current) = self.eval_policy(&tx).await?;
        if current == policy {
            return Err(AppError::conflict("policy_unchanged"));
        }
        let settings = serde_json::to_string(&policy).map_err(|_| AppError::Internal {})?;
        let row = policy_version::ActiveModel {
            settings: Set(settings),
            note: Set(note.clone()),
            created_by: Set(Some(me.id.0)),
            created_at: Set(self.now()),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        let mut ev = AuditEvent::new(Some(me.id.0), "policy.changed", "policy", row.id);
        ev.before = Some(audit::digest_of(&current));
        ev.after = Some(audit::digest_of(&policy));
        audit::append(&tx, self.now(), ev).await.ie()?;
        tx.commit().await.ie()?;
        Ok(PolicyVersion {
            version: row.id,
            policy,
            note,
            created_by: Some(me.name.clone()),
            created_at: row.created_at,
        })
    }

    async fn opinion_sheet(
        &self,
        me: &Me,
        month: Option<String>,
    ) -> Result<OpinionSheet, AppError> {
        Self::require(me, Role::AreaChief)?;
        let month = self.month_arg(month)?;
        let (_, policy) = self.eval_policy(&self.db).await?;
        let people = self.people(&self.db).await?;
        let cadres = self.area_cadres(&self.db, me).await?;
        let ids: Vec<i32> = cadres.iter().map(|(c, _)| c.id).collect();
        let (glances, _, _) = self.glances(&self.db, &ids, month).await?;
        let opinions = self.opinions(&self.db, &ids, &[month], &people).await?;
        let rows = cadres
            .into_iter()
            .map(|(c, area)| OpinionRow {
                cadre: CadreId(c.id),
                name: c.name.clone(),
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
                    .find(|o| o.cadre.0 == c.id && o.author_id == me.id)
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
        month: String,
        cadre_id: CadreId,
        text: String,
        rating: Option<u32>,
    ) -> Result<OpinionView, AppError> {
        Self::require(me, Role::AreaChief)?;
        let month = Month::parse_key(&month)?;
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
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let mine = self.area_cadres(&tx, me).await?;
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
        .insert(&tx)
        .await
        .ie()?;
        self.audit(
            &tx,
            me,
            "opinion.written",
            "area_opinion",
            row.id,
            Some(audit::digest_of(&(&row.text, row.rating, row.cadre_id))),
        )
        .await?;
        let people = self.people(&tx).await?;
        let view = self
            .opinions(&tx, &[cadre_id.0], &[month], &people)
            .await?
            .into_iter()
            .find(|o| o.id.0 == row.id)
            .ok_or(AppError::Internal {})?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn pick_board(&self, me: &Me, month: Option<String>) -> Result<PickBoard, AppError> {
        Self::require(me, Role::Supervisor)?;
        let month = self.month_arg(month)?;
        let (version, policy) = self.eval_policy(&self.db).await?;
        let people = self.people(&self.db).await?;
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
        let (glances, entries, owner) = self.glances(&self.db, &ids, month).await?;
        let opinions = self.opinions(&self.db, &ids, &[month], &people).await?;
        // Earlier namings of these cadres (monthly, current).
        let past_rows = eval_naming::Entity::find()
            .filter(eval_naming::Column::CadreId.is_in(ids.iter().copied()))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .all(&self.db)
            .await
            .ie()?;
        let result_ids: Vec<i32> = past_rows.iter().map(|n| n.result_id).collect();
        let past_results: HashMap<i32, eval_result::Model> = if result_ids.is_empty() {
            HashMap::new()
        } else {
            eval_result::Entity::find()
                .filter(eval_result::Column::Id.is_in(result_ids))
                .filter(eval_result::Column::Kind.eq(MONTHLY))
                // Only one's own earlier picks: other leaders' are not one's to see.
                .filter(eval_result::Column::OwnerId.eq(me.id.0))
                .all(&self.db)
                .await
                .ie()?
                .into_iter()
                .map(|r| (r.id, r))
                .collect()
        };
        let candidates: Vec<PickCandidate> = ids
            .iter()
            .map(|id| {
                let p = people.get(id).cloned().unwrap_or_default();
                let mut past: Vec<PastPick> = past_rows
                    .iter()
                    .filter(|n| n.cadre_id == *id)
                    .filter_map(|n| {
                        let r = past_results.get(&n.result_id)?;
                        let m = Month {
                            year: r.year,
                            month: r.period as u32,
                        };
                        (m < month).then_some(PastPick {
                            month: m,
                            kind: PickKind::from_code(&n.kind)?,
                        })
                    })
                    .collect();
                past.sort_by_key(|p| std::cmp::Reverse(p.month));
                PickCandidate {
                    cadre: CadreId(*id),
                    name: p.name,
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
                    past,
                    entries: entries
                        .iter()
                        .filter(|e| owner.get(&e.sheet_id) == Some(id))
                        .map(|e| CiteOption {
                            entry: EntryId(e.id),
                            sheet: SheetId(e.sheet_id),
                            day: e.day,
                            work: e.work.clone(),
                            outcome: e.outcome.clone(),
                            place: Place::from_code(&e.place).unwrap_or(Place::Office),
                        })
                        .collect(),
                }
            })
            .collect();
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

    async fn submit_pick(&self, me: &Me, input: MonthlyPickInput) -> Result<ResultView, AppError> {
        Self::require(me, Role::Supervisor)?;
        let month = Month::parse_key(&input.month)?;
        if month.next().first_day() > self.today() {
            return Err(AppError::conflict("month_not_over"));
        }
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        if self.quarter_result(&tx, month.quarter()).await?.is_some() {
            return Err(AppError::conflict("quarter_decided"));
        }
        let scope = monthly_scope(month, me.id.0);
        if eval_result::Entity::find()
            .filter(eval_result::Column::Scope.eq(scope.clone()))
            .one(&tx)
            .await
            .ie()?
            .is_some()
        {
            return Err(AppError::conflict("already_picked"));
        }
        let (version, policy) = self.eval_policy(&tx).await?;
        let sups = self.supervisors_in_month(&tx, month).await?;
        let ids: Vec<i32> = sups
            .iter()
            .filter(|(_, s)| **s == me.id.0)
            .map(|(c, _)| *c)
            .collect();
        if ids.is_empty() {
            return Err(AppError::invalid("best", "not_your_cadre"));
        }
        let eligible: HashSet<CadreId> = ids.iter().map(|i| CadreId(*i)).collect();
        let (glances, entries, owner) = self.glances(&tx, &ids, month).await?;
        let entry_owner: HashMap<EntryId, CadreId> = entries
            .iter()
            .filter_map(|e| owner.get(&e.sheet_id).map(|c| (EntryId(e.id), CadreId(*c))))
            .collect();
        check_monthly_pick(&policy, &eligible, &entry_owner, &input.best, &input.worst)?;
        let missing: u32 = glances.values().map(|g| g.missing).sum();
        if missing > 0 && !input.confirm_missing {
            return Err(AppError::conflict("sheets_missing"));
        }
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
        .insert(&tx)
        .await
        .map_err(|_| AppError::conflict("already_picked"))?;
        let mut names = Vec::new();
        for (kind, lines) in [
            (PickKind::Best, &input.best),
            (PickKind::Worst, &input.worst),
        ] {
            for l in lines.iter() {
                let cites: Vec<i32> = l.citations.iter().map(|e| e.0).collect();
                names.push(
                    eval_naming::ActiveModel {
                        result_id: Set(r.id),
                        cadre_id: Set(l.cadre.0),
                        kind: Set(kind.code().into()),
                        reason: Set(required_text("reason", &l.reason)?),
                        citations: Set(ids_json(&cites)),
                        added_in: Set(1),
                        removed_in: Set(None),
                        ..Default::default()
                    }
                    .insert(&tx)
                    .await
                    .ie()?,
                );
            }
        }
        let note = if missing > 0 {
            format!("submitted with {missing} sheet(s) missing (confirmed)")
        } else {
            "submitted".into()
        };
        self.add_revision(&tx, me, r.id, 1, note, None, "already_picked")
            .await?;
        self.commit_result(tx, me, "pick.submitted", &r, &names)
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

    async fn pool(&self, me: &Me, quarter: Option<String>) -> Result<PoolView, AppError> {
        let (_, policy) = self.eval_policy(&self.db).await?;
        Self::require(me, policy.deciding_role)?;
        let q = self.quarter_arg(quarter)?;
        self.pool_view(&self.db, me, q).await
    }

    async fn choose(
        &self,
        me: &Me,
        quarter: String,
        confirm: bool,
        best: Vec<CadreId>,
        worst: Vec<CadreId>,
        note: Option<String>,
    ) -> Result<PoolView, AppError> {
        let q = Quarter::parse_key(&quarter)?;
        let note = clean_text("note", note.as_deref().unwrap_or(""), MAX_REASON_CHARS)?;
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let (version, policy) = self.eval_policy(&tx).await?;
        Self::require(me, policy.deciding_role)?;
        if self.quarter_result(&tx, q).await?.is_some() {
            return Err(AppError::conflict("already_decided"));
        }
        let pool = self.pool_view(&tx, me, q).await?;
        if !pool.ready {
            return Err(AppError::conflict("pool_not_ready"));
        }
        let best_pool: HashSet<CadreId> = pool.best.iter().map(|p| p.cadre).collect();
        let worst_pool: HashSet<CadreId> = pool.worst.iter().map(|p| p.cadre).collect();
        check_quarter_choice(&policy, &best_pool, &worst_pool, &best, &worst)?;
        let choices = self.live_choices(&tx, q).await?;
        let own: Vec<&quarter_choice::Model> = choices
            .iter()
            .filter(|c| c.principal_id == me.id.0)
            .collect();
        if own.iter().any(|c| c.confirm) {
            return Err(AppError::conflict("already_confirmed"));
        }
        let ids = |v: &[CadreId]| v.iter().map(|c| c.0).collect::<Vec<_>>();
        if confirm {
            for other in choices
                .iter()
                .filter(|c| c.confirm && c.principal_id != me.id.0)
            {
                let ob: Vec<CadreId> = ids_of(&other.best).into_iter().map(CadreId).collect();
                let ow: Vec<CadreId> = ids_of(&other.worst).into_iter().map(CadreId).collect();
                if !same_list(&ob, &best) || !same_list(&ow, &worst) {
                    return Err(AppError::conflict("confirm_mismatch"));
                }
            }
        }
        // A new preliminary choice replaces the earlier one (kept, marked withdrawn).
        for c in own {
            let mut am: quarter_choice::ActiveModel = c.clone().into();
            am.withdrawn_at = Set(Some(now));
            am.update(&tx).await.ie()?;
        }
        let row = quarter_choice::ActiveModel {
            year: Set(q.year),
            quarter: Set(q.quarter as i32),
            principal_id: Set(me.id.0),
            confirm: Set(confirm),
            best: Set(ids_json(&ids(&best))),
            worst: Set(ids_json(&ids(&worst))),
            note: Set(note),
            at: Set(now),
            withdrawn_at: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        self.audit(
            &tx,
            me,
            if confirm {
                "quarter.confirmed"
            } else {
                "quarter.preliminary"
            },
            "quarter_choice",
            row.id,
            Some(audit::digest_of(&(&row.best, &row.worst))),
        )
        .await?;
        // Only confirmations of people who still decide count.
        let people = self.people(&tx).await?;
        let confirmations: HashSet<i32> = self
            .live_choices(&tx, q)
            .await?
            .iter()
            .filter(|c| c.confirm)
            .filter(|c| {
                people
                    .get(&c.principal_id)
                    .is_some_and(|p| p.active && p.roles.contains(&policy.deciding_role))
            })
            .map(|c| c.principal_id)
            .collect();
        if confirm && confirmations.len() as u32 >= policy.confirmations_required {
            // Decided: the result, with each name's reasons gathered from the pool.
            let r = eval_result::ActiveModel {
                scope: Set(quarterly_scope(q)),
                kind: Set(QUARTERLY.into()),
                year: Set(q.year),
                period: Set(q.quarter as i32),
                owner_id: Set(None),
                policy_version: Set(version),
                made_by: Set(me.id.0),
                made_at: Set(now),
                late: Set(now > pool.due),
                published_at: Set(None),
                revision: Set(0),
                missing_confirmed: Set(false),
                missing_sheets: Set(0),
                ..Default::default()
            }
            .insert(&tx)
            .await
            .map_err(|_| AppError::conflict("already_decided"))?;
            let mut names = Vec::new();
            for (kind, list, group) in [
                (PickKind::Best, &best, &pool.best),
                (PickKind::Worst, &worst, &pool.worst),
            ] {
                for c in list.iter() {
                    let person = group.iter().find(|p| p.cadre == *c);
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
                    names.push(
                        eval_naming::ActiveModel {
                            result_id: Set(r.id),
                            cadre_id: Set(c.0),
                            kind: Set(kind.code().into()),
                            reason: Set(reason),
                            citations: Set(ids_json(&cites)),
                            added_in: Set(1),
                            removed_in: Set(None),
                            ..Default::default()
                        }
                        .insert(&tx)
                        .await
                        .ie()?,
                    );
                }
            }
            self.audit(
                &tx,
                me,
                "quarter.decided",
                "eval_result",
                r.id,
                Some(Self::result_state(&r, &names)),
            )
            .await?;
        }
        let view = self.pool_view(&tx, me, q).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn withdraw_choice(&self, me: &Me, quarter: String) -> Result<PoolView, AppError> {
        let q = Quarter::parse_key(&quarter)?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let (_, policy) = self.eval_policy(&tx).await?;
        Self::require(me, policy.deciding_role)?;
        if self.quarter_result(&tx, q).await?.is_some() {
            return Err(AppError::conflict("already_decided"));
        }
        let own: Vec<quarter_choice::Model> = self
            .live_choices(&tx, q)
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
            am.update(&tx).await.ie()?;
            self.audit(&tx, me, "quarter.withdrawn", "quarter_choice", id, None)
                .await?;
        }
        let view = self.pool_view(&tx, me, q).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn publish(&self, me: &Me, quarter: String) -> Result<ResultView, AppError> {
        let q = Quarter::parse_key(&quarter)?;
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let (_, policy) = self.eval_policy(&tx).await?;
        Self::require(me, policy.deciding_role)?;
        let r = self
            .quarter_result(&tx, q)
            .await?
            .ok_or_else(|| AppError::conflict("not_decided"))?;
        if r.published_at.is_some() {
            return Err(AppError::conflict("already_published"));
        }
        let mut am: eval_result::ActiveModel = r.into();
        am.published_at = Set(Some(now));
        am.revision = Set(1);
        let r = am.update(&tx).await.ie()?;
        self.add_revision(
            &tx,
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
            .all(&tx)
            .await
            .ie()?;
        self.commit_result(tx, me, "quarter.published", &r, &names)
            .await
    }

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
                .collect();
            out.push(MyNaming {
                result: ResultId(r.id),
                result_kind: result_kind(&r),
                period: result_period(&r),
                naming: NamingId(n.id),
                kind: PickKind::from_code(&n.kind).unwrap_or(PickKind::Best),
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
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let n = eval_naming::Entity::find_by_id(naming.0)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        let r = eval_result::Entity::find_by_id(n.result_id)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if n.cadre_id != me.id.0 {
            // Someone else's naming: do not reveal that it exists.
            return Err(AppError::NotFound {});
        }
        let published = match self.naming_published(&tx, &r, &n).await? {
            Some(p) if p <= now => p,
            _ => return Err(AppError::NotFound {}),
        };
        if n.removed_in.is_some() {
            return Err(AppError::conflict("naming_withdrawn"));
        }
        let policy = self.eval_policy_at(&tx, r.policy_version).await?;
        if now > policy.appeal_window_closes(published, &self.policy) {
            return Err(AppError::conflict("appeal_window_closed"));
        }
        if appeal::Entity::find()
            .filter(appeal::Column::NamingId.eq(n.id))
            .one(&tx)
            .await
            .ie()?
            .is_some()
        {
            return Err(AppError::conflict("already_appealed"));
        }
        let (version, current) = self.eval_policy(&tx).await?;
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
        .insert(&tx)
        .await
        .map_err(|_| AppError::conflict("already_appealed"))?;
        self.audit(
            &tx,
            me,
            "appeal.filed",
            "appeal",
            a.id,
            Some(audit::digest_of(&(&a.ground, a.naming_id))),
        )
        .await?;
        let people = self.people(&tx).await?;
        let view = self.appeal_view(&a, &r, Some(&n), &people);
        // An open appeal holds the outcomes of its naming; an answer releases or withdraws them.
        self.recompute_in(&tx, Some(me.id.0)).await?;
        tx.commit().await.ie()?;
        Ok(view)
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
                        .map(|c| {
                            let name = people.get(&c).map(|p| p.name.clone()).unwrap_or_default();
                            (CadreId(c), name)
                        })
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
        let answer = required_text("answer", &answer)?;
        match (outcome, replacement) {
            (AppealOutcome::Change, None) => {
                return Err(AppError::invalid("replacement", "replacement_required"));
            }
            (AppealOutcome::Uphold | AppealOutcome::Overturn, Some(_)) => {
                return Err(AppError::invalid("replacement", "replacement_not_allowed"));
            }
            _ => {}
        }
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let a = appeal::Entity::find_by_id(id.0)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if a.cadre_id == me.id.0 {
            return Err(AppError::Forbidden {});
        }
        if AppealStatus::from_code(&a.status) != AppealStatus::Open {
            return Err(AppError::conflict("already_answered"));
        }
        let r = eval_result::Entity::find_by_id(a.result_id)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        let n = eval_naming::Entity::find_by_id(a.naming_id)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        let current: Vec<eval_naming::Model> = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.eq(r.id))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .all(&tx)
            .await
            .ie()?;
        if let Some(rep) = replacement
            && !self.replacement_pool(&tx, &r, &n).await?.contains(&rep.0)
        {
            return Err(AppError::invalid("replacement", "not_in_pool"));
        }
        let before = Self::result_state(&r, &current);
        let mut am: appeal::ActiveModel = a.clone().into();
        am.status = Set(outcome.code().into());
        am.answer = Set(Some(answer.clone()));
        am.answered_by = Set(Some(me.id.0));
        am.answered_at = Set(Some(now));
        am.replacement_id = Set(replacement.map(|c| c.0));
        let a = am.update(&tx).await.ie()?;
        self.audit(
            &tx,
            me,
            "appeal.answered",
            "appeal",
            a.id,
            Some(audit::digest_of(&(&a.status, &a.answer, a.replacement_id))),
        )
        .await?;
        if outcome != AppealOutcome::Uphold {
            // Re-publish: a new revision withdraws the naming (and names the replacement);
            // the earlier revisions stay.
            let revision = r.revision + 1;
            let mut nm: eval_naming::ActiveModel = n.clone().into();
            nm.removed_in = Set(Some(revision));
            nm.update(&tx).await.ie()?;
            if let Some(rep) = replacement {
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
                .insert(&tx)
                .await
                .ie()?;
            }
            self.add_revision(
                &tx,
                me,
                r.id,
                revision,
                answer.clone(),
                Some(a.id),
                "already_answered",
            )
            .await?;
            let mut rm: eval_result::ActiveModel = r.into();
            rm.revision = Set(revision);
            let r = rm.update(&tx).await.ie()?;
            let after_names = eval_naming::Entity::find()
                .filter(eval_naming::Column::ResultId.eq(r.id))
                .all(&tx)
                .await
                .ie()?;
            let mut ev = AuditEvent::new(Some(me.id.0), "result.republished", "eval_result", r.id);
            ev.before = Some(before);
            ev.after = Some(Self::result_state(&r, &after_names));
            audit::append(&tx, now, ev).await.ie()?;
        }
        let people = self.people(&tx).await?;
        let r = eval_result::Entity::find_by_id(a.result_id)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        let view = self.appeal_view(&a, &r, Some(&n), &people);
        // An open appeal holds the outcomes of its naming; an answer releases or withdraws them.
        self.recompute_in(&tx, Some(me.id.0)).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

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
        let open: Vec<&appeal::Model> = apps
            .iter()
            .filter(|a| AppealStatus::from_code(&a.status) == AppealStatus::Open)
            .collect();
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
            let cadres = self.area_cadres(&self.db, me).await?;
            for m in recent {
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
        }
        if me.has(Role::Supervisor) {
            for m in recent {
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
        }
        if me.has(policy.deciding_role) {
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
            if let Some(what) = what {
                out.push(Reminder {
                    what: what.into(),
                    period: q.key(),
                    due,
                    overdue: now > due,
                    count: 1,
                    href: format!("/eval/quarter?quarter={}", q.key()),
                });
            }
        }
        if me.has(Role::Committee) || me.has(Role::Principal) {
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
                out.push(Reminder {
                    what: "answer_appeal".into(),
                    period: String::new(),
                    due: first.due_at,
                    overdue: now > first.due_at,
                    count: open.len() as u32,
                    href: "/eval/appeals".into(),
                });
            }
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
