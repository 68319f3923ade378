//! The three evaluations through the HTTP API, on SQLite and PostgreSQL: opinions, monthly
//! picks, the quarterly decision, publication, appeals, calendar, reminders and the
//! versioned policy — each bad input refused with a 4xx and nothing stored changed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::{Ctx, ids, submitted_month, submitted_sheet};
use http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use server::entities::{appeal, area_opinion, eval_naming, eval_result, quarter_choice};

/// Rows in the evaluation tables: compared before and after refused requests.
async fn counts(ctx: &Ctx) -> [u64; 6] {
    [
        server::entities::audit_log::Entity::find()
            .count(&ctx.db)
            .await
            .unwrap(),
        eval_result::Entity::find().count(&ctx.db).await.unwrap(),
        eval_naming::Entity::find().count(&ctx.db).await.unwrap(),
        quarter_choice::Entity::find().count(&ctx.db).await.unwrap(),
        appeal::Entity::find().count(&ctx.db).await.unwrap(),
        area_opinion::Entity::find().count(&ctx.db).await.unwrap(),
    ]
}

fn pick_body(month: &str, best: (i32, i32), worst: (i32, i32), confirm: bool) -> Value {
    json!({"input": {
        "month": month,
        "best": [{"cadre": best.0, "reason": "记录扎实，成效明显", "citations": [best.1]}],
        "worst": [{"cadre": worst.0, "reason": "多日未记，工作滞后", "citations": [worst.1]}],
        "confirm_missing": confirm,
    }})
}

fn reason(v: &Value) -> &str {
    v["reason"].as_str().unwrap_or("")
}

