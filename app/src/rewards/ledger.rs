//! The bonus ledger: each cadre's line for a period (base, uplift, forfeits, corrections of
//! closed periods) as pure functions, and the ledger's views.

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
    /// Active cadres for the base form (office only): id, name, username.
    #[serde(default)]
    pub people: Vec<(CadreId, String, String)>,
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
