//! The three rewards and penalties (三奖惩, DOMAIN.md): the outcomes that follow from published
//! quarterly results, the consecutive-worst (连续3次) rule, cases, notices and the bonus
//! ledger. Types shared by server and browser, and the rules as pure functions so they can be
//! tested without a database. Money is exact: [`Money`] wraps a decimal with two places.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::domain::id_type;
use crate::domain::*;
use crate::error::AppError;
use crate::eval::*;

id_type!(/// One outcome of a published result for one cadre.
    OutcomeId);
id_type!(/// A talk, warning or rectification followed to closure.
    CaseId);
id_type!(/// A commendation or criticism notice (通报).
    NoticeId);

/// What counts as "worst three times in a row".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreakUnit {
    /// Final results of consecutive quarters (the default reading).
    Quarters,
    /// Consecutive monthly picks.
    MonthlyPicks,
}

/// The outcome rules, part of the versioned evaluation policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct OutcomePolicy {
    /// Uplift of the best on that quarter's bonus and on the year-end bonus, in per cent.
    pub best_uplift_pct: u32,
    /// How many consecutive worst namings cost public criticism and the year's bonuses.
    pub worst_streak: u32,
    pub streak_unit: StreakUnit,
    /// Days after an outcome takes effect within which the talk and the warning are due.
    pub talk_due_days: u32,
    /// Days after an outcome takes effect within which the rectification is due.
    pub rectification_days: u32,
}

impl Default for OutcomePolicy {
    fn default() -> Self {
        OutcomePolicy {
            best_uplift_pct: 20,
            worst_streak: 3,
            streak_unit: StreakUnit::Quarters,
            talk_due_days: 10,
            rectification_days: 30,
        }
    }
}

impl OutcomePolicy {
    pub fn validate(&self) -> Result<(), AppError> {
        let check = |ok: bool, field: &str| {
            if ok {
                Ok(())
            } else {
                Err(AppError::invalid(field, "out_of_range"))
            }
        };
        check(self.best_uplift_pct <= 100, "best_uplift_pct")?;
        check((2..=12).contains(&self.worst_streak), "worst_streak")?;
        check((1..=60).contains(&self.talk_due_days), "talk_due_days")?;
        check(
            (1..=180).contains(&self.rectification_days),
            "rectification_days",
        )
    }
}

/// One consequence for one cadre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// 通报表扬.
    Commendation,
    /// Bonus uplift on the quarter and the year-end bonus.
    Uplift,
    /// 谈话 with a principal.
    Talk,
    /// 告诫.
    Warning,
    /// 限期整改.
    Rectification,
    /// 通报批评 (consecutive worst).
    PublicCriticism,
    /// Base salary only: the year's quarterly and year-end bonuses withheld.
    Withholding,
}

impl OutcomeKind {
    pub const ALL: [OutcomeKind; 7] = [
        OutcomeKind::Commendation,
        OutcomeKind::Uplift,
        OutcomeKind::Talk,
        OutcomeKind::Warning,
        OutcomeKind::Rectification,
        OutcomeKind::PublicCriticism,
        OutcomeKind::Withholding,
    ];
    pub fn code(self) -> &'static str {
        match self {
            OutcomeKind::Commendation => "commendation",
            OutcomeKind::Uplift => "uplift",
            OutcomeKind::Talk => "talk",
            OutcomeKind::Warning => "warning",
            OutcomeKind::Rectification => "rectification",
            OutcomeKind::PublicCriticism => "public_criticism",
            OutcomeKind::Withholding => "withholding",
        }
    }
    pub fn from_code(s: &str) -> Option<OutcomeKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    /// Whether the outcome is followed as a case.
    pub fn is_case(self) -> bool {
        matches!(
            self,
            OutcomeKind::Talk | OutcomeKind::Warning | OutcomeKind::Rectification
        )
    }
}

/// Where an outcome stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    /// Waits for an open appeal on a naming it hangs on.
    Pending,
    Active,
    /// The naming it hung on was overturned or changed; kept for the record.
    Withdrawn,
}

