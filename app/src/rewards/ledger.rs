//! The bonus ledger: each cadre's line for a period (base, uplift, forfeits, corrections of
//! closed periods) as pure functions, and the ledger's views.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::*;
use crate::calendar::{LedgerPeriod, Quarter};
use crate::domain::*;
use crate::eval::*;

/// An outcome as the ledger needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerOutcome {
    pub outcome: OutcomeId,
    pub result: ResultId,
    pub quarter: Quarter,
    pub kind: OutcomeKind,
    pub pending: bool,
    pub uplift_pct: u32,
}

/// Why an amount changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    Uplift,
    Withholding,
    /// A change to a period already closed, carried into the next open period.
    Correction,
}

impl AdjustmentKind {
    pub fn code(self) -> &'static str {
        match self {
            AdjustmentKind::Uplift => "uplift",
            AdjustmentKind::Withholding => "withholding",
            AdjustmentKind::Correction => "correction",
        }
    }
}

/// One adjustment of a ledger line, with its reason and source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    pub amount: Money,
    /// Waiting for an appeal: shown, not counted in the amount due.
    pub pending: bool,
    pub outcome: Option<OutcomeId>,
    pub result: Option<ResultId>,
    /// The quarter of the result the adjustment comes from (`2026-Q2`), or for a correction
    /// the closed period it corrects (`2026-Q2`).
    pub source: String,
    pub pct: Option<u32>,
}

/// What one cadre is due for one period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LedgerLine {
    pub cadre: CadreId,
    pub period: LedgerPeriod,
    pub base: Option<Money>,
    pub adjustments: Vec<Adjustment>,
    pub due: Money,
}

/// The ledger line of one cadre and period: the base, an uplift per best quarter (on that
/// quarter and on the year-end bonus of its year), and — when the consecutive-worst rule hit
/// that year — everything withheld. Pending adjustments are listed but not counted. The amount
/// due is never negative.
pub fn ledger_line(
    cadre: CadreId,
    period: LedgerPeriod,
    base: Option<Money>,
    outcomes: &[LedgerOutcome],
) -> LedgerLine {
    let b = base.unwrap_or(Money::ZERO);
    let mut adjustments = Vec::new();
    let mut sorted: Vec<&LedgerOutcome> = outcomes.iter().collect();
    sorted.sort_by_key(|o| (o.quarter, o.outcome));
    for o in sorted.iter().filter(|o| o.kind == OutcomeKind::Uplift) {
        let applies = if period.is_year_end() {
            o.quarter.year == period.year
        } else {
            LedgerPeriod::quarter(o.quarter) == period
        };
        if applies && !b.is_zero() {
            adjustments.push(Adjustment {
                kind: AdjustmentKind::Uplift,
                amount: b.percent(o.uplift_pct),
                pending: o.pending,
                outcome: Some(o.outcome),
                result: Some(o.result),
                source: o.quarter.key(),
                pct: Some(o.uplift_pct),
            });
        }
    }
    let counted = |adj: &[Adjustment]| -> Money {
        b + adj
            .iter()
            .filter(|a| !a.pending)
            .map(|a| a.amount)
            .sum::<Money>()
    };
    // One withholding per year: an active one wins over a pending one.
    let withholding = sorted
        .iter()
        .filter(|o| o.kind == OutcomeKind::Withholding && o.quarter.year == period.year)
        .min_by_key(|o| (o.pending, o.quarter, o.outcome));
    if let Some(o) = withholding {
        let before = if o.pending {
            b + adjustments.iter().map(|a| a.amount).sum::<Money>()
        } else {
            counted(&adjustments)
        };
        if !before.is_zero() {
            adjustments.push(Adjustment {
                kind: AdjustmentKind::Withholding,
                amount: -before,
                pending: o.pending,
                outcome: Some(o.outcome),
                result: Some(o.result),
                source: o.quarter.key(),
                pct: None,
            });
        }
    }
    let due = counted(&adjustments).max(Money::ZERO);
    LedgerLine {
        cadre,
        period,
        base,
        adjustments,
        due,
    }
}

/// The correction a closed period needs: what it is due now, less what was frozen when it
/// closed and less corrections already carried into later closed periods. `None` when nothing
/// changed.
pub fn correction(now_due: Money, frozen_due: Money, carried: Money) -> Option<Money> {
    let diff = now_due - frozen_due - carried;
    (!diff.is_zero()).then_some(diff)
}

/// What a closed period froze for one cadre: the adjustments of the line it paid and the
/// amount it paid.
#[derive(Clone, Copy, Debug)]
pub struct FrozenLine<'a> {
    pub adjustments: &'a [Adjustment],
    pub due: Money,
}

