//! The ledger under appeals: a model of publications, appeals, answers and closings run over
//! the same pure functions the server uses (`LedgerFacts`), with the promises checked after
//! every step — the amount due is never negative, nothing pending is counted, what a closed
//! period paid waits for the answer, and once every appeal is answered the totals are those of
//! the final results alone.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use super::ledger::*;
use super::*;
use crate::calendar::{LedgerPeriod, Quarter};
use crate::domain::CadreId;
use crate::eval::ResultId;

const CADRES: i32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Active,
    Pending,
    Withdrawn,
}

#[derive(Clone, Debug)]
enum Step {
    /// A published result's outcome; `appealed` when an appeal is filed before it counts.
    Publish {
        cadre: i32,
        quarter: u32,
        withholding: bool,
        appealed: bool,
    },
    /// An appeal against an outcome that already counts (within the filing window).
    Appeal(usize),
    /// The committee's answer to a pending outcome: upheld, or overturned (withdrawn).
    Answer { which: usize, upheld: bool },
    /// The office closes the next open period.
    Close,
}

/// The payment order the model walks: 2026's four quarters and year-end bonus, and 2027-Q1,
/// which stays open so every closed period has an open successor.
fn periods() -> Vec<LedgerPeriod> {
    let mut p: Vec<LedgerPeriod> = LedgerPeriod::of_year(2026).to_vec();
    p.push(LedgerPeriod::quarter(Quarter {
        year: 2027,
        quarter: 1,
    }));
    p
}

struct Model {
    bases: HashMap<(CadreId, String), Money>,
    /// Each outcome with its cadre, status and whether an appeal was ever filed against it
    /// (a result is appealed once: the committee's answer is final).
    outcomes: Vec<(LedgerOutcome, CadreId, Status, bool)>,
    closures: BTreeMap<LedgerPeriod, FrozenPeriod>,
}

fn row(
    c: CadreId,
    p: LedgerPeriod,
    base: Option<Money>,
    adj: Vec<Adjustment>,
    due: Money,
) -> LedgerRow {
    LedgerRow {
        cadre: c,
        username: String::new(),
        name: String::new(),
        department: String::new(),
        period: p.key(),
        base,
        adjustments: adj,
        due,
    }
}

impl Model {
    /// The facts as the server reads them: withdrawn outcomes are gone.
    fn facts(&self, only_final: bool) -> LedgerFacts {
        let mut outcomes: HashMap<CadreId, Vec<LedgerOutcome>> = HashMap::new();
        for (o, c, s, _) in &self.outcomes {
            if *s == Status::Withdrawn || (only_final && *s == Status::Pending) {
                continue;
            }
            outcomes.entry(*c).or_default().push(LedgerOutcome {
                pending: *s == Status::Pending,
                ..o.clone()
            });
        }
        LedgerFacts {
            bases: self.bases.clone(),
            outcomes,
        }
    }

    fn frozen_refs(&self) -> BTreeMap<LedgerPeriod, &FrozenPeriod> {
        self.closures.iter().map(|(p, f)| (*p, f)).collect()
    }

    /// A period's lines and corrections as the ledger shows them: frozen if closed, else live.
    fn lines(&self, p: LedgerPeriod) -> FrozenPeriod {
        if let Some(f) = self.closures.get(&p) {
            return f.clone();
        }
        let facts = self.facts(false);
        let rows = facts
            .cadres(p)
            .into_iter()
            .map(|c| {
                let l = facts.line(c, p);
                row(c, p, l.base, l.adjustments, l.due)
            })
            .collect();
        let carried = facts.corrections_into(p, &self.frozen_refs());
        let corrections = carried
            .corrections
            .into_iter()
            .map(|(c, adj)| {
                let due = counted_correction(&adj);
                row(c, p, None, adj, due)
            })
            .collect();
        FrozenPeriod {
            rows,
            corrections,
            settled: carried.settled,
        }
    }

    fn apply(&mut self, step: &Step) {
        match *step {
            Step::Publish {
                cadre,
                quarter,
                withholding,
                appealed,
            } => {
                let id = self.outcomes.len() as i32 + 1;
                let o = LedgerOutcome {
                    outcome: OutcomeId(id),
                    result: ResultId(id),
                    quarter: Quarter {
                        year: 2026,
                        quarter,
                    },
                    kind: if withholding {
                        OutcomeKind::Withholding
                    } else {
                        OutcomeKind::Uplift
                    },
                    pending: false,
                    uplift_pct: 20,
                };
                let status = if appealed {
                    Status::Pending
                } else {
                    Status::Active
                };
                self.outcomes.push((o, CadreId(cadre), status, appealed));
            }
            Step::Appeal(i) => {
                let n = self.outcomes.len();
                if n > 0 && self.outcomes[i % n].2 == Status::Active && !self.outcomes[i % n].3 {
                    self.outcomes[i % n].2 = Status::Pending;
                    self.outcomes[i % n].3 = true;
                }
            }
            Step::Answer { which, upheld } => {
                if let Some(o) = self
                    .outcomes
                    .iter_mut()
                    .filter(|o| o.2 == Status::Pending)
                    .nth(which)
                {
                    o.2 = if upheld {
                        Status::Active
                    } else {
                        Status::Withdrawn
                    };
                }
            }
            Step::Close => {
                // Never the last: it carries what the closed ones still owe.
                let all = periods();
                let Some(&p) = all[..all.len() - 1]
                    .iter()
                    .find(|p| !self.closures.contains_key(p))
                else {
                    return;
                };
                let frozen = self.lines(p);
                self.closures.insert(p, frozen);
            }
        }
    }