impl OutcomeStatus {
    pub fn code(self) -> &'static str {
        match self {
            OutcomeStatus::Pending => "pending",
            OutcomeStatus::Active => "active",
            OutcomeStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> OutcomeStatus {
        match s {
            "pending" => OutcomeStatus::Pending,
            "active" => OutcomeStatus::Active,
            _ => OutcomeStatus::Withdrawn,
        }
    }
}

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
    let mut q_marks: HashMap<CadreId, BTreeMap<Quarter, bool>> = HashMap::new();
    for q in &quarters {
        for n in q.names.iter().filter(|n| n.kind == PickKind::Worst) {
            let e = q_marks
                .entry(n.cadre)
                .or_default()
                .entry(q.quarter)
                .or_insert(false);
            *e |= n.pending;
        }
    }
    let mut m_marks: HashMap<CadreId, BTreeMap<Month, bool>> = HashMap::new();
    for w in monthly {
        let e = m_marks
            .entry(w.cadre)
            .or_default()
            .entry(w.month)
            .or_insert(false);
        *e |= w.pending;
    }
    let mut out = Vec::new();
    let mut criticised: BTreeSet<(CadreId, i32)> = BTreeSet::new();
    for q in quarters {
        let mut seen: BTreeSet<(CadreId, PickKind)> = BTreeSet::new();
        let mut names = q.names.clone();
        names.sort_by_key(|n| (n.kind, n.cadre));
        for n in &names {
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
        let need = q.policy.worst_streak.max(1) as usize;
        // Candidates for the streak rule in this quarter, with the streak that qualifies.
        let mut streaks: Vec<Streak> = Vec::new();
        match q.policy.streak_unit {
            StreakUnit::Quarters => {
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
            }
            StreakUnit::MonthlyPicks => {
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
            }
        }
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
    out
}

// ---------------------------------------------------------------------------------------------
// Money and the ledger

/// An amount of yuan, exact to the fen (two decimal places). Serialised as a string
/// (`"1234.50"`) so no client ever sees a float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money(Decimal);

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.plain())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        let v: Decimal = text.parse().map_err(serde::de::Error::custom)?;
        if v.scale() > 2 {
            return Err(serde::de::Error::custom("more than two decimal places"));
        }
        Ok(Money(v))
    }
}

#[cfg(feature = "ssr")]
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^-?[0-9]+\\.[0-9]{2}$",
            "description": "Yuan, exact to the fen, as a decimal string (`1234.50`)"
        })
    }
}