/// The correction lines one cadre's closed period needs in the open period that carries it,
/// and the outcomes they count (what a closing of that period records as paid).
///
/// Money waits for appeals in both directions. An outcome under appeal that was not paid for
/// this period (`paid`: counted when it closed or by the last correction carried for it) is
/// left out of what counts now; one that was paid before the appeal was filed stays as paid
/// until the answer. So the counted correction (`pending: false`) is what the period comes to
/// from answered results, less what was paid and carried since; what an open appeal would
/// still change if upheld is a second, pending line, shown and never counted. `carried` is
/// the counted corrections of this period in later closed periods (`carried_amount`).
pub fn closed_period_correction(
    cadre: CadreId,
    closed: LedgerPeriod,
    base: Option<Money>,
    outcomes: &[LedgerOutcome],
    frozen: Option<FrozenLine<'_>>,
    paid: &[OutcomeId],
    carried: Money,
) -> (Vec<Adjustment>, Vec<OutcomeId>) {
    let with_pending = |counts: &dyn Fn(&LedgerOutcome) -> bool| -> Vec<LedgerOutcome> {
        outcomes
            .iter()
            .map(|o| LedgerOutcome {
                pending: !counts(o),
                ..o.clone()
            })
            .collect()
    };
    let held = with_pending(&|o| !o.pending || paid.contains(&o.outcome));
    let now = ledger_line(cadre, closed, base, &held);
    let if_upheld = ledger_line(cadre, closed, base, &with_pending(&|_| true)).due;
    let then_adjustments = frozen.map(|f| f.adjustments).unwrap_or(&[]);
    let frozen_due = frozen.map(|f| f.due).unwrap_or(Money::ZERO);
    let mut out = Vec::new();
    if let Some(diff) = correction(now.due, frozen_due, carried) {
        // The result behind the change: an adjustment that appeared or disappeared.
        let key = |a: &Adjustment| (a.outcome, a.result, a.pending);
        let result = now
            .adjustments
            .iter()
            .find(|a| !then_adjustments.iter().any(|b| key(a) == key(b)))
            .or_else(|| {
                then_adjustments
                    .iter()
                    .find(|b| !now.adjustments.iter().any(|a| key(a) == key(b)))
            })
            .and_then(|a| a.result);
        out.push(correction_adjustment(closed, diff, false, None, result));
    }
    if let Some(diff) = correction(if_upheld, now.due, Money::ZERO) {
        let cause = now.adjustments.iter().find(|a| a.pending);
        out.push(correction_adjustment(
            closed,
            diff,
            true,
            cause.and_then(|a| a.outcome),
            cause.and_then(|a| a.result),
        ));
    }
    let counted = now
        .adjustments
        .iter()
        .filter(|a| !a.pending)
        .filter_map(|a| a.outcome)
        .collect();
    (out, counted)
}

/// The outcomes counted as paid for one cadre's closed period (`source`) when a later period
/// closed: a later appeal against one of them does not claw it back before the answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettledOutcomes {
    pub cadre: CadreId,
    pub source: String,
    pub outcomes: Vec<OutcomeId>,
}

/// What an open period carries for the closed ones before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// Per cadre, the correction adjustments (at least one each).
    pub corrections: Vec<(CadreId, Vec<Adjustment>)>,
    /// Per cadre and closed period, the outcomes now counted for it.
    pub settled: Vec<SettledOutcomes>,
}

fn correction_adjustment(
    closed: LedgerPeriod,
    amount: Money,
    pending: bool,
    outcome: Option<OutcomeId>,
    result: Option<ResultId>,
) -> Adjustment {
    Adjustment {
        kind: AdjustmentKind::Correction,
        amount,
        pending,
        outcome,
        result,
        source: closed.key(),
        pct: None,
    }
}

/// The counted corrections of the closed period `source` among `adjustments` (the
/// corrections later closed periods carried). Pending ones were never paid.
pub fn carried_amount<'a>(
    adjustments: impl IntoIterator<Item = &'a Adjustment>,
    source: LedgerPeriod,
) -> Money {
    let key = source.key();
    adjustments
        .into_iter()
        .filter(|a| a.kind == AdjustmentKind::Correction && !a.pending && a.source == key)
        .map(|a| a.amount)
        .sum()
}

/// What a correction row counts: its counted corrections (pending ones wait).
pub fn counted_correction(adjustments: &[Adjustment]) -> Money {
    adjustments
        .iter()
        .filter(|a| !a.pending)
        .map(|a| a.amount)
        .sum()
}

/// What a closed period froze: its lines and the corrections it carried. Stored as JSON with
/// the closure; finance paid from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenPeriod {
    pub rows: Vec<LedgerRow>,
    pub corrections: Vec<LedgerRow>,
    /// What the corrections counted as paid (closures before this field was kept have none:
    /// their rows' counted adjustments stand for it).
    #[serde(default)]
    pub settled: Vec<SettledOutcomes>,
}

/// Everything a ledger line is computed from: the latest base of each cadre and period (by
/// period key) and each cadre's uplift and withholding outcomes.
#[derive(Clone, Debug, Default)]
pub struct LedgerFacts {
    pub bases: HashMap<(CadreId, String), Money>,
    pub outcomes: HashMap<CadreId, Vec<LedgerOutcome>>,
}