#[tokio::test]
async fn opinions_and_monthly_picks_follow_the_rules() {
    let ctx = Ctx::new().await;
    let april = submitted_month(&ctx.db, 2026, 4).await;
    ctx.set_now("2026-05-02T02:00:00Z");
    let chief = ctx.login("chief").await;
    let lead1 = ctx.login("lead1").await;
    let alice = ctx.login("alice").await;

    // The area chief sees alice and bob (their area), writes and revises an opinion.
    let (s, sheet) = ctx
        .post(
            "/api/v1/eval/opinions",
            json!({"month": "2026-04"}),
            Some(&chief),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{sheet}");
    let names: Vec<&str> = sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cadre"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["测试alice", "测试bob"]);
    let before = counts(&ctx).await;
    for (body, want) in [
        (
            json!({"month": "2026-04", "cadre": ids::ALICE, "text": "  ", "rating": 4}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"month": "2026-04", "cadre": ids::ALICE, "text": "好", "rating": 9}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"month": "2026-04", "cadre": ids::LEAD1, "text": "好"}),
            StatusCode::FORBIDDEN,
        ),
        (
            json!({"month": "2026-07", "cadre": ids::ALICE, "text": "好"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"month": "2026-13", "cadre": ids::ALICE, "text": "好"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (s, v) = ctx
            .post("/api/v1/eval/save_opinion", body, Some(&chief))
            .await;
        assert_eq!(s, want, "{v}");
    }
    let (s, v) = ctx
        .post(
            "/api/v1/eval/save_opinion",
            json!({"month": "2026-04", "cadre": ids::ALICE, "text": "驻村勤勉"}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(
        counts(&ctx).await,
        before,
        "refused opinions stored nothing"
    );
    for text in ["驻村勤勉", "驻村勤勉，群众认可"] {
        let (s, v) = ctx
            .post(
                "/api/v1/eval/save_opinion",
                json!({"month": "2026-04", "cadre": ids::ALICE, "text": text, "rating": 4}),
                Some(&chief),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }

    // The leader's board: own cadres only, with the month at a glance and the opinion.
    let (s, board) = ctx
        .post(
            "/api/v1/eval/pick_board",
            json!({"month": "2026-04"}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{board}");
    let cands = board["candidates"].as_array().unwrap();
    assert_eq!(cands.len(), 2, "alice and chief");
    let a = cands
        .iter()
        .find(|c| c["cadre"]["id"] == ids::ALICE)
        .unwrap();
    assert_eq!(a["opinions"][0]["text"], "驻村勤勉，群众认可");
    assert_eq!(a["opinions"][0]["revisions"], 1);
    assert_eq!(a["glance"]["missing"], 0);
    assert_eq!(a["entries"].as_array().unwrap().len(), 9);
    assert_eq!(board["want_best"], 1);

    // Bad picks: each refused, nothing stored.
    let al = april[&ids::ALICE][0];
    let ch = april[&ids::CHIEF][0];
    let bo = april[&ids::BOB][0];
    let before = counts(&ctx).await;
    let cases = [
        (
            pick_body("2026-04", (ids::ALICE, al), (ids::BOB, bo), false),
            "not_your_cadre",
        ),
        (
            pick_body("2026-04", (ids::ALICE, al), (ids::ALICE, al), false),
            "picked_twice",
        ),
        (
            pick_body("2026-04", (ids::ALICE, ch), (ids::CHIEF, ch), false),
            "bad_citation",
        ),
        (
            json!({"input": {"month": "2026-04", "best": [{"cadre": ids::ALICE, "reason": "好", "citations": []}], "worst": [{"cadre": ids::CHIEF, "reason": "差", "citations": [ch]}]}}),
            "citation_required",
        ),
        (
            json!({"input": {"month": "2026-04", "best": [{"cadre": ids::ALICE, "reason": " ", "citations": [al]}], "worst": [{"cadre": ids::CHIEF, "reason": "差", "citations": [ch]}]}}),
            "reason_required",
        ),
        (
            json!({"input": {"month": "2026-04", "best": [], "worst": [{"cadre": ids::CHIEF, "reason": "差", "citations": [ch]}]}}),
            "wrong_count",
        ),
    ];
    for (body, want) in cases {
        let (s, v) = ctx
            .post("/api/v1/eval/submit_pick", body, Some(&lead1))
            .await;
        assert_eq!(
            (s, reason(&v)),
            (StatusCode::UNPROCESSABLE_ENTITY, want),
            "{v}"
        );
    }
    let (s, v) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            pick_body("2026-05", (ids::ALICE, al), (ids::CHIEF, ch), false),
            Some(&lead1),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "month_not_over"));
    let (s, _) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            pick_body("2026-04", (ids::ALICE, al), (ids::CHIEF, ch), false),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(counts(&ctx).await, before);

    // A missing sheet must be confirmed, and the confirmation is recorded.
    let p = app::calendar::SheetPeriod {
        year: 2026,
        month: 4,
        dekad: app::calendar::Dekad::Late,
    };
    // Chief's late-April sheet goes missing: remove it by returning it.
    let sheets: Vec<server::entities::sheet::Model> = server::entities::sheet::Entity::find()
        .all(&ctx.db)
        .await
        .unwrap();
    let chief_late = sheets
        .iter()
        .find(|s| s.cadre_id == ids::CHIEF && s.month == 4 && s.dekad == p.dekad.number())
        .unwrap();
    let mut am: server::entities::sheet::ActiveModel = chief_late.clone().into();
    am.status = sea_orm::Set("returned".into());
    sea_orm::ActiveModelTrait::update(am, &ctx.db)
        .await
        .unwrap();
    let (s, v) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            pick_body("2026-04", (ids::ALICE, al), (ids::CHIEF, ch), false),
            Some(&lead1),
        )
        .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::CONFLICT, "sheets_missing"),
        "{v}"
    );
    assert_eq!(counts(&ctx).await, before);
    let (s, r) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            pick_body("2026-04", (ids::ALICE, al), (ids::CHIEF, ch), true),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["missing_confirmed"], true);
    assert_eq!(r["missing_sheets"], 1);
    assert_eq!(r["names"][0]["citations"][0]["entry"], al);
    assert_eq!(r["policy_version"], 1);
    // Locked: a second pick is refused.
    let (s, v) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            pick_body("2026-04", (ids::ALICE, al), (ids::CHIEF, ch), true),
            Some(&lead1),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "already_picked"));
    let id = r["id"].as_i64().unwrap();

    // Before the deadline (5 May) the named cadres do not see it; after, only their own line.
    let (s, _) = ctx
        .post("/api/v1/eval/result", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let alice_naming = r["names"][0]["id"].as_i64().unwrap();
    let chief_naming = r["names"][1]["id"].as_i64().unwrap();
    let (s, _) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": alice_naming, "ground": "太早"}),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, mine) = ctx.post("/api/v1/eval/mine", json!({}), Some(&alice)).await;
    assert_eq!((s, mine.as_array().unwrap().len()), (StatusCode::OK, 0));
    ctx.set_now("2026-05-06T02:00:00Z");
    let (s, v) = ctx
        .post("/api/v1/eval/result", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["names"].as_array().unwrap().len(), 1);
    assert!(
        !v.to_string().contains("多日未记"),
        "alice sees only her own naming"
    );
    let bob = ctx.login("bob").await;
    let (s, _) = ctx
        .post("/api/v1/eval/result", json!({"id": id}), Some(&bob))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let shuji = ctx.login("shuji").await;
    let (s, v) = ctx
        .post("/api/v1/eval/result", json!({"id": id}), Some(&shuji))
        .await;
    assert_eq!(
        (s, v["names"].as_array().unwrap().len()),
        (StatusCode::OK, 2)
    );
    let (_, mine) = ctx.post("/api/v1/eval/mine", json!({}), Some(&alice)).await;
    assert_eq!(mine[0]["kind"], "best");
    assert_eq!(mine[0]["can_appeal"], true);

    // The worst-named chief appeals; the committee overturns it (no replacement allowed).
    let (s, ap) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": chief_naming, "ground": "四月下旬在县里培训"}),
            Some(&chief),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ap}");
    let jiwei = ctx.login("jiwei").await;
    let (s, v) = ctx
        .post("/api/v1/appeal/answer", json!({"id": ap["id"], "outcome": "uphold", "answer": "维持", "replacement": ids::ALICE}), Some(&jiwei))
        .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "replacement_not_allowed")
    );
    let (s, v) = ctx
        .post("/api/v1/appeal/answer", json!({"id": ap["id"], "outcome": "overturn", "answer": "培训属实，撤销最差评定的秘密理由"}), Some(&jiwei))
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("overturned")),
        "{v}"
    );
    let (_, full) = ctx
        .post("/api/v1/eval/result", json!({"id": id}), Some(&shuji))
        .await;
    assert_eq!(full["revision"], 2);
    assert_eq!(full["names"][1]["removed_in"], 2);
    // Alice (named best) sees her line only, not the answer to the chief's appeal.
    let (_, own) = ctx
        .post("/api/v1/eval/result", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(own["names"].as_array().unwrap().len(), 1);
    assert!(!own.to_string().contains("秘密理由"), "{own}");
    let (_, mine) = ctx.post("/api/v1/eval/mine", json!({}), Some(&chief)).await;
    assert_eq!(
        (
            mine[0]["withdrawn"].as_bool(),
            mine[0]["can_appeal"].as_bool()
        ),
        (Some(true), Some(false))
    );
    // Ten days after publication (5 May) the window closes at the end of 15 May, local time.
    ctx.set_now("2026-05-15T15:59:00Z");
    let (_, mine) = ctx.post("/api/v1/eval/mine", json!({}), Some(&alice)).await;
    assert_eq!(mine[0]["can_appeal"], true);
    ctx.set_now("2026-05-15T16:00:00Z");
    let (_, mine) = ctx.post("/api/v1/eval/mine", json!({}), Some(&alice)).await;
    assert_eq!(mine[0]["can_appeal"], false);
    let (s, v) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": alice_naming, "ground": "太晚"}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::CONFLICT, "appeal_window_closed")
    );
    assert!(matches!(
        server::audit::verify(&ctx.db).await.unwrap(),
        server::audit::Verdict::Intact { .. }
    ));
    ctx.finish().await;
}