    /// Per cadre: everything paid by closed periods and due in open ones, counted only.
    fn cumulative(&self) -> BTreeMap<CadreId, Money> {
        let mut out: BTreeMap<CadreId, Money> = BTreeMap::new();
        for p in periods() {
            let l = self.lines(p);
            for r in l.rows.iter().chain(l.corrections.iter()) {
                *out.entry(r.cadre).or_insert(Money::ZERO) += r.due;
            }
        }
        out.retain(|_, m| !m.is_zero());
        out
    }

    /// Per cadre and closed period: what finance paid for it, with the period and with the
    /// corrections later closed periods carried.
    fn paid(&self) -> BTreeMap<(CadreId, LedgerPeriod), Money> {
        let mut out: BTreeMap<(CadreId, LedgerPeriod), Money> = BTreeMap::new();
        for (closed, f) in &self.closures {
            for r in &f.rows {
                *out.entry((r.cadre, *closed)).or_insert(Money::ZERO) += r.due;
            }
            for r in self.closures.values().flat_map(|l| l.corrections.iter()) {
                let carried = carried_amount(&r.adjustments, *closed);
                if !carried.is_zero() {
                    *out.entry((r.cadre, *closed)).or_insert(Money::ZERO) += carried;
                }
            }
        }
        out.retain(|_, m| !m.is_zero());
        out
    }

    /// Per cadre and closed period: what it comes to now — paid, plus the counted corrections
    /// the open periods carry for it.
    fn settled(&self) -> BTreeMap<(CadreId, LedgerPeriod), Money> {
        let mut out = self.paid();
        let open: Vec<FrozenPeriod> = periods()
            .into_iter()
            .filter(|p| !self.closures.contains_key(p))
            .map(|p| self.lines(p))
            .collect();
        for closed in self.closures.keys() {
            for r in open.iter().flat_map(|l| l.corrections.iter()) {
                let carried = carried_amount(&r.adjustments, *closed);
                *out.entry((r.cadre, *closed)).or_insert(Money::ZERO) += carried;
            }
        }
        out.retain(|_, m| !m.is_zero());
        out
    }

    /// Per cadre: the totals computed from the final results alone, as if nothing had closed.
    fn totals_from_final_results(&self) -> BTreeMap<CadreId, Money> {
        let facts = self.facts(true);
        let mut out: BTreeMap<CadreId, Money> = BTreeMap::new();
        for p in periods() {
            for c in facts.cadres(p) {
                *out.entry(c).or_insert(Money::ZERO) += facts.line(c, p).due;
            }
        }
        out.retain(|_, m| !m.is_zero());
        out
    }

    /// For an appeal step that will take effect: the cadre, and the closed periods whose paid
    /// record (the frozen line, or the last closing's settled outcomes) counts the outcome.
    fn paid_for(&self, step: &Step) -> (Option<CadreId>, Vec<LedgerPeriod>) {
        let Step::Appeal(i) = *step else {
            return (None, Vec::new());
        };
        let n = self.outcomes.len();
        if n == 0 || self.outcomes[i % n].2 != Status::Active || self.outcomes[i % n].3 {
            return (None, Vec::new());
        }
        let (o, c) = (&self.outcomes[i % n].0, self.outcomes[i % n].1);
        let mut periods = Vec::new();
        for (p, f) in &self.closures {
            let key = p.key();
            let last = self
                .closures
                .range(p.next()..)
                .filter_map(|(_, g)| g.settled.iter().find(|s| s.cadre == c && s.source == key))
                .next_back();
            let paid = match last {
                Some(s) => s.outcomes.contains(&o.outcome),
                None => f.rows.iter().filter(|r| r.cadre == c).any(|r| {
                    r.adjustments
                        .iter()
                        .any(|a| !a.pending && a.outcome == Some(o.outcome))
                }),
            };
            if paid {
                periods.push(*p);
            }
        }
        (Some(c), periods)
    }

    fn any_pending(&self) -> bool {
        self.outcomes.iter().any(|o| o.2 == Status::Pending)
    }
}