/// The largest amount accepted as a base (ten million yuan).
const MAX_YUAN: i64 = 10_000_000;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn from_fen(fen: i64) -> Money {
        Money(Decimal::new(fen, 2))
    }

    /// The amount in fen (exact: amounts never have more than two places).
    pub fn fen(self) -> i64 {
        (self.0 * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(0)
    }

    /// Parses an amount typed or imported by the office: digits with at most two decimal
    /// places, optionally with thousands separators — in their places only (`1,000.00`;
    /// `1,00` is refused, not read as 100). Never negative.
    pub fn parse(field: &str, text: &str) -> Result<Money, AppError> {
        let raw = text
            .trim()
            .trim_start_matches(['¥', '￥'])
            .replace('，', ",");
        let (int_part, frac_part) = raw.split_once('.').unwrap_or((raw.as_str(), ""));
        if int_part.contains(',') {
            let groups: Vec<&str> = int_part.trim_start_matches('-').split(',').collect();
            let grouped = groups.iter().enumerate().all(|(i, g)| {
                let len_ok = if i == 0 {
                    (1..=3).contains(&g.len())
                } else {
                    g.len() == 3
                };
                len_ok && g.chars().all(|c| c.is_ascii_digit())
            });
            if !grouped {
                return Err(AppError::invalid(field, "not_a_number"));
            }
        }
        if frac_part.contains(',') {
            return Err(AppError::invalid(field, "not_a_number"));
        }
        let t: String = raw.chars().filter(|c| *c != ',').collect();
        if t.is_empty() {
            return Err(AppError::invalid(field, "required"));
        }
        if t.starts_with('-') {
            return Err(AppError::invalid(field, "negative_amount"));
        }
        if !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.starts_with('.') {
            return Err(AppError::invalid(field, "not_a_number"));
        }
        let d: Decimal = t
            .parse()
            .map_err(|_| AppError::invalid(field, "not_a_number"))?;
        if d.scale() > 2 {
            return Err(AppError::invalid(field, "amount_precision"));
        }
        if d > Decimal::from(MAX_YUAN) {
            return Err(AppError::invalid(field, "out_of_range"));
        }
        Ok(Money(d.round_dp(2)))
    }

    /// `pct` per cent of the amount, rounded half away from zero to the fen.
    pub fn percent(self, pct: u32) -> Money {
        Money(
            (self.0 * Decimal::from(pct) / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Plain form for exports: `1234.50`, `-80.00`.
    pub fn plain(self) -> String {
        let mut d = self.0;
        d.rescale(2);
        d.to_string()
    }

    /// With thousands separators for reading: `1,234.50`.
    pub fn grouped(self) -> String {
        let plain = self.plain();
        let (sign, rest) = match plain.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", plain.as_str()),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{frac}")
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// A bonus period of the ledger: a quarter's bonus or a year's year-end bonus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LedgerPeriod {
    pub year: i32,
    /// 1–4 for a quarter, 5 for the year-end bonus (so periods sort in payment order).
    pub slot: u32,
}

impl LedgerPeriod {
    pub fn quarter(q: Quarter) -> LedgerPeriod {
        LedgerPeriod {
            year: q.year,
            slot: q.quarter,
        }
    }
    pub fn year_end(year: i32) -> LedgerPeriod {
        LedgerPeriod { year, slot: 5 }
    }
    pub fn is_year_end(self) -> bool {
        self.slot == 5
    }
    /// `2026-Q3` or `2026-YE`.
    pub fn key(self) -> String {
        if self.is_year_end() {
            format!("{}-YE", self.year)
        } else {
            format!("{}-Q{}", self.year, self.slot)
        }
    }
    pub fn parse_key(s: &str) -> Result<LedgerPeriod, AppError> {
        let s = s.trim();
        if let Some(y) = s.strip_suffix("-YE") {
            let year: i32 = y
                .parse()
                .map_err(|_| AppError::invalid("period", "bad_period"))?;
            if !(2000..=2100).contains(&year) {
                return Err(AppError::invalid("period", "bad_period"));
            }
            return Ok(LedgerPeriod::year_end(year));
        }
        Quarter::parse_key(s)
            .map(LedgerPeriod::quarter)
            .map_err(|_| AppError::invalid("period", "bad_period"))
    }
    pub fn next(self) -> LedgerPeriod {
        if self.slot >= 5 {
            LedgerPeriod {
                year: self.year + 1,
                slot: 1,
            }
        } else {
            LedgerPeriod {
                year: self.year,
                slot: self.slot + 1,
            }
        }
    }
    /// The periods of a year in payment order.
    pub fn of_year(year: i32) -> [LedgerPeriod; 5] {
        [1, 2, 3, 4, 5].map(|slot| LedgerPeriod { year, slot })
    }
}

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

// ---------------------------------------------------------------------------------------------
// Views

/// One outcome as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct OutcomeView {
    pub id: OutcomeId,
    pub cadre: CadreId,
    pub name: String,
    pub department: String,
    pub result: ResultId,
    pub quarter: String,
    pub kind: OutcomeKind,
    pub status: OutcomeStatus,
    pub policy_version: i32,
    /// The streak behind a consecutive-worst outcome.
    pub basis: Vec<String>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    pub case: Option<CaseId>,
}

/// Talk, warning or rectification case state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Open,
    /// A talk held or a warning given.
    Done,
    /// Rectification closed: met.
    Met,
    /// Rectification closed: not met.
    NotMet,
    /// Its outcome was withdrawn.
    Withdrawn,
}

impl CaseState {
    pub fn code(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Done => "done",
            CaseState::Met => "met",
            CaseState::NotMet => "not_met",
            CaseState::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> CaseState {
        match s {
            "open" => CaseState::Open,
            "done" => CaseState::Done,
            "met" => CaseState::Met,
            "not_met" => CaseState::NotMet,
            _ => CaseState::Withdrawn,
        }
    }
}

/// Whether an open case is past its due day.
pub fn case_overdue(state: CaseState, due: NaiveDate, today: NaiveDate) -> bool {
    state == CaseState::Open && today > due
}

/// What a case note records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The talk: when, what was said, the cadre's response. Completes a talk case.
    Talk,
    /// The warning given. Completes a warning case.
    Warning,
    /// The rectification plan and its deadline.
    Plan,
    FollowUp,
    /// Closes a rectification: met or not met, with a note.
    Closure,
    /// Owner changed.
    Owner,
    /// Case withdrawn with its outcome (written by the system).
    Withdrawn,
}

impl NoteKind {
    pub const ALL: [NoteKind; 7] = [
        NoteKind::Talk,
        NoteKind::Warning,
        NoteKind::Plan,
        NoteKind::FollowUp,
        NoteKind::Closure,
        NoteKind::Owner,
        NoteKind::Withdrawn,
    ];
    pub fn code(self) -> &'static str {
        match self {
            NoteKind::Talk => "talk",
            NoteKind::Warning => "warning",
            NoteKind::Plan => "plan",
            NoteKind::FollowUp => "follow_up",
            NoteKind::Closure => "closure",
            NoteKind::Owner => "owner",
            NoteKind::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> Option<NoteKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Which notes a case of a kind accepts, and what the note does to it.
pub fn note_allowed(case: OutcomeKind, note: NoteKind) -> bool {
    match note {
        NoteKind::Talk => case == OutcomeKind::Talk,
        NoteKind::Warning => case == OutcomeKind::Warning,
        NoteKind::Plan | NoteKind::Closure => case == OutcomeKind::Rectification,
        NoteKind::FollowUp => true,
        NoteKind::Owner | NoteKind::Withdrawn => false,
    }
}

/// A note to add to a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CaseNoteInput {
    pub case: CaseId,
    /// `talk`, `warning`, `plan`, `follow_up` or `closure`.
    pub kind: String,
    pub body: String,
    /// The cadre's response (talks).
    #[serde(default)]
    pub response: Option<String>,
    /// When the talk was held (`YYYY-MM-DD`).
    #[serde(default)]
    pub held_on: Option<String>,
    /// The rectification deadline (plans, `YYYY-MM-DD`).
    #[serde(default)]
    pub deadline: Option<String>,
    /// Closure: met (`true`) or not met (`false`).
    #[serde(default)]
    pub met: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CaseNoteView {
    pub kind: NoteKind,
    pub author: String,
    pub body: String,
    pub response: Option<String>,
    pub held_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub met: Option<bool>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct CaseView {
    pub id: CaseId,
    pub outcome: OutcomeId,
    pub cadre: CadreId,
    pub name: String,
    pub department: String,
    pub kind: OutcomeKind,
    pub quarter: String,
    pub result: ResultId,
    pub reason: String,
    pub owner: CadreId,
    pub owner_name: String,
    pub opened_at: DateTime<Utc>,
    pub due: NaiveDate,
    pub state: CaseState,
    pub overdue: bool,
    /// Its outcome waits for an appeal: nothing can be recorded until it is decided.
    pub on_hold: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub notes: Vec<CaseNoteView>,
    /// What the viewer may do: note kinds they may add, and whether they may reassign.
    #[serde(default)]
    pub may_note: Vec<NoteKind>,
    #[serde(default)]
    pub may_assign: bool,
    /// Who the case may be given to (principals).
    #[serde(default)]
    pub owners: Vec<(CadreId, String)>,
    /// The server's local date (forms default to it).
    pub today: NaiveDate,
}

/// A published quarterly result with its outcomes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct QuarterOutcomes {
    pub result: ResultId,
    pub quarter: String,
    pub published_at: Option<DateTime<Utc>>,
    pub under_appeal: bool,
    pub outcomes: Vec<OutcomeView>,
}

/// The rewards overview for principals, committee and office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RewardsBoard {
    pub quarters: Vec<QuarterOutcomes>,
    pub cases: Vec<CaseView>,
    pub notices: Vec<NoticeSummary>,
    pub policy_version: i32,
    pub policy: OutcomePolicy,
    /// The viewer may draft notices (office, principals).
    pub may_draft: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Commendation,
    Criticism,
}

impl NoticeKind {
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Commendation => "commendation",
            NoticeKind::Criticism => "criticism",
        }
    }
    pub fn from_code(s: &str) -> Option<NoticeKind> {
        match s {
            "commendation" => Some(NoticeKind::Commendation),
            "criticism" => Some(NoticeKind::Criticism),
            _ => None,
        }
    }
    /// The outcome a notice of this kind lists.
    pub fn outcome(self) -> OutcomeKind {
        match self {
            NoticeKind::Commendation => OutcomeKind::Commendation,
            NoticeKind::Criticism => OutcomeKind::PublicCriticism,
        }
    }
}

