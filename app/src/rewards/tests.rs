//! Tests of the outcome rules, money and the ledger.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::*;
use crate::calendar::*;
use crate::domain::*;
use crate::error::AppError;
use crate::eval::*;
use crate::policy::*;
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
