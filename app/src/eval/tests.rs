//! Tests of the evaluation rules and their deadlines.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc, Weekday};

use super::*;
use crate::calendar::*;
use crate::domain::*;
use crate::error::AppError;
use crate::policy::*;
use proptest::prelude::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn line(c: i32, entries: &[i32]) -> PickLine {
    PickLine {
        cadre: CadreId(c),
        reason: "理由".into(),
        citations: entries.iter().map(|e| EntryId(*e)).collect(),
    }
}

#[test]
fn monthly_pick_rules_table() {
    let p = EvalPolicy::default();
    let eligible: HashSet<CadreId> = [1, 2, 3].map(CadreId).into();
    let owner: HashMap<EntryId, CadreId> = [(10, 1), (11, 1), (20, 2), (30, 3)]
        .map(|(e, c)| (EntryId(e), CadreId(c)))
        .into();
    let reason = |r: Result<(), AppError>| match r {
        Ok(()) => "ok".to_string(),
        Err(AppError::Invalid { reason, .. }) => reason,
        Err(e) => format!("{e}"),
    };
    let empty_reason = PickLine {
        reason: "  ".into(),
        ..line(1, &[10])
    };
    let cases: Vec<(Vec<PickLine>, Vec<PickLine>, &str)> = vec![
        (vec![line(1, &[10])], vec![line(2, &[20])], "ok"),
        (vec![line(1, &[10, 11])], vec![line(3, &[30])], "ok"),
        (vec![], vec![line(2, &[20])], "wrong_count"),
        (
            vec![line(1, &[10]), line(3, &[30])],
            vec![line(2, &[20])],
            "wrong_count",
        ),
        (vec![line(1, &[10])], vec![], "wrong_count"),
        (vec![line(1, &[10])], vec![line(1, &[11])], "picked_twice"),
        (vec![line(9, &[10])], vec![line(2, &[20])], "not_your_cadre"),
        (vec![empty_reason], vec![line(2, &[20])], "reason_required"),
        (
            vec![line(1, &[])],
            vec![line(2, &[20])],
            "citation_required",
        ),
        (vec![line(1, &[20])], vec![line(2, &[20])], "bad_citation"),
        (vec![line(1, &[99])], vec![line(2, &[20])], "bad_citation"),
        (
            vec![line(1, &[10, 10])],
            vec![line(2, &[20])],
            "bad_citation",
        ),
    ];
    for (i, (best, worst, want)) in cases.into_iter().enumerate() {
        assert_eq!(
            reason(check_monthly_pick(&p, &eligible, &owner, &best, &worst)),
            want,
            "case {i}"
        );
    }
    // A leader with a single cadre names only the best.
    let one: HashSet<CadreId> = [CadreId(1)].into();
    assert!(check_monthly_pick(&p, &one, &owner, &[line(1, &[10])], &[]).is_ok());
    // Policy 2 + 1 needs three names.
    let p2 = EvalPolicy {
        monthly_best: 2,
        ..EvalPolicy::default()
    };
    assert!(
        check_monthly_pick(
            &p2,
            &eligible,
            &owner,
            &[line(1, &[10]), line(3, &[30])],
            &[line(2, &[20])]
        )
        .is_ok()
    );
}