/// One name on a notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeLine {
    pub cadre: CadreId,
    pub name: String,
    pub department: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeSummary {
    pub id: NoticeId,
    pub kind: NoticeKind,
    pub quarter: String,
    pub number: Option<String>,
    pub title: String,
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub corrects: Option<NoticeId>,
    pub corrected_by: Option<NoticeId>,
    /// Published, not corrected, and the result's outcomes now name other people.
    #[serde(default)]
    pub stale: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeView {
    pub id: NoticeId,
    pub kind: NoticeKind,
    pub result: ResultId,
    pub quarter: String,
    pub number: Option<String>,
    pub title: String,
    pub preamble: String,
    pub issuer: String,
    pub lines: Vec<NoticeLine>,
    pub published: bool,
    pub issued_on: Option<NaiveDate>,
    pub corrects: Option<(NoticeId, String)>,
    pub corrected_by: Option<(NoticeId, String)>,
    /// Published, not corrected, and the result's outcomes now name other people (an appeal
    /// changed them): it needs a correction.
    #[serde(default)]
    pub stale: bool,
    /// The viewer may edit and publish the draft, or issue a correction.
    pub may_edit: bool,
    /// The audit chain's head at publication (`id:hash`), printed in the footer.
    #[serde(default)]
    pub audit_anchor: Option<String>,
}

/// The formal number of a notice: `镇效通〔2026〕3号`.
pub fn notice_number(year: i32, seq: i32) -> String {
    format!("镇效通〔{year}〕{seq}号")
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

/// A cadre's own rewards and penalties over time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct MyRewards {
    pub results: Vec<MyNaming>,
    pub outcomes: Vec<OutcomeView>,
    pub cases: Vec<CaseView>,
    pub ledger: Vec<LedgerRow>,
}

/// What recomputing changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RecomputeReport {
    pub created: u32,
    pub activated: u32,
    pub made_pending: u32,
    pub withdrawn: u32,
    pub cases_opened: u32,
    pub cases_withdrawn: u32,
}

