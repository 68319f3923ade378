//! The outcome rules: what follows from published quarterly results and monthly picks,
//! including the consecutive-worst (连续3次) rule, as pure functions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::*;
use crate::calendar::{Month, Quarter};
use crate::domain::*;
use crate::eval::*;
use crate::policy::{OutcomePolicy, StreakUnit};

/// A current naming of a published quarterly result, as the outcome rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalNaming {
    pub cadre: CadreId,
    pub naming: NamingId,
    pub kind: PickKind,
    /// An appeal against this naming is open.
    pub pending: bool,
}

/// A published quarterly result in its current revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarterFinal {
    pub quarter: Quarter,
    pub result: ResultId,
    pub policy_version: i32,
    pub policy: OutcomePolicy,
    pub names: Vec<FinalNaming>,
}

/// A cadre currently named worst in a published monthly pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthlyWorst {
    pub month: Month,
    pub cadre: CadreId,
    pub pending: bool,
}

/// One outcome as the rules derive it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DerivedOutcome {
    pub result: ResultId,
    pub quarter: Quarter,
    pub cadre: CadreId,
    pub naming: Option<NamingId>,
    pub kind: OutcomeKind,
    pub pending: bool,
    pub policy_version: i32,
    /// For the consecutive-worst rule: the periods of the streak (`2026-Q1`, `2026-04`).
    pub basis: Vec<String>,
}

/// A cadre's qualifying streak: the naming it hangs on (if any) and the periods with their
/// pending flags.
type Streak = (CadreId, Option<NamingId>, Vec<(String, bool)>);

/// The run of consecutive keys ending at `end` (inclusive) that are in `marks`, oldest first,
/// each with its pending flag. Empty if `end` is not marked.
pub fn run_back<K: Ord + Copy>(
    marks: &BTreeMap<K, bool>,
    end: K,
    prev: impl Fn(K) -> K,
) -> Vec<(K, bool)> {
    let mut out = Vec::new();
    let mut k = end;
    while let Some(&pending) = marks.get(&k) {
        out.push((k, pending));
        if out.len() > marks.len() {
            break;
        }
        k = prev(k);
    }
    out.reverse();
    out
}

/// Every outcome that follows from the published quarterly results (current revisions) and,
/// under the monthly reading of the streak rule, the published monthly worst picks. Pure and
/// deterministic: recomputing gives the same list.
///
/// - best: commendation and uplift;
/// - worst: talk, warning and rectification;
/// - a streak of `worst_streak` consecutive worst namings (quarters, or monthly picks within
///   or ending in the quarter) reached in a quarter: public criticism and withholding, once per
///   cadre and year.
///
/// An outcome is pending when any naming it hangs on is under appeal.
pub fn derive_outcomes(quarters: &[QuarterFinal], monthly: &[MonthlyWorst]) -> Vec<DerivedOutcome> {
    let mut quarters: Vec<&QuarterFinal> = quarters.iter().collect();
    quarters.sort_by_key(|q| q.quarter);
    let q_marks = worst_quarters(&quarters);
    let m_marks = worst_months(monthly);
    let mut out = Vec::new();
    let mut criticised: BTreeSet<(CadreId, i32)> = BTreeSet::new();
    for q in quarters {
        let mut names = q.names.clone();
        names.sort_by_key(|n| (n.kind, n.cadre));
        push_naming_outcomes(q, &names, &mut out);
        let streaks = match q.policy.streak_unit {
            StreakUnit::Quarters => quarter_streaks(q, &names, &q_marks),
            StreakUnit::MonthlyPicks => monthly_streaks(q, &names, &m_marks),
        };
        push_streak_outcomes(q, streaks, &mut criticised, &mut out);
    }
    out
}

/// Per cadre, the quarters in which it was named worst, each with whether any of those
/// namings is under appeal.
fn worst_quarters(quarters: &[&QuarterFinal]) -> HashMap<CadreId, BTreeMap<Quarter, bool>> {
    let mut q_marks: HashMap<CadreId, BTreeMap<Quarter, bool>> = HashMap::new();
    for q in quarters {
        for n in q.names.iter().filter(|n| n.kind == PickKind::Worst) {
            let e = q_marks
                .entry(n.cadre)
                .or_default()
                .entry(q.quarter)
                .or_insert(false);
            *e |= n.pending;
        }
    }
    q_marks
}

/// Per cadre, the months in which it was picked worst, each with whether any of those picks
/// is under appeal.
fn worst_months(monthly: &[MonthlyWorst]) -> HashMap<CadreId, BTreeMap<Month, bool>> {
    let mut m_marks: HashMap<CadreId, BTreeMap<Month, bool>> = HashMap::new();
    for w in monthly {
        let e = m_marks
            .entry(w.cadre)
            .or_default()
            .entry(w.month)
            .or_insert(false);
        *e |= w.pending;
    }
    m_marks
}