#[test]
fn quarter_choice_rules_table() {
    let p = EvalPolicy::default();
    let best_pool: HashSet<CadreId> = (1..=10).map(CadreId).collect();
    let worst_pool: HashSet<CadreId> = (20..=26).map(CadreId).collect();
    let ids = |v: &[i32]| v.iter().map(|i| CadreId(*i)).collect::<Vec<_>>();
    let check = |b: &[i32], w: &[i32]| match check_quarter_choice(
        &p,
        &best_pool,
        &worst_pool,
        &ids(b),
        &ids(w),
    ) {
        Ok(()) => "ok".to_string(),
        Err(AppError::Invalid { reason, .. }) => reason,
        Err(e) => e.to_string(),
    };
    assert_eq!(check(&[1, 2, 3, 4, 5], &[20, 21, 22]), "ok");
    assert_eq!(check(&[1, 2, 3, 4], &[20, 21, 22]), "wrong_count");
    assert_eq!(check(&[1, 2, 3, 4, 5], &[20, 21]), "wrong_count");
    assert_eq!(check(&[1, 2, 3, 4, 99], &[20, 21, 22]), "not_in_pool");
    assert_eq!(check(&[1, 2, 3, 4, 20], &[21, 22, 23]), "not_in_pool");
    assert_eq!(check(&[1, 1, 3, 4, 5], &[20, 21, 22]), "picked_twice");
    assert_eq!(check(&[1, 2, 3, 4, 5], &[20, 20, 22]), "picked_twice");
    // Someone in both pools cannot be named both...
    let both: HashSet<CadreId> = (1..=3).map(CadreId).collect();
    let r = check_quarter_choice(&p, &both, &both, &ids(&[1, 2, 3]), &ids(&[1, 2, 3]));
    assert_eq!(r, Err(AppError::invalid("worst", "picked_twice")));
    // ...and the worst count shrinks to who is left, so an overlap never blocks a decision.
    assert!(check_quarter_choice(&p, &both, &both, &ids(&[1, 2, 3]), &[]).is_ok());
    let best5: HashSet<CadreId> = (1..=5).map(CadreId).collect();
    let worst3: HashSet<CadreId> = [5, 6, 7].map(CadreId).into();
    let r = check_quarter_choice(&p, &best5, &worst3, &ids(&[1, 2, 3, 4, 5]), &ids(&[6, 7]));
    assert!(r.is_ok(), "{r:?}");
    let r = check_quarter_choice(&p, &best5, &worst3, &ids(&[1, 2, 3, 4, 5]), &ids(&[6]));
    assert_eq!(r, Err(AppError::invalid("worst", "wrong_count")));
    // An empty pool cannot be decided.
    let r = check_quarter_choice(&p, &HashSet::new(), &HashSet::new(), &[], &[]);
    assert_eq!(r, Err(AppError::conflict("pool_empty")));
    // A small pool is chosen whole.
    let small: HashSet<CadreId> = (1..=2).map(CadreId).collect();
    let none = HashSet::new();
    assert!(check_quarter_choice(&p, &small, &none, &ids(&[1, 2]), &[]).is_ok());
}

#[test]
fn pool_groups_people_picked_twice() {
    let pick = |n: i32, m: u32| PoolPick {
        naming: NamingId(n),
        result: ResultId(n),
        month: Month {
            year: 2026,
            month: m,
        },
        supervisor: PersonRef::new(CadreId(99), "l"),
        reason: "r".into(),
        citations: vec![],
        under_appeal: false,
    };
    let grouped = group_pool(vec![
        (CadreId(5), pick(1, 4)),
        (CadreId(3), pick(2, 4)),
        (CadreId(5), pick(3, 5)),
    ]);
    assert_eq!(grouped.len(), 2);
    assert_eq!(grouped[0].0, CadreId(5));
    assert_eq!(grouped[0].1.len(), 2);
    assert_eq!(grouped[1].1.len(), 1);
}

