//! The evaluation rules as pure functions over their inputs (a monthly pick, a quarterly
//! choice, the pool), so they can be tested without a database.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::*;
use crate::calendar::Month;
use crate::domain::*;
use crate::error::AppError;

// ---------------------------------------------------------------------------------------
// Inputs

/// One person named in a monthly pick, with the reason and the entries it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PickLine {
    pub cadre: CadreId,
    pub reason: String,
    pub citations: Vec<EntryId>,
}

/// A supervising leader's monthly pick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MonthlyPickInput {
    /// `2026-04`.
    pub month: String,
    pub best: Vec<PickLine>,
    pub worst: Vec<PickLine>,
    /// The leader knowingly picks while some of the month's sheets are not in.
    #[serde(default)]
    pub confirm_missing: bool,
}

impl MonthlyPickInput {
    /// The pick with its month parsed, as the port takes it.
    pub fn parse(self) -> Result<MonthlyPick, AppError> {
        Ok(MonthlyPick {
            month: crate::calendar::Month::parse_key(&self.month)?,
            best: self.best,
            worst: self.worst,
            confirm_missing: self.confirm_missing,
        })
    }
}

/// A monthly pick whose month has been parsed ([`MonthlyPickInput::parse`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthlyPick {
    pub month: crate::calendar::Month,
    pub best: Vec<PickLine>,
    pub worst: Vec<PickLine>,
    pub confirm_missing: bool,
}

/// Maximum characters of a reason, ground, answer or opinion.
pub const MAX_REASON_CHARS: usize = 500;

/// Trims a required free text and bounds it.
pub fn required_text(field: &str, text: &str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, "reason_required"));
    }
    if t.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(field, "too_long"));
    }
    Ok(t.to_string())
}

/// The rules of a monthly pick that need no database: quota, own cadres only, nobody both
/// best and worst (or twice), a reason for each, and at least one citation of that person's
/// entries of the month. `entry_owner` maps the month's entries to their cadre.
pub fn check_monthly_pick(
    policy: &EvalPolicy,
    eligible: &HashSet<CadreId>,
    entry_owner: &HashMap<EntryId, CadreId>,
    best: &[PickLine],
    worst: &[PickLine],
) -> Result<(), AppError> {
    // Quotas cannot exceed the number of cadres (a leader with one cadre picks no worst).
    let n = eligible.len() as u32;
    let want_best = policy.monthly_best.min(n);
    let want_worst = policy.monthly_worst.min(n.saturating_sub(want_best));
    if best.len() as u32 != want_best {
        return Err(AppError::invalid("best", "wrong_count"));
    }
    if worst.len() as u32 != want_worst {
        return Err(AppError::invalid("worst", "wrong_count"));
    }
    let mut seen = HashSet::new();
    for (field, line) in best
        .iter()
        .map(|l| ("best", l))
        .chain(worst.iter().map(|l| ("worst", l)))
    {
        if !eligible.contains(&line.cadre) {
            return Err(AppError::invalid(field, "not_your_cadre"));
        }
        if !seen.insert(line.cadre) {
            return Err(AppError::invalid(field, "picked_twice"));
        }
        required_text("reason", &line.reason)?;
        if line.citations.is_empty() {
            return Err(AppError::invalid("citations", "citation_required"));
        }
        let mut cited = HashSet::new();
        for e in &line.citations {
            if entry_owner.get(e) != Some(&line.cadre) || !cited.insert(*e) {
                return Err(AppError::invalid("citations", "bad_citation"));
            }
        }
    }
    Ok(())
}

/// One monthly naming in the quarter's pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PoolPick {
    pub naming: NamingId,
    pub result: ResultId,
    pub month: Month,
    pub supervisor: PersonRef,
    pub reason: String,
    pub citations: Vec<CitationView>,
    pub under_appeal: bool,
}

/// A person of the pool with every pick that put them there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PoolPerson {
    pub cadre: PersonRef,
    pub department: String,
    pub picks: Vec<PoolPick>,
    pub opinions: Vec<OpinionView>,
}

/// Groups picks by person (someone picked twice counts once), keeping the order in which
/// people first appear. Pure; used for both the best and the worst pool.
pub fn group_pool(picks: Vec<(CadreId, PoolPick)>) -> Vec<(CadreId, Vec<PoolPick>)> {
    let mut order: Vec<CadreId> = Vec::new();
    let mut by: BTreeMap<CadreId, Vec<PoolPick>> = BTreeMap::new();
    for (c, p) in picks {
        if !by.contains_key(&c) {
            order.push(c);
        }
        by.entry(c).or_default().push(p);
    }
    order
        .into_iter()
        .map(|c| {
            let v = by.remove(&c).unwrap_or_default();
            (c, v)
        })
        .collect()
}

/// The rules of a quarterly choice: only people in the matching pool, nobody twice or in
/// both lists, and exactly the policy numbers — or fewer when the pool is smaller. Someone
/// in both pools can be named only once, so the worst count is measured against the worst
/// pool without the people chosen best.
pub fn check_quarter_choice(
    policy: &EvalPolicy,
    best_pool: &HashSet<CadreId>,
    worst_pool: &HashSet<CadreId>,
    best: &[CadreId],
    worst: &[CadreId],
) -> Result<(), AppError> {
    if best_pool.is_empty() && worst_pool.is_empty() {
        return Err(AppError::conflict("pool_empty"));
    }
    let mut seen = HashSet::new();
    for c in best {
        if !best_pool.contains(c) {
            return Err(AppError::invalid("best", "not_in_pool"));
        }
        if !seen.insert(*c) {
            return Err(AppError::invalid("best", "picked_twice"));
        }
    }
    for c in worst {
        if !worst_pool.contains(c) {
            return Err(AppError::invalid("worst", "not_in_pool"));
        }
        if !seen.insert(*c) {
            return Err(AppError::invalid("worst", "picked_twice"));
        }
    }
    let want_best = (policy.quarterly_best as usize).min(best_pool.len());
    let left_worst = worst_pool.iter().filter(|c| !best.contains(c)).count();
    let want_worst = (policy.quarterly_worst as usize).min(left_worst);
    if best.len() != want_best {
        return Err(AppError::invalid("best", "wrong_count"));
    }
    if worst.len() != want_worst {
        return Err(AppError::invalid("worst", "wrong_count"));
    }
    Ok(())
}

/// Normalises a list for comparison (order does not matter).
pub fn same_list(a: &[CadreId], b: &[CadreId]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}