impl LedgerFacts {
    pub fn base(&self, cadre: CadreId, period: LedgerPeriod) -> Option<Money> {
        self.bases.get(&(cadre, period.key())).copied()
    }

    pub fn outcomes_of(&self, cadre: CadreId) -> &[LedgerOutcome] {
        self.outcomes.get(&cadre).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every cadre with a base for `period` or an outcome touching it.
    pub fn cadres(&self, period: LedgerPeriod) -> BTreeSet<CadreId> {
        let key = period.key();
        let mut cadres: BTreeSet<CadreId> = self
            .bases
            .keys()
            .filter(|(_, p)| *p == key)
            .map(|(c, _)| *c)
            .collect();
        for (c, list) in &self.outcomes {
            if list.iter().any(|o| {
                o.quarter.year == period.year
                    && (period.is_year_end()
                        || o.kind == OutcomeKind::Withholding
                        || LedgerPeriod::quarter(o.quarter) == period)
            }) {
                cadres.insert(*c);
            }
        }
        cadres
    }

    /// One cadre's live line for `period`.
    pub fn line(&self, cadre: CadreId, period: LedgerPeriod) -> LedgerLine {
        ledger_line(
            cadre,
            period,
            self.base(cadre, period),
            self.outcomes_of(cadre),
        )
    }

    /// What the open `period` carries for every closed period whose first open successor it
    /// is: per cadre, what `closed_period_correction` finds.
    ///
    /// Why a correction line and not an edit: a closed period has been paid out by finance
    /// from its export, so its lines are frozen. When an appeal decided later changes what was
    /// due, the difference has to be paid or held back in the next period finance still
    /// handles — exactly once. Subtracting what later closed periods already carried is what
    /// keeps a correction from being paid twice when several periods close in a row.
    pub fn corrections_into(
        &self,
        period: LedgerPeriod,
        closures: &BTreeMap<LedgerPeriod, &FrozenPeriod>,
    ) -> Carried {
        let mut out = Carried::default();
        for (closed, frozen) in closures.range(..period) {
            let mut next = closed.next();
            while closures.contains_key(&next) {
                next = next.next();
            }
            if next != period {
                continue;
            }
            let key = closed.key();
            let later = || closures.range(closed.next()..period).map(|(_, f)| *f);
            let mut cadres: BTreeSet<CadreId> = frozen.rows.iter().map(|r| r.cadre).collect();
            cadres.extend(self.cadres(*closed));
            for c in cadres {
                let then_row = frozen.rows.iter().find(|r| r.cadre == c);
                let carried = carried_amount(
                    later()
                        .flat_map(|f| f.corrections.iter())
                        .filter(|r| r.cadre == c)
                        .flat_map(|r| r.adjustments.iter()),
                    *closed,
                );
                // Paid: what the last closing that carried this period counted, else what
                // the period itself counted when it closed.
                let paid: Vec<OutcomeId> = later()
                    .filter_map(|f| f.settled.iter().find(|s| s.cadre == c && s.source == key))
                    .next_back()
                    .map(|s| s.outcomes.clone())
                    .unwrap_or_else(|| {
                        then_row
                            .iter()
                            .flat_map(|r| r.adjustments.iter())
                            .filter(|a| !a.pending)
                            .filter_map(|a| a.outcome)
                            .collect()
                    });
                let (adjustments, counted) = closed_period_correction(
                    c,
                    *closed,
                    self.base(c, *closed),
                    self.outcomes_of(c),
                    then_row.map(|r| FrozenLine {
                        adjustments: &r.adjustments,
                        due: r.due,
                    }),
                    &paid,
                    carried,
                );
                if !adjustments.is_empty() {
                    out.corrections.push((c, adjustments));
                }
                out.settled.push(SettledOutcomes {
                    cadre: c,
                    source: key.clone(),
                    outcomes: counted,
                });
            }
        }
        out
    }
}

/// A ledger period as the office sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LedgerView {
    pub period: String,
    pub periods: Vec<String>,
    pub closed: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub rows: Vec<LedgerRow>,
    /// Changes to closed periods carried into this one (open periods only).
    pub corrections: Vec<LedgerRow>,
    pub total_base: Money,
    pub total_due: Money,
    pub missing_bases: u32,
    /// Active cadres for the base form (office only).
    #[serde(default)]
    pub people: Vec<LedgerPerson>,
}

/// A cadre a base may be entered for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LedgerPerson {
    pub id: CadreId,
    pub name: String,
    pub username: String,
}

/// One cadre's line in a ledger view or export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LedgerRow {
    pub cadre: CadreId,
    pub username: String,
    pub name: String,
    pub department: String,
    pub period: String,
    pub base: Option<Money>,
    pub adjustments: Vec<Adjustment>,
    pub due: Money,
}

/// The result of entering or importing base amounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct BaseReport {
    pub saved: u32,
    pub unchanged: u32,
}