#[test]
fn appeal_deadlines_cross_month_and_year_ends() {
    let p = Policy::default();
    let e = EvalPolicy::default();
    // Filed 28 Feb 2026 15:00 Shanghai → due 5 Mar 23:59:59 Shanghai.
    assert_eq!(
        e.appeal_due(utc("2026-02-28T07:00:00Z"), &p),
        utc("2026-03-05T15:59:59Z")
    );
    // Leap year.
    assert_eq!(
        e.appeal_due(utc("2028-02-28T07:00:00Z"), &p),
        utc("2028-03-04T15:59:59Z")
    );
    // Late evening UTC is already the next day in Shanghai.
    assert_eq!(
        e.appeal_due(utc("2026-12-28T17:00:00Z"), &p),
        utc("2027-01-03T15:59:59Z")
    );
    // Working days skip the weekend: filed Friday 2026-05-29 → due Friday 2026-06-05.
    let w = EvalPolicy {
        appeal_working_days: true,
        ..e.clone()
    };
    assert_eq!(
        w.appeal_due(utc("2026-05-29T02:00:00Z"), &p),
        utc("2026-06-05T15:59:59Z")
    );
    // The filing window: 10 days after publication, end of that local day.
    assert_eq!(
        e.appeal_window_closes(utc("2026-07-25T02:00:00Z"), &p),
        utc("2026-08-04T15:59:59Z")
    );
    // Monthly pick deadline: 5th of the next month, across the year end.
    let dec = Month::new(2026, 12).unwrap();
    assert_eq!(e.pick_due(dec, &p), utc("2027-01-05T15:59:59Z"));
    assert_eq!(
        e.quarter_due(Quarter::new(2026, 2).unwrap(), &p),
        utc("2026-07-15T15:59:59Z")
    );
}

#[test]
fn keys_round_trip_and_reject_nonsense() {
    assert_eq!(Month::parse_key("2026-04").unwrap().key(), "2026-04");
    assert_eq!(Quarter::parse_key("2026-Q2").unwrap().key(), "2026-Q2");
    for bad in ["2026-13", "x", "2026", "1999-01"] {
        assert!(Month::parse_key(bad).is_err(), "{bad}");
    }
    for bad in ["2026-Q5", "2026-2", "Q2"] {
        assert!(Quarter::parse_key(bad).is_err(), "{bad}");
    }
    assert_eq!(
        Month::new(2026, 5).unwrap().quarter(),
        Quarter::new(2026, 2).unwrap()
    );
    assert!(EvalPolicy::default().validate().is_ok());
    let bad = EvalPolicy {
        confirmations_required: 0,
        ..EvalPolicy::default()
    };
    assert!(bad.validate().is_err());
}

proptest! {
    #[test]
    fn appeal_due_is_after_filing_and_within_bounds(
        secs in 946_684_800i64..4_102_444_800i64,
        days in 1u32..30,
        working in any::<bool>(),
    ) {
        let p = Policy::default();
        let e = EvalPolicy { appeal_answer_days: days, appeal_working_days: working, ..EvalPolicy::default() };
        let filed = DateTime::from_timestamp(secs, 0).unwrap();
        let due = e.appeal_due(filed, &p);
        prop_assert!(due > filed);
        let local_due = p.local_date(due);
        let local_filed = p.local_date(filed);
        let span = (local_due - local_filed).num_days();
        if working {
            prop_assert!(span >= i64::from(days));
            prop_assert!(span <= i64::from(days) + 2 * (i64::from(days) / 5 + 1));
            prop_assert!(!matches!(local_due.weekday(), Weekday::Sat | Weekday::Sun));
        } else {
            prop_assert_eq!(span, i64::from(days));
        }
        // The window closes at the end of a local day, after the publication.
        let w = e.appeal_window_closes(filed, &p);
        prop_assert!(w > filed);
        prop_assert_eq!(end_of_local_day(p.local_date(w), &p), w);
    }

    #[test]
    fn pool_grouping_keeps_every_pick(picks in proptest::collection::vec((0i32..10, 0i32..1000), 0..48)) {
        let input: Vec<(CadreId, PoolPick)> = picks.iter().map(|(c, n)| (CadreId(*c), PoolPick {
            naming: NamingId(*n), result: ResultId(0), month: Month { year: 2026, month: 4 },
            supervisor: PersonRef::new(CadreId(99), ""), reason: String::new(), citations: vec![], under_appeal: false,
        })).collect();
        let grouped = group_pool(input);
        let total: usize = grouped.iter().map(|g| g.1.len()).sum();
        prop_assert_eq!(total, picks.len());
        let people: HashSet<CadreId> = grouped.iter().map(|g| g.0).collect();
        prop_assert_eq!(people.len(), grouped.len());
    }
}