/// The outcomes each naming of the quarter carries by itself (best: commendation and uplift;
/// worst: talk, warning and rectification), once per cadre and kind. `names` is sorted.
fn push_naming_outcomes(q: &QuarterFinal, names: &[FinalNaming], out: &mut Vec<DerivedOutcome>) {
    let mut seen: BTreeSet<(CadreId, PickKind)> = BTreeSet::new();
    for n in names {
        if !seen.insert((n.cadre, n.kind)) {
            continue;
        }
        let kinds: &[OutcomeKind] = match n.kind {
            PickKind::Best => &[OutcomeKind::Commendation, OutcomeKind::Uplift],
            PickKind::Worst => &[
                OutcomeKind::Talk,
                OutcomeKind::Warning,
                OutcomeKind::Rectification,
            ],
        };
        for &kind in kinds {
            out.push(DerivedOutcome {
                result: q.result,
                quarter: q.quarter,
                cadre: n.cadre,
                naming: Some(n.naming),
                kind,
                pending: n.pending,
                policy_version: q.policy_version,
                basis: Vec::new(),
            });
        }
    }
}

/// Candidates for the streak rule in this quarter under the quarterly reading: each cadre
/// named worst here whose run of worst quarters ending here is long enough, with the
/// qualifying tail of that run.
fn quarter_streaks(
    q: &QuarterFinal,
    names: &[FinalNaming],
    q_marks: &HashMap<CadreId, BTreeMap<Quarter, bool>>,
) -> Vec<Streak> {
    let need = q.policy.worst_streak.max(1) as usize;
    let mut streaks: Vec<Streak> = Vec::new();
    for n in names.iter().filter(|n| n.kind == PickKind::Worst) {
        let Some(marks) = q_marks.get(&n.cadre) else {
            continue;
        };
        let run = run_back(marks, q.quarter, Quarter::prev);
        if run.len() >= need {
            let tail = &run[run.len() - need..];
            streaks.push((
                n.cadre,
                Some(n.naming),
                tail.iter().map(|(k, p)| (k.key(), *p)).collect(),
            ));
        }
    }
    streaks
}

/// Candidates for the streak rule in this quarter under the monthly reading: each cadre
/// (in id order) whose run of worst monthly picks ending in one of the quarter's months is
/// long enough, with the first qualifying tail and the cadre's worst naming here, if any.
fn monthly_streaks(
    q: &QuarterFinal,
    names: &[FinalNaming],
    m_marks: &HashMap<CadreId, BTreeMap<Month, bool>>,
) -> Vec<Streak> {
    let need = q.policy.worst_streak.max(1) as usize;
    let mut streaks: Vec<Streak> = Vec::new();
    let mut cadres: Vec<&CadreId> = m_marks.keys().collect();
    cadres.sort();
    for cadre in cadres {
        let marks = &m_marks[cadre];
        let hit = q.quarter.months().into_iter().find_map(|m| {
            let run = run_back(marks, m, Month::prev);
            (run.len() >= need).then(|| run[run.len() - need..].to_vec())
        });
        if let Some(tail) = hit {
            let naming = names
                .iter()
                .find(|n| n.cadre == *cadre && n.kind == PickKind::Worst)
                .map(|n| n.naming);
            streaks.push((
                *cadre,
                naming,
                tail.iter().map(|(k, p)| (k.key(), *p)).collect(),
            ));
        }
    }
    streaks
}

/// Public criticism and withholding for each qualifying streak, at most once per cadre and
/// year (`criticised` remembers across quarters); pending when any period of the streak is.
fn push_streak_outcomes(
    q: &QuarterFinal,
    streaks: Vec<Streak>,
    criticised: &mut BTreeSet<(CadreId, i32)>,
    out: &mut Vec<DerivedOutcome>,
) {
    for (cadre, naming, tail) in streaks {
        if !criticised.insert((cadre, q.quarter.year)) {
            continue;
        }
        let pending = tail.iter().any(|(_, p)| *p);
        let basis: Vec<String> = tail.into_iter().map(|(k, _)| k).collect();
        for kind in [OutcomeKind::PublicCriticism, OutcomeKind::Withholding] {
            out.push(DerivedOutcome {
                result: q.result,
                quarter: q.quarter,
                cadre,
                naming,
                kind,
                pending,
                policy_version: q.policy_version,
                basis: basis.clone(),
            });
        }
    }
}