/// The checks that hold after every step.
fn check_counted(m: &Model) -> Result<(), TestCaseError> {
    for p in periods() {
        let l = m.lines(p);
        for r in &l.rows {
            prop_assert!(r.due >= Money::ZERO, "negative line {:?}", r);
            let counted = (r.base.unwrap_or(Money::ZERO)
                + r.adjustments
                    .iter()
                    .filter(|a| !a.pending)
                    .map(|a| a.amount)
                    .sum::<Money>())
            .max(Money::ZERO);
            prop_assert_eq!(r.due, counted, "a pending adjustment counted in {:?}", r);
        }
        for r in &l.corrections {
            prop_assert_eq!(r.due, counted_correction(&r.adjustments));
            prop_assert!(!r.adjustments.is_empty());
        }
    }
    for (c, total) in m.cumulative() {
        prop_assert!(total > Money::ZERO, "cadre {} owes {}", c, total);
    }
    Ok(())
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1..=CADRES, 1u32..=4, proptest::bool::weighted(0.3), any::<bool>()).prop_map(
            |(cadre, quarter, withholding, appealed)| Step::Publish {
                cadre,
                quarter,
                withholding,
                appealed
            }
        ),
        1 => (0usize..12).prop_map(Step::Appeal),
        2 => (0usize..4, any::<bool>()).prop_map(|(which, upheld)| Step::Answer { which, upheld }),
        2 => Just(Step::Close),
    ]
}

fn arb_bases() -> impl Strategy<Value = HashMap<(CadreId, String), Money>> {
    proptest::collection::vec(proptest::option::weighted(0.8, 0i64..=6_000), 15).prop_map(|v| {
        let mut out = HashMap::new();
        for (i, amount) in v.into_iter().enumerate() {
            if let Some(yuan) = amount {
                let c = CadreId(i as i32 / 5 + 1);
                let p = LedgerPeriod::of_year(2026)[i % 5];
                out.insert((c, p.key()), Money::from_fen(yuan * 100));
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn money_waits_for_appeals(bases in arb_bases(), steps in proptest::collection::vec(arb_step(), 1..40)) {
        let mut m = Model { bases, outcomes: Vec::new(), closures: BTreeMap::new() };
        for step in &steps {
            let before_total = m.cumulative();
            let before_settled = m.settled();
            let (appealed_cadre, appealed_was_paid) = m.paid_for(step);
            m.apply(step);
            check_counted(&m)?;
            if let Step::Appeal(_) = step {
                // Nothing paid is clawed back before the answer: where what finance paid for a
                // closed period counted the appealed outcome, that period's figure stays.
                let after = m.settled();
                for (k, was) in &before_settled {
                    if appealed_was_paid.contains(&k.1) {
                        prop_assert_eq!(Some(was), after.get(k), "{:?} after {:?}", k, step);
                    }
                }
                // Everyone else's figures do not move.
                let others = |s: &BTreeMap<(CadreId, LedgerPeriod), Money>| -> Vec<_> {
                    s.iter().filter(|(k, _)| Some(k.0) != appealed_cadre).map(|(k, v)| (*k, *v)).collect()
                };
                prop_assert_eq!(others(&before_settled), others(&after));
            }
            if matches!(step, Step::Publish { appealed: true, .. }) {
                // A result under appeal from the start changes no amount anyone is due.
                prop_assert_eq!(&before_total, &m.cumulative(), "after {:?}", step);
                prop_assert_eq!(&before_settled, &m.settled(), "after {:?}", step);
            }
            if !m.any_pending() {
                prop_assert_eq!(m.cumulative(), m.totals_from_final_results(), "after {:?}", step);
            }
        }
        // Answer everything, then the totals are those of the final results alone.
        while m.any_pending() {
            let upheld = m.outcomes.len().is_multiple_of(2);
            m.apply(&Step::Answer { which: 0, upheld });
            check_counted(&m)?;
        }
        prop_assert_eq!(m.cumulative(), m.totals_from_final_results());
    }
}

/// The case from the issue: worst a third time in Q3 with Q1 and Q2 closed and paid; the
/// appeal holds every line, and an answer that upholds claws both back.
#[test]
fn a_third_worst_under_appeal_holds_every_line() {
    let base = Money::from_fen(320_000);
    let c = CadreId(1);
    let mut bases = HashMap::new();
    for p in LedgerPeriod::of_year(2026) {
        bases.insert((c, p.key()), base);
    }
    let mut m = Model {
        bases,
        outcomes: Vec::new(),
        closures: BTreeMap::new(),
    };
    m.apply(&Step::Close);
    m.apply(&Step::Close);
    m.apply(&Step::Publish {
        cadre: 1,
        quarter: 3,
        withholding: true,
        appealed: true,
    });
    let q3 = m.lines(LedgerPeriod::of_year(2026)[2]);
    // Two pending corrections of −3,200.00, none counted; Q3 itself withheld only if upheld.
    let pending: Vec<Money> = q3
        .corrections
        .iter()
        .flat_map(|r| r.adjustments.iter())
        .map(|a| {
            assert!(a.pending, "{a:?}");
            a.amount
        })
        .collect();
    assert_eq!(pending, vec![-base, -base]);
    assert_eq!(
        q3.corrections.iter().map(|r| r.due).sum::<Money>(),
        Money::ZERO
    );
    assert_eq!(q3.rows[0].due, base);
    m.apply(&Step::Answer {
        which: 0,
        upheld: true,
    });
    let q3 = m.lines(LedgerPeriod::of_year(2026)[2]);
    assert_eq!(q3.rows[0].due, Money::ZERO);
    let counted: Money = q3.corrections.iter().map(|r| r.due).sum();
    assert_eq!(counted, -base - base);
}