impl RecomputeReport {
    pub fn is_empty(&self) -> bool {
        *self == RecomputeReport::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(y: i64) -> i64 {
        y * 100
    }

    fn q(y: i32, n: u32) -> Quarter {
        Quarter {
            year: y,
            quarter: n,
        }
    }

    fn worst(c: i32, naming: i32, pending: bool) -> FinalNaming {
        FinalNaming {
            cadre: CadreId(c),
            naming: NamingId(naming),
            kind: PickKind::Worst,
            pending,
        }
    }

    fn best(c: i32, naming: i32, pending: bool) -> FinalNaming {
        FinalNaming {
            kind: PickKind::Best,
            ..worst(c, naming, pending)
        }
    }

    fn result(quarter: Quarter, id: i32, names: Vec<FinalNaming>) -> QuarterFinal {
        QuarterFinal {
            quarter,
            result: ResultId(id),
            policy_version: 1,
            policy: OutcomePolicy::default(),
            names,
        }
    }

    fn kinds(out: &[DerivedOutcome], cadre: i32) -> Vec<(String, OutcomeKind, bool)> {
        out.iter()
            .filter(|o| o.cadre == CadreId(cadre))
            .map(|o| (o.quarter.key(), o.kind, o.pending))
            .collect()
    }

    fn criticised(out: &[DerivedOutcome], cadre: i32) -> Vec<String> {
        out.iter()
            .filter(|o| o.cadre == CadreId(cadre) && o.kind == OutcomeKind::PublicCriticism)
            .map(|o| o.quarter.key())
            .collect()
    }

    #[test]
    fn best_and_worst_outcomes() {
        let out = derive_outcomes(
            &[result(
                q(2026, 2),
                1,
                vec![best(1, 10, false), worst(2, 11, true)],
            )],
            &[],
        );
        assert_eq!(
            kinds(&out, 1),
            vec![
                ("2026-Q2".into(), OutcomeKind::Commendation, false),
                ("2026-Q2".into(), OutcomeKind::Uplift, false)
            ]
        );
        assert_eq!(
            kinds(&out, 2),
            vec![
                ("2026-Q2".into(), OutcomeKind::Talk, true),
                ("2026-Q2".into(), OutcomeKind::Warning, true),
                ("2026-Q2".into(), OutcomeKind::Rectification, true)
            ]
        );
        assert!(out.iter().all(|o| o.policy_version == 1));
    }

    /// The quarterly streak rule, table-driven: which quarters a cadre is named worst in (and
    /// whether that naming is under appeal) → the quarters criticised and whether pending.
    #[test]
    fn quarterly_streak_table() {
        type Case = (&'static str, Vec<(Quarter, bool)>, Vec<&'static str>, bool);
        let cases: Vec<Case> = vec![
            (
                "three in a row",
                vec![
                    (q(2026, 1), false),
                    (q(2026, 2), false),
                    (q(2026, 3), false),
                ],
                vec!["2026-Q3"],
                false,
            ),
            (
                "two only",
                vec![(q(2026, 1), false), (q(2026, 2), false)],
                vec![],
                false,
            ),
            (
                "broken by a non-worst quarter",
                vec![
                    (q(2026, 1), false),
                    (q(2026, 2), false),
                    (q(2026, 4), false),
                ],
                vec![],
                false,
            ),
            (
                "across a year boundary",
                vec![
                    (q(2025, 4), false),
                    (q(2026, 1), false),
                    (q(2026, 2), false),
                ],
                vec!["2026-Q2"],
                false,
            ),
            (
                "four in a row: once a year",
                vec![
                    (q(2026, 1), false),
                    (q(2026, 2), false),
                    (q(2026, 3), false),
                    (q(2026, 4), false),
                ],
                vec!["2026-Q3"],
                false,
            ),
            (
                "continuing into the next year",
                vec![
                    (q(2025, 3), false),
                    (q(2025, 4), false),
                    (q(2026, 1), false),
                ],
                vec!["2026-Q1"],
                false,
            ),
            (
                "streak over two years",
                vec![
                    (q(2025, 2), false),
                    (q(2025, 3), false),
                    (q(2025, 4), false),
                    (q(2026, 1), false),
                ],
                vec!["2025-Q4", "2026-Q1"],
                false,
            ),
            (
                "pending appeal in the streak",
                vec![(q(2026, 1), true), (q(2026, 2), false), (q(2026, 3), false)],
                vec!["2026-Q3"],
                true,
            ),
        ];
        for (name, marks, want, want_pending) in cases {
            let mut quarters: Vec<QuarterFinal> = Vec::new();
            // Every quarter from 2025-Q1 to 2026-Q4 is published; cadre 9 is named worst in
            // the marked ones, cadre 8 best in every one.
            let mut k = q(2025, 1);
            let mut id = 1;
            while k <= q(2026, 4) {
                let mut names = vec![best(8, id * 10, false)];
                if let Some((_, p)) = marks.iter().find(|(m, _)| *m == k) {
                    names.push(worst(9, id * 10 + 1, *p));
                }
                quarters.push(result(k, id, names));
                k = k.next();
                id += 1;
            }
            let out = derive_outcomes(&quarters, &[]);
            assert_eq!(criticised(&out, 9), want, "{name}");
            let withheld: Vec<_> = out
                .iter()
                .filter(|o| o.kind == OutcomeKind::Withholding)
                .map(|o| (o.quarter.key(), o.pending))
                .collect();
            assert_eq!(withheld.len(), want.len(), "{name}");
            assert!(withheld.iter().all(|(_, p)| *p == want_pending), "{name}");
            assert!(criticised(&out, 8).is_empty(), "{name}");
        }
    }

    #[test]
    fn overturned_appeal_breaks_the_streak() {
        // Q2's naming was overturned: it is no longer among the current names.
        let quarters = vec![
            result(q(2026, 1), 1, vec![worst(9, 1, false)]),
            result(q(2026, 2), 2, vec![worst(5, 2, false)]),
            result(q(2026, 3), 3, vec![worst(9, 3, false)]),
            result(q(2026, 4), 4, vec![worst(9, 4, false)]),
        ];
        assert!(criticised(&derive_outcomes(&quarters, &[]), 9).is_empty());
        // An unpublished quarter in between breaks it too.
        let gap = vec![
            result(q(2026, 1), 1, vec![worst(9, 1, false)]),
            result(q(2026, 3), 3, vec![worst(9, 3, false)]),
            result(q(2026, 4), 4, vec![worst(9, 4, false)]),
        ];
        assert!(criticised(&derive_outcomes(&gap, &[]), 9).is_empty());
    }

    fn m(y: i32, n: u32) -> Month {
        Month { year: y, month: n }
    }

    #[test]
    fn monthly_streak_table() {
        let monthly_policy = OutcomePolicy {
            streak_unit: StreakUnit::MonthlyPicks,
            ..OutcomePolicy::default()
        };
        type Case = (&'static str, Vec<Month>, Vec<&'static str>);
        let cases: Vec<Case> = vec![
            (
                "three months of one quarter",
                vec![m(2026, 4), m(2026, 5), m(2026, 6)],
                vec!["2026-Q2"],
            ),
            (
                "across quarters",
                vec![m(2026, 3), m(2026, 4), m(2026, 5)],
                vec!["2026-Q2"],
            ),
            (
                "across the year boundary",
                vec![m(2025, 12), m(2026, 1), m(2026, 2)],
                vec!["2026-Q1"],
            ),
            (
                "broken by a month",
                vec![m(2026, 4), m(2026, 5), m(2026, 7), m(2026, 8)],
                vec![],
            ),
            (
                "six in a row: once a year",
                vec![
                    m(2026, 4),
                    m(2026, 5),
                    m(2026, 6),
                    m(2026, 7),
                    m(2026, 8),
                    m(2026, 9),
                ],
                vec!["2026-Q2"],
            ),
        ];
        for (name, months, want) in cases {
            let mut quarters = Vec::new();
            let mut k = q(2025, 4);
            let mut id = 1;
            while k <= q(2026, 4) {
                let mut r = result(k, id, vec![best(8, id, false)]);
                r.policy = monthly_policy.clone();
                quarters.push(r);
                k = k.next();
                id += 1;
            }
            let monthly: Vec<MonthlyWorst> = months
                .iter()
                .map(|&month| MonthlyWorst {
                    month,
                    cadre: CadreId(9),
                    pending: false,
                })
                .collect();
            let out = derive_outcomes(&quarters, &monthly);
            assert_eq!(criticised(&out, 9), want, "{name}");
            // The quarterly reading of the same data: never named worst in a quarter.
            let mut q_quarters = quarters.clone();
            for r in &mut q_quarters {
                r.policy = OutcomePolicy::default();
            }
            assert!(criticised(&derive_outcomes(&q_quarters, &monthly), 9).is_empty());
        }
    }

    #[test]
    fn money_is_exact_to_the_fen() {
        let ok = |s: &str| Money::parse("amount", s).map(|m| m.fen());
        assert_eq!(ok("1234.5"), Ok(123450));
        assert_eq!(ok("1,234.56"), Ok(123456));
        assert_eq!(ok("1，234，567"), Ok(123456700));
        assert_eq!(ok("¥0.01"), Ok(1));
        assert_eq!(ok("3000"), Ok(300000));
        let err = |s: &str| match Money::parse("amount", s) {
            Err(AppError::Invalid { reason, .. }) => reason,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(err("-5"), "negative_amount");
        assert_eq!(err("abc"), "not_a_number");
        assert_eq!(err("1e3"), "not_a_number");
        assert_eq!(err("1.234"), "amount_precision");
        // Separators only where thousands are: "1,00" is not 100.00.
        for bad in [
            "1,00",
            ",100",
            "1,0000",
            "12,34,567",
            "1.00,5",
            "1,,000",
            "1,000,",
        ] {
            assert_eq!(err(bad), "not_a_number", "{bad}");
        }
        assert_eq!(err(""), "required");
        assert_eq!(err("99999999"), "out_of_range");
        // 20 % of 0.05 is 0.01 exactly; of 0.03 is 0.006 → 0.01 (half away from zero).
        assert_eq!(Money::from_fen(5).percent(20).fen(), 1);
        assert_eq!(Money::from_fen(3).percent(20).fen(), 1);
        assert_eq!(Money::from_fen(2).percent(20).fen(), 0);
        // 0.1 + 0.2 is 0.3 (no float drift).
        assert_eq!(
            Money::parse("a", "0.1").unwrap() + Money::parse("a", "0.2").unwrap(),
            Money::parse("a", "0.3").unwrap()
        );
        assert_eq!(Money::from_fen(123456789).grouped(), "1,234,567.89");
        assert_eq!(Money::from_fen(-8000).grouped(), "-80.00");
        assert_eq!(Money::from_fen(5).plain(), "0.05");
        assert_eq!(
            serde_json::to_string(&Money::from_fen(150)).unwrap(),
            "\"1.50\""
        );
        assert_eq!(serde_json::to_string(&Money::ZERO).unwrap(), "\"0.00\"");
        let back: Money = serde_json::from_str(r#""-80.00""#).unwrap();
        assert_eq!(back.fen(), -8000);
        assert!(serde_json::from_str::<Money>("\"1.001\"").is_err());
    }

    fn lo(id: i32, quarter: Quarter, kind: OutcomeKind, pending: bool) -> LedgerOutcome {
        LedgerOutcome {
            outcome: OutcomeId(id),
            result: ResultId(id),
            quarter,
            kind,
            pending,
            uplift_pct: 20,
        }
    }

    #[test]
    fn ledger_lines() {
        let base = Some(Money::from_fen(yuan(3000)));
        let p = LedgerPeriod::quarter(q(2026, 2));
        let up = lo(1, q(2026, 2), OutcomeKind::Uplift, false);
        let line = ledger_line(CadreId(1), p, base, std::slice::from_ref(&up));
        assert_eq!(line.due.fen(), yuan(3600));
        assert_eq!(line.adjustments[0].amount.fen(), yuan(600));
        // Another quarter's uplift does not touch this quarter, but does the year end.
        let other = lo(2, q(2026, 3), OutcomeKind::Uplift, false);
        assert_eq!(
            ledger_line(CadreId(1), p, base, std::slice::from_ref(&other))
                .due
                .fen(),
            yuan(3000)
        );
        let ye = LedgerPeriod::year_end(2026);
        let line = ledger_line(
            CadreId(1),
            ye,
            Some(Money::from_fen(yuan(10000))),
            &[up.clone(), other],
        );
        assert_eq!(line.due.fen(), yuan(14000));
        // Pending: listed, not counted.
        let pend = lo(3, q(2026, 2), OutcomeKind::Uplift, true);
        let line = ledger_line(CadreId(1), p, base, &[pend]);
        assert_eq!((line.due.fen(), line.adjustments.len()), (yuan(3000), 1));
        // Withholding takes everything of the year, uplift included.
        let wh = lo(4, q(2026, 3), OutcomeKind::Withholding, false);
        let line = ledger_line(CadreId(1), p, base, &[up.clone(), wh.clone()]);
        assert_eq!(line.due, Money::ZERO);
        assert_eq!(line.adjustments[1].amount.fen(), -yuan(3600));
        assert_eq!(
            ledger_line(CadreId(1), ye, base, std::slice::from_ref(&wh)).due,
            Money::ZERO
        );
        // Not the next year's.
        let next = LedgerPeriod::quarter(q(2027, 1));
        assert_eq!(
            ledger_line(CadreId(1), next, base, &[wh]).due.fen(),
            yuan(3000)
        );
        // No base: nothing due, nothing to withhold.
        let line = ledger_line(CadreId(1), p, None, &[up]);
        assert_eq!((line.due, line.adjustments.len()), (Money::ZERO, 0));
    }

    #[test]
    fn periods_and_corrections() {
        assert_eq!(LedgerPeriod::parse_key("2026-YE").unwrap().key(), "2026-YE");
        assert_eq!(
            LedgerPeriod::parse_key("2026-Q4").unwrap().next().key(),
            "2026-YE"
        );
        assert_eq!(LedgerPeriod::year_end(2026).next().key(), "2027-Q1");
        assert!(LedgerPeriod::parse_key("2026-Q5").is_err());
        assert!(LedgerPeriod::quarter(q(2026, 4)) < LedgerPeriod::year_end(2026));
        assert!(LedgerPeriod::year_end(2026) < LedgerPeriod::quarter(q(2027, 1)));
        let f = Money::from_fen;
        assert_eq!(correction(f(300000), f(360000), f(0)), Some(f(-60000)));
        assert_eq!(correction(f(300000), f(360000), f(-60000)), None);
        assert_eq!(correction(f(100), f(100), f(0)), None);
        assert_eq!(notice_number(2026, 3), "镇效通〔2026〕3号");
        let today = NaiveDate::from_ymd_opt(2026, 7, 10).unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 7, 9).unwrap();
        assert!(case_overdue(CaseState::Open, due, today));
        assert!(!case_overdue(CaseState::Open, today, today));
        assert!(!case_overdue(CaseState::Met, due, today));
        assert!(note_allowed(OutcomeKind::Talk, NoteKind::Talk));
        assert!(!note_allowed(OutcomeKind::Talk, NoteKind::Closure));
        assert!(note_allowed(OutcomeKind::Rectification, NoteKind::Closure));
    }

    /// Per quarter: published (non-zero) and the names (cadre, best?, under appeal?).
    type Spec = Vec<(u8, Vec<(u8, bool, bool)>)>;

    fn arb_quarters() -> impl Strategy<Value = Spec> {
        // Up to 12 consecutive quarters from 2025-Q1; each names some of 6 cadres, best or
        // worst, maybe under appeal; some quarters unpublished.
        prop::collection::vec(
            (
                0u8..4,
                prop::collection::vec((0u8..6, any::<bool>(), any::<bool>()), 0..5),
            ),
            0..12,
        )
    }

    fn build(spec: &Spec, unit: StreakUnit) -> Vec<QuarterFinal> {
        let mut k = q(2025, 1);
        let mut out = Vec::new();
        for (i, (skip, names)) in spec.iter().enumerate() {
            if *skip > 0 {
                let mut r = result(
                    k,
                    i as i32 + 1,
                    names
                        .iter()
                        .enumerate()
                        .map(|(j, (c, is_best, pending))| FinalNaming {
                            cadre: CadreId(i32::from(*c)),
                            naming: NamingId((i * 10 + j) as i32),
                            kind: if *is_best {
                                PickKind::Best
                            } else {
                                PickKind::Worst
                            },
                            pending: *pending,
                        })
                        .collect(),
                );
                r.policy.streak_unit = unit;
                out.push(r);
            }
            k = k.next();
        }
        out
    }

    proptest! {
        #[test]
        fn derivation_is_deterministic_and_sound(spec in arb_quarters()) {
            let quarters = build(&spec, StreakUnit::Quarters);
            let a = derive_outcomes(&quarters, &[]);
            let mut rev = quarters.clone();
            rev.reverse();
            // Same outcomes whatever order the results come in (idempotent recompute).
            prop_assert_eq!(&a, &derive_outcomes(&rev, &[]));
            for o in &a {
                let r = quarters.iter().find(|r| r.result == o.result).unwrap();
                if o.kind == OutcomeKind::PublicCriticism {
                    // Every quarter of the streak is published and names them worst.
                    prop_assert_eq!(o.basis.len(), 3);
                    for key in &o.basis {
                        let qk = Quarter::parse_key(key).unwrap();
                        let named = quarters.iter().any(|r| r.quarter == qk
                            && r.names.iter().any(|n| n.cadre == o.cadre && n.kind == PickKind::Worst));
                        prop_assert!(named);
                    }
                    prop_assert_eq!(o.basis.last().cloned(), Some(r.quarter.key()));
                } else if o.kind != OutcomeKind::Withholding {
                    // Ordinary outcomes hang on a naming in that result with the same pending flag.
                    let n = r.names.iter().find(|n| Some(n.naming) == o.naming).unwrap();
                    prop_assert_eq!(n.cadre, o.cadre);
                    prop_assert_eq!(n.pending, o.pending);
                }
            }
            // At most one criticism per cadre and year.
            let mut seen = BTreeSet::new();
            for o in a.iter().filter(|o| o.kind == OutcomeKind::PublicCriticism) {
                prop_assert!(seen.insert((o.cadre, o.quarter.year)));
            }
        }

        #[test]
        fn money_parse_round_trips(fen in 0i64..1_000_000_000, pct in 0u32..=100) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(Money::parse("a", &m.plain()).unwrap(), m);
            prop_assert_eq!(Money::parse("a", &m.grouped()).unwrap(), m);
            // The uplift is within half a fen of the exact value.
            let exact = fen as i128 * pct as i128; // in 1/100 fen
            let got = m.percent(pct).fen() as i128 * 100;
            prop_assert!((got - exact).abs() <= 50);
        }

        #[test]
        fn withholding_leaves_nothing_and_uplift_never_lowers(
            fen in 0i64..100_000_000, n_up in 0usize..3, withhold in any::<bool>(), pending in any::<bool>()
        ) {
            let mut outs: Vec<LedgerOutcome> = (0..n_up)
                .map(|i| lo(i as i32, q(2026, 1 + i as u32), OutcomeKind::Uplift, false))
                .collect();
            let ye = LedgerPeriod::year_end(2026);
            let without = ledger_line(CadreId(1), ye, Some(Money::from_fen(fen)), &outs);
            prop_assert!(without.due.fen() >= fen);
            if withhold {
                outs.push(lo(9, q(2026, 4), OutcomeKind::Withholding, pending));
                let line = ledger_line(CadreId(1), ye, Some(Money::from_fen(fen)), &outs);
                if pending {
                    prop_assert_eq!(line.due, without.due);
                } else {
                    prop_assert_eq!(line.due, Money::ZERO);
                }
            }
        }
    }
}