/// April–June picked by both leaders: lead1 names alice best / chief worst, lead2 bob best /
/// office worst. Returns the entry ids.
async fn picked_quarter(ctx: &Ctx) -> HashMap<i32, Vec<i32>> {
    let mut entries: HashMap<i32, Vec<i32>> = HashMap::new();
    for (m, now) in [
        (4, "2026-05-02T02:00:00Z"),
        (5, "2026-06-02T02:00:00Z"),
        (6, "2026-07-02T02:00:00Z"),
    ] {
        for (c, e) in submitted_month(&ctx.db, 2026, m).await {
            entries.entry(c).or_default().extend(e);
        }
        ctx.set_now(now);
        let month = format!("2026-{m:02}");
        for (lead, best, worst) in [
            ("lead1", ids::ALICE, ids::CHIEF),
            ("lead2", ids::BOB, ids::OFFICE),
        ] {
            let c = ctx.login(lead).await;
            let (_, board) = ctx
                .post("/api/v1/eval/pick_board", json!({"month": month}), Some(&c))
                .await;
            let entry_of = |who: i32| {
                board["candidates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["cadre"]["id"] == who)
                    .unwrap()["entries"][0]["entry"]
                    .as_i64()
                    .unwrap() as i32
            };
            let (s, v) = ctx
                .post(
                    "/api/v1/eval/submit_pick",
                    pick_body(
                        &month,
                        (best, entry_of(best)),
                        (worst, entry_of(worst)),
                        false,
                    ),
                    Some(&c),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{lead} {month}: {v}");
        }
    }
    entries
}

#[tokio::test]
async fn quarter_is_decided_by_both_principals_published_and_appealed() {
    let ctx = Ctx::new().await;
    ctx.set_now("2026-06-02T02:00:00Z");
    let office = ctx.login("office").await;
    // The office narrows the quarterly choice to 1 + 1: a new policy version.
    let (_, hist) = ctx
        .post("/api/v1/policy/current", json!({}), Some(&office))
        .await;
    let mut policy = hist["current"]["policy"].clone();
    policy["quarterly_best"] = json!(1);
    policy["quarterly_worst"] = json!(1);
    let (s, v) = ctx
        .post(
            "/api/v1/policy/update",
            json!({"policy": policy, "note": "试行：季评1+1"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(2)), "{v}");

    let shuji = ctx.login("shuji").await;
    let _ = ctx.login("zhenzhang").await;
    let (s, v) = ctx
        .post(
            "/api/v1/eval/choose",
            json!({"quarter": "2026-Q2", "confirm": true, "best": [], "worst": []}),
            Some(&shuji),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "pool_not_ready"));
    picked_quarter(&ctx).await;
    ctx.set_now("2026-07-03T02:00:00Z");
    let (office, shuji, zz) = (
        ctx.login("office").await,
        ctx.login("shuji").await,
        ctx.login("zhenzhang").await,
    );

    // The pool: best {alice, bob}, worst {chief, office}, each person once with 3 picks.
    let (s, pool) = ctx
        .post(
            "/api/v1/eval/pool",
            json!({"quarter": "2026-Q2"}),
            Some(&shuji),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{pool}");
    assert_eq!(pool["ready"], true);
    assert_eq!(pool["best"].as_array().unwrap().len(), 2);
    assert_eq!(pool["worst"][0]["picks"].as_array().unwrap().len(), 3);
    assert_eq!(pool["want_best"], 1);
    let (s, _) = ctx
        .post(
            "/api/v1/eval/pool",
            json!({}),
            Some(&ctx.login("lead1").await),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Bad choices.
    let before = counts(&ctx).await;
    for (best, worst, want) in [
        (vec![ids::ALICE], vec![ids::ALICE], "not_in_pool"),
        (vec![ids::CHIEF], vec![ids::OFFICE], "not_in_pool"),
        (vec![ids::ALICE, ids::BOB], vec![ids::OFFICE], "wrong_count"),
    ] {
        let (s, v) = ctx
            .post(
                "/api/v1/eval/choose",
                json!({"quarter": "2026-Q2", "confirm": true, "best": best, "worst": worst}),
                Some(&shuji),
            )
            .await;
        assert_eq!(
            (s, reason(&v)),
            (StatusCode::UNPROCESSABLE_ENTITY, want),
            "{v}"
        );
    }
    assert_eq!(counts(&ctx).await, before);

    // Independent preliminary choices: the other's shows only after one's own.
    let (s, v) = ctx
        .post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": false, "best": [ids::ALICE], "worst": [ids::CHIEF], "note": "初步"}), Some(&shuji))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = ctx
        .post(
            "/api/v1/eval/pool",
            json!({"quarter": "2026-Q2"}),
            Some(&zz),
        )
        .await;
    assert_eq!(v["other_choices"].as_array().unwrap().len(), 0);
    let (_, v) = ctx
        .post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::BOB], "worst": [ids::OFFICE]}), Some(&zz))
        .await;
    assert_eq!(v["other_choices"].as_array().unwrap().len(), 1);
    // Different lists cannot both be confirmed.
    let before = counts(&ctx).await;
    let (s, v) = ctx
        .post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::ALICE], "worst": [ids::CHIEF]}), Some(&shuji))
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "confirm_mismatch"));
    assert_eq!(counts(&ctx).await, before);
    let (s, v) = ctx
        .post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::ALICE], "worst": [ids::CHIEF]}), Some(&zz))
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "already_confirmed"));
    // The head withdraws and agrees with the secretary: decided.
    let (s, _) = ctx
        .post(
            "/api/v1/eval/withdraw",
            json!({"quarter": "2026-Q2"}),
            Some(&zz),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for c in [&zz, &shuji] {
        let (s, v) = ctx
            .post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::ALICE], "worst": [ids::CHIEF]}), Some(c))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (_, pool) = ctx
        .post(
            "/api/v1/eval/pool",
            json!({"quarter": "2026-Q2"}),
            Some(&shuji),
        )
        .await;
    let result = pool["result"].clone();
    assert_eq!(
        result["policy_version"], 2,
        "made under the policy in force"
    );
    assert!(result["published_at"].is_null());
    let rid = result["id"].as_i64().unwrap();
    let (s, v) = ctx
        .post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::ALICE], "worst": [ids::CHIEF]}), Some(&zz))
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "already_decided"));

    // Nobody but the deciders learns it is decided, not even from the calendar.
    let alice = ctx.login("alice").await;
    let (_, cal) = ctx
        .post(
            "/api/v1/eval/calendar",
            json!({"month": "2026-06"}),
            Some(&alice),
        )
        .await;
    let step = |cal: &Value| {
        cal["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == "quarter_decision")
            .unwrap()["done"]
            .clone()
    };
    assert_eq!(step(&cal), 0);
    let (_, cal) = ctx
        .post(
            "/api/v1/eval/calendar",
            json!({"month": "2026-06"}),
            Some(&shuji),
        )
        .await;
    assert_eq!(step(&cal), 1);
    // Its months can no longer be picked.
    let (s, v) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            pick_body("2026-06", (ids::ALICE, 1), (ids::CHIEF, 2), true),
            Some(&ctx.login("lead1").await),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "quarter_decided"));

    // Unpublished: only the deciders see it.
    for u in ["alice", "chief", "jiwei", "office", "lead1"] {
        let (s, _) = ctx
            .post(
                "/api/v1/eval/result",
                json!({"id": rid}),
                Some(&ctx.login(u).await),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{u}");
    }
    let (s, v) = ctx
        .post(
            "/api/v1/eval/publish",
            json!({"quarter": "2026-Q2"}),
            Some(&zz),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["revision"], 1);
    let (s, v) = ctx
        .post(
            "/api/v1/eval/publish",
            json!({"quarter": "2026-Q2"}),
            Some(&shuji),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "already_published"));
    let (s, _) = ctx
        .post(
            "/api/v1/eval/result",
            json!({"id": rid}),
            Some(&ctx.login("bob").await),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "a published quarterly result is public");

    // The worst-named cadre appeals.
    let chief = ctx.login("chief").await;
    let (_, mine) = ctx.post("/api/v1/eval/mine", json!({}), Some(&chief)).await;
    let q_naming = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["result_kind"] == "quarterly")
        .unwrap()["naming"]
        .as_i64()
        .unwrap();
    let bob = ctx.login("bob").await;
    let before = counts(&ctx).await;
    let (s, _) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q_naming, "ground": "不服"}),
            Some(&bob),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "someone else's result");
    let (s, v) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q_naming, "ground": " "}),
            Some(&chief),
        )
        .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "reason_required")
    );
    assert_eq!(counts(&ctx).await, before);
    let (s, ap) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q_naming, "ground": "五月下旬在村里抗旱，记录有据"}),
            Some(&chief),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ap}");
    assert_eq!(
        ap["due"], "2026-07-08T15:59:59Z",
        "5 calendar days, end of day"
    );
    let (s, v) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q_naming, "ground": "再申请"}),
            Some(&chief),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "already_appealed"));
    let (_, r) = ctx
        .post("/api/v1/eval/result", json!({"id": rid}), Some(&shuji))
        .await;
    assert_eq!(r["under_appeal"], true);

    // The committee answers: bad answers refused, then a change re-publishes the result.
    let aid = ap["id"].as_i64().unwrap();
    let jiwei = ctx.login("jiwei").await;
    let before = counts(&ctx).await;
    for (body, who, want) in [
        (
            json!({"id": aid, "outcome": "uphold", "answer": ""}),
            &jiwei,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"id": aid, "outcome": "change", "answer": "改定"}),
            &jiwei,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"id": aid, "outcome": "change", "answer": "改定", "replacement": ids::ALICE}),
            &jiwei,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"id": aid, "outcome": "overturn", "answer": "撤销"}),
            &zz,
            StatusCode::FORBIDDEN,
        ),
        (
            json!({"id": 9999, "outcome": "overturn", "answer": "撤销"}),
            &jiwei,
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (s, v) = ctx.post("/api/v1/appeal/answer", body, Some(who)).await;
        assert_eq!(s, want, "{v}");
    }
    assert_eq!(counts(&ctx).await, before);
    let (_, list) = ctx
        .post("/api/v1/appeal/list", json!({}), Some(&jiwei))
        .await;
    assert_eq!(list["open"].as_array().unwrap().len(), 1);
    assert_eq!(list["can_answer"], true);
    let (s, v) = ctx
        .post("/api/v1/appeal/answer", json!({"id": aid, "outcome": "change", "answer": "经核实抗旱属实，改定为测试office", "replacement": ids::OFFICE}), Some(&jiwei))
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("changed")),
        "{v}"
    );
    let (s, v) = ctx
        .post(
            "/api/v1/appeal/answer",
            json!({"id": aid, "outcome": "uphold", "answer": "维持"}),
            Some(&jiwei),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "already_answered"));
    // The public view: current names and reasons, no cited entries, no answer text.
    let (_, public) = ctx
        .post("/api/v1/eval/result", json!({"id": rid}), Some(&bob))
        .await;
    assert_eq!(public["revision"], 2);
    let public_names = public["names"].as_array().unwrap();
    assert!(
        public_names
            .iter()
            .all(|n| n["citations"].as_array().unwrap().is_empty())
    );
    assert!(public_names.iter().all(|n| n["cadre"]["id"] != ids::CHIEF));
    assert!(!public.to_string().contains("经核实抗旱属实"), "{public}");
    let (_, r) = ctx
        .post("/api/v1/eval/result", json!({"id": rid}), Some(&shuji))
        .await;
    assert_eq!(r["revision"], 2);
    assert_eq!(r["under_appeal"], false);
    assert_eq!(r["history"].as_array().unwrap().len(), 2);
    let names = r["names"].as_array().unwrap();
    let chief_row = names
        .iter()
        .find(|n| n["cadre"]["id"] == ids::CHIEF)
        .unwrap();
    assert_eq!(chief_row["removed_in"], 2, "history kept, naming withdrawn");
    let office_row = names
        .iter()
        .find(|n| n["cadre"]["id"] == ids::OFFICE)
        .unwrap();
    assert_eq!(
        (office_row["added_in"].as_i64(), office_row["kind"].as_str()),
        (Some(2), Some("worst"))
    );

    // The replacement may appeal within the window counted from the re-publication.
    let (_, mine) = ctx
        .post("/api/v1/eval/mine", json!({}), Some(&office))
        .await;
    let naming = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["result_kind"] == "quarterly")
        .unwrap()
        .clone();
    assert_eq!(naming["can_appeal"], true);
    ctx.set_now("2026-07-14T02:00:00Z");
    let (s, v) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": naming["naming"], "ground": "太晚了"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::CONFLICT, "appeal_window_closed"),
        "{v}"
    );

    // A later policy change leaves the result's version alone.
    let (s, _) = ctx
        .post(
            "/api/v1/policy/update",
            json!({"policy": hist["current"]["policy"], "note": "恢复默认"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, r) = ctx
        .post("/api/v1/eval/result", json!({"id": rid}), Some(&shuji))
        .await;
    assert_eq!(r["policy_version"], 2);
    let (_, hist) = ctx
        .post("/api/v1/policy/current", json!({}), Some(&bob))
        .await;
    assert_eq!(hist["versions"].as_array().unwrap().len(), 3);
    assert!(matches!(
        server::audit::verify(&ctx.db).await.unwrap(),
        server::audit::Verdict::Intact { .. }
    ));
    ctx.finish().await;
}

#[tokio::test]
async fn policy_changes_are_validated_and_office_only() {
    let ctx = Ctx::new().await;
    let office = ctx.login("office").await;
    let (_, hist) = ctx
        .post("/api/v1/policy/current", json!({}), Some(&office))
        .await;
    let good = hist["current"]["policy"].clone();
    let mut bad = good.clone();
    bad["confirmations_required"] = json!(0);
    let (s, v) = ctx
        .post(
            "/api/v1/policy/update",
            json!({"policy": bad, "note": "x"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("confirmations_required")
        )
    );
    let (s, v) = ctx
        .post(
            "/api/v1/policy/update",
            json!({"policy": good, "note": "x"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "policy_unchanged"));
    let mut changed = good.clone();
    changed["appeal_answer_days"] = json!(7);
    let (s, _) = ctx
        .post(
            "/api/v1/policy/update",
            json!({"policy": changed, "note": ""}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = ctx
        .post(
            "/api/v1/policy/update",
            json!({"policy": changed, "note": "x"}),
            Some(&ctx.login("shuji").await),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, hist) = ctx
        .post("/api/v1/policy/current", json!({}), Some(&office))
        .await;
    assert_eq!(
        hist["versions"].as_array().unwrap().len(),
        1,
        "nothing stored"
    );
    ctx.finish().await;
}

#[tokio::test]
async fn concurrent_picks_and_confirmations_cannot_corrupt_a_result() {
    let ctx = Ctx::new().await;
    let april = submitted_month(&ctx.db, 2026, 4).await;
    ctx.set_now("2026-05-02T02:00:00Z");
    let lead1 = ctx.login("lead1").await;
    let (al, ch) = (april[&ids::ALICE][0], april[&ids::CHIEF][0]);
    let a = pick_body("2026-04", (ids::ALICE, al), (ids::CHIEF, ch), false);
    let b = pick_body("2026-04", (ids::CHIEF, ch), (ids::ALICE, al), false);
    let (r1, r2) = tokio::join!(
        ctx.post("/api/v1/eval/submit_pick", a, Some(&lead1)),
        ctx.post("/api/v1/eval/submit_pick", b, Some(&lead1)),
    );
    let mut statuses = [r1.0, r2.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(eval_result::Entity::find().count(&ctx.db).await.unwrap(), 1);
    assert_eq!(eval_naming::Entity::find().count(&ctx.db).await.unwrap(), 2);

    // Two principals confirming different lists at the same moment: one wins, no result.
    let ctx2 = Ctx::new().await;
    picked_quarter(&ctx2).await;
    ctx2.set_now("2026-07-03T02:00:00Z");
    let shuji = ctx2.login("shuji").await;
    let zz = ctx2.login("zhenzhang").await;
    // With 1 + 1 to choose, the two principals confirm different lists at the same moment:
    // one is stored, the other refused, nothing decided.
    let office = ctx2.login("office").await;
    let (_, hist) = ctx2
        .post("/api/v1/policy/current", json!({}), Some(&office))
        .await;
    let mut narrow = hist["current"]["policy"].clone();
    narrow["quarterly_best"] = json!(1);
    narrow["quarterly_worst"] = json!(1);
    let (s, _) = ctx2
        .post(
            "/api/v1/policy/update",
            json!({"policy": narrow, "note": "1+1"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (r1, r2) = tokio::join!(
        ctx2.post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::ALICE], "worst": [ids::CHIEF]}), Some(&shuji)),
        ctx2.post("/api/v1/eval/choose", json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::BOB], "worst": [ids::OFFICE]}), Some(&zz)),
    );
    let mut statuses = [r1.0, r2.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(
        eval_result::Entity::find().count(&ctx2.db).await.unwrap(),
        6,
        "not decided"
    );
    // Back to 5 + 3; both withdraw and confirm the same lists at the same moment.
    let (s, _) = ctx2
        .post(
            "/api/v1/policy/update",
            json!({"policy": hist["current"]["policy"], "note": "5+3"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for c in [&shuji, &zz] {
        let _ = ctx2
            .post(
                "/api/v1/eval/withdraw",
                json!({"quarter": "2026-Q2"}),
                Some(c),
            )
            .await;
    }
    let c1 = json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::ALICE, ids::BOB], "worst": [ids::CHIEF, ids::OFFICE]});
    let (r1, r2) = tokio::join!(
        ctx2.post("/api/v1/eval/choose", c1.clone(), Some(&shuji)),
        ctx2.post("/api/v1/eval/choose", c1.clone(), Some(&zz)),
    );
    assert_eq!((r1.0, r2.0), (StatusCode::OK, StatusCode::OK));
    assert_eq!(
        eval_result::Entity::find().count(&ctx2.db).await.unwrap(),
        7,
        "6 monthly + 1 quarterly"
    );
    // Deciding again concurrently changes nothing.
    let (r1, r2) = tokio::join!(
        ctx2.post("/api/v1/eval/choose", c1.clone(), Some(&shuji)),
        ctx2.post(
            "/api/v1/eval/publish",
            json!({"quarter": "2026-Q2"}),
            Some(&zz)
        ),
    );
    assert_eq!(r1.0, StatusCode::CONFLICT);
    assert_eq!(r2.0, StatusCode::OK);
    assert!(matches!(
        server::audit::verify(&ctx2.db).await.unwrap(),
        server::audit::Verdict::Intact { .. }
    ));
    ctx.finish().await;
    ctx2.finish().await;
}

#[tokio::test]
async fn calendar_and_reminders_show_what_is_due() {
    let ctx = Ctx::new().await;
    submitted_month(&ctx.db, 2026, 4).await;
    ctx.set_now("2026-05-04T02:00:00Z");
    let chief = ctx.login("chief").await;
    let lead1 = ctx.login("lead1").await;
    let shuji = ctx.login("shuji").await;
    // Opinions are overdue (3 May), picks not yet (5 May).
    let (_, rem) = ctx
        .post("/api/v1/eval/reminders", json!({}), Some(&chief))
        .await;
    let r = rem
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["what"] == "opinions")
        .unwrap();
    assert_eq!(
        (r["count"].as_i64(), r["overdue"].as_bool()),
        (Some(2), Some(true)),
        "{rem}"
    );
    let (_, rem) = ctx
        .post("/api/v1/eval/reminders", json!({}), Some(&lead1))
        .await;
    let r = rem
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["what"] == "pick")
        .unwrap();
    assert_eq!(
        (r["period"].as_str(), r["overdue"].as_bool()),
        (Some("2026-04"), Some(false))
    );
    ctx.set_now("2026-05-06T02:00:00Z");
    let (_, cal) = ctx
        .post(
            "/api/v1/eval/calendar",
            json!({"month": "2026-04"}),
            Some(&shuji),
        )
        .await;
    let step = |name: &str| {
        cal["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(step("sheets")["state"], "done");
    assert_eq!(step("sheets")["total"], 12);
    assert_eq!(step("opinions")["state"], "overdue");
    assert_eq!(step("opinions")["behind"][0]["name"], "测试chief");
    assert_eq!(step("opinions")["behind"][0]["id"], ids::CHIEF);
    assert_eq!(step("picks")["state"], "overdue");
    assert_eq!(
        step("picks")["behind"].as_array().unwrap().len(),
        2,
        "both leaders stand out"
    );
    assert_eq!(step("quarter_decision")["period"], "2026-Q2");
    // A cadre sees the calendar without names.
    let (_, cal) = ctx
        .post(
            "/api/v1/eval/calendar",
            json!({"month": "2026-04"}),
            Some(&ctx.login("alice").await),
        )
        .await;
    assert!(
        cal["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["behind"].as_array().unwrap().is_empty())
    );
    let (s, _) = ctx
        .post(
            "/api/v1/eval/calendar",
            json!({"month": "april"}),
            Some(&shuji),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // An unanswered appeal past its due time stands out to the committee and principals.
    let _ = submitted_sheet;
    ctx.finish().await;
}
