//! The permission matrix: every server function × every role, each asked about a record
//! outside that role's scope, must be refused (401/403/404/409/422) and never answer with
//! data. A server function missing from the matrix fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{Ctx, USERS, ids};
use http::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

/// Paths every signed-in person may call on their own data (no foreign record to ask for).
const OWN_DATA: [&str; 15] = [
    "/api/v1/auth/sign_out",
    "/api/v1/auth/me",
    "/api/v1/auth/change_password",
    "/api/v1/record/today",
    "/api/v1/record/my_sheets",
    "/api/v1/record/my_sheet",
    "/api/v1/org/departments",
    "/api/v1/org/villages",
    "/api/v1/org/areas",
    "/api/v1/policy/current",
    "/api/v1/eval/mine",
    "/api/v1/eval/calendar",
    "/api/v1/eval/reminders",
    "/api/v1/appeal/list",
    "/api/v1/rewards/mine",
];

#[tokio::test]
async fn every_role_is_refused_every_record_outside_its_scope() {
    let ctx = Ctx::new().await;
    // Bob (lead2's cadre) writes and submits a sheet; it is outside everyone's scope but
    // bob's, lead2's and the office/principals/committee.
    let bob = ctx.login("bob").await;
    assert_eq!(
        ctx.save(&bob, "2026-04-15", "私密记录").await.0,
        StatusCode::OK
    );
    let (_, t) = ctx
        .post("/api/v1/record/today", json!({}), Some(&bob))
        .await;
    let bob_sheet = t["sheet"]["id"].as_i64().unwrap();
    let (s, _) = ctx
        .post(
            "/api/v1/record/submit",
            json!({"id": bob_sheet}),
            Some(&bob),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // April's records, lead2's pick naming bob (reason holds the secret), bob's appeal.
    let april = common::submitted_month(&ctx.db, 2026, 3).await;
    ctx.set_now("2026-04-06T02:00:00Z");
    let lead2 = ctx.login("lead2").await;
    let (s, pick) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            json!({"input": {"month": "2026-03",
                "best": [{"cadre": ids::BOB, "reason": "私密记录", "citations": [april[&ids::BOB][0]]}],
                "worst": [{"cadre": ids::OFFICE, "reason": "私密记录", "citations": [april[&ids::OFFICE][0]]}]}}),
            Some(&lead2),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{pick}");
    let result_id = pick["id"].as_i64().unwrap();
    let bob_naming = pick["names"][0]["id"].as_i64().unwrap();
    let office_naming = pick["names"][1]["id"].as_i64().unwrap();
    let office = ctx.login("office").await;
    let (s, appeal) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": office_naming, "ground": "私密记录"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{appeal}");
    let appeal_id = appeal["id"].as_i64().unwrap();
    let (_, hist) = ctx
        .post("/api/v1/policy/current", json!({}), Some(&office))
        .await;
    let mut policy = hist["current"]["policy"].clone();
    policy["appeal_answer_days"] = json!(6);

    // A published quarterly result naming bob worst (reason holds the secret): his cases,
    // a draft notice, a base bonus.
    let (q1, _) = common::published(
        &ctx,
        2026,
        1,
        &[ids::OFFICE],
        &[ids::BOB],
        "2026-04-06T01:00:00Z",
    )
    .await;
    server::entities::eval_naming::Entity::update_many()
        .col_expr(
            server::entities::eval_naming::Column::Reason,
            sea_orm::sea_query::Expr::value("私密记录"),
        )
        .exec(&ctx.db)
        .await
        .unwrap();
    let (s, v) = ctx
        .post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    assert_eq!(
        (s, v["cases_opened"].as_i64()),
        (StatusCode::OK, Some(3)),
        "{v}"
    );
    let bob_case = server::entities::case::Entity::find()
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, draft) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q1, "kind": "commendation"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{draft}");
    let (s, _) = ctx
        .post(
            "/api/v1/ledger/set_base",
            json!({"cadre": ids::BOB, "period": "2026-Q1", "amount": "1000"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // (path, body, roles allowed to succeed on this record)
    let matrix: Vec<(&str, Value, &[&str])> = vec![
        (
            "/api/v1/record/sheet",
            json!({"id": bob_sheet}),
            &["bob", "lead2", "office", "shuji", "jiwei", "zhenzhang"],
        ),
        ("/api/v1/record/submit", json!({"id": bob_sheet}), &[]),
        (
            "/api/v1/record/save_entry",
            json!({"input": {"client_id": "foreign-0001", "day": "2026-04-15", "work": "x", "outcome": "y", "place": "office"}}),
            &["*"],
        ),
        (
            "/api/v1/review/mark_reviewed",
            json!({"id": bob_sheet}),
            &["lead2"],
        ),
        (
            "/api/v1/review/return",
            json!({"id": bob_sheet, "reason": "r"}),
            &["lead2"],
        ),
        (
            "/api/v1/review/inbox",
            json!({"period": "2026-04-2"}),
            &["lead1", "lead2"],
        ),
        (
            "/api/v1/archive/search",
            json!({"query": {}}),
            &["office", "shuji", "jiwei", "zhenzhang"],
        ),
        ("/api/v1/accounts/list", json!({}), &["office"]),
        (
            "/api/v1/accounts/create",
            json!({"account": {"username": "mallory", "name": "M", "department": "党政办", "roles": ["cadre"], "password": "mallory123"}}),
            &["office"],
        ),
        (
            "/api/v1/accounts/set_active",
            json!({"id": ids::BOB, "active": true}),
            &["office"],
        ),
        (
            "/api/v1/accounts/reset_password",
            json!({"id": ids::BOB, "password": "password123"}),
            &["office"],
        ),
        (
            "/api/v1/accounts/assign_supervisor",
            json!({"cadre": ids::BOB, "supervisor": ids::LEAD2, "from": "2026-03-02"}),
            &["office"],
        ),
        (
            "/api/v1/accounts/import",
            json!({"csv": "username,name,title,department,roles,supervisor,password\n"}),
            &["office"],
        ),
        (
            "/api/v1/org/create_area",
            json!({"name": "新片"}),
            &["office"],
        ),
        (
            "/api/v1/org/create_village",
            json!({"area": 1, "name": "新村"}),
            &["office"],
        ),
        (
            "/api/v1/org/set_area_chief",
            json!({"area": 1, "chief": ids::CHIEF}),
            &["office"],
        ),
        (
            "/api/v1/org/create_department",
            json!({"name": "新部门"}),
            &["office"],
        ),
        (
            "/api/v1/org/rename_department",
            json!({"id": 1, "name": "党政办"}),
            &["office"],
        ),
        (
            "/api/v1/eval/result",
            json!({"id": result_id}),
            &["lead2", "office", "shuji", "jiwei", "zhenzhang", "bob"],
        ),
        (
            "/api/v1/eval/submit_pick",
            json!({"input": {"month": "2026-03", "best": [{"cadre": ids::BOB, "reason": "r", "citations": [april[&ids::BOB][0]]}], "worst": []}}),
            &[],
        ),
        (
            "/api/v1/eval/pick_board",
            json!({"month": "2026-04"}),
            &["lead1", "lead2"],
        ),
        (
            "/api/v1/eval/opinions",
            json!({"month": "2026-04"}),
            &["chief"],
        ),
        (
            "/api/v1/eval/save_opinion",
            json!({"month": "2026-04", "cadre": ids::BOB, "text": "意见"}),
            &["chief"],
        ),
        (
            "/api/v1/eval/pool",
            json!({"quarter": "2026-Q2"}),
            &["shuji", "zhenzhang"],
        ),
        (
            "/api/v1/eval/choose",
            json!({"quarter": "2026-Q2", "confirm": true, "best": [ids::BOB], "worst": [ids::OFFICE]}),
            &[],
        ),
        ("/api/v1/eval/withdraw", json!({"quarter": "2026-Q2"}), &[]),
        ("/api/v1/eval/publish", json!({"quarter": "2026-Q2"}), &[]),
        (
            "/api/v1/appeal/file",
            json!({"naming": bob_naming, "ground": "不服"}),
            &["bob"],
        ),
        (
            "/api/v1/appeal/answer",
            json!({"id": appeal_id, "outcome": "uphold", "answer": "维持"}),
            &["shuji", "jiwei"],
        ),
        (
            "/api/v1/policy/update",
            json!({"policy": policy, "note": "改"}),
            &["office"],
        ),
        ("/api/v1/eval/published", json!({}), &["*"]),
        ("/api/v1/notices/list", json!({}), &["*"]),
        (
            "/api/v1/tokens/create",
            json!({"name": "对接", "account": ids::LEAD1, "role": "supervisor", "expires_on": "2026-05-01"}),
            &["office"],
        ),
        ("/api/v1/tokens/list", json!({}), &["office"]),
        ("/api/v1/tokens/revoke", json!({"id": 9999}), &["office"]),
        (
            "/api/v1/rewards/board",
            json!({}),
            &["office", "shuji", "jiwei", "zhenzhang"],
        ),
        (
            "/api/v1/rewards/recompute",
            json!({}),
            &["office", "shuji", "zhenzhang"],
        ),
        (
            "/api/v1/cases/get",
            json!({"id": bob_case}),
            &["office", "shuji", "jiwei", "zhenzhang", "bob"],
        ),
        (
            "/api/v1/cases/note",
            json!({"case": bob_case, "kind": "follow_up", "body": "跟进"}),
            &["shuji", "zhenzhang"],
        ),
        (
            "/api/v1/cases/assign",
            json!({"case": bob_case, "owner": ids::ZHENZHANG}),
            &["shuji", "zhenzhang"],
        ),
        (
            "/api/v1/notices/get",
            json!({"id": draft["id"]}),
            &["office", "shuji", "zhenzhang"],
        ),
        (
            "/api/v1/notices/draft",
            json!({"result": q1, "kind": "commendation"}),
            &["office", "shuji", "zhenzhang"],
        ),
        (
            "/api/v1/notices/update",
            json!({"id": draft["id"], "title": "t", "preamble": "p", "issuer": "i"}),
            &["office", "shuji", "zhenzhang"],
        ),
        (
            "/api/v1/notices/publish",
            json!({"id": draft["id"]}),
            &["office", "shuji", "zhenzhang"],
        ),
        (
            "/api/v1/ledger/get",
            json!({"period": "2026-Q1"}),
            &["office", "shuji", "zhenzhang"],
        ),
        (
            "/api/v1/ledger/set_base",
            json!({"cadre": ids::BOB, "period": "2026-Q1", "amount": "1"}),
            &["office"],
        ),
        (
            "/api/v1/ledger/import",
            json!({"csv": "username,period,amount\nbob,2026-Q1,1\n"}),
            &["office"],
        ),
        (
            "/api/v1/ledger/close",
            json!({"period": "2026-Q1"}),
            &["office"],
        ),
        (
            "/api/v1/auth/sign_in",
            json!({"username": "bob", "password": "guess"}),
            &[],
        ),
    ];

    // Every registered server function is either in the matrix or own-data only.
    let registered: BTreeSet<String> = server::registered_api_paths().into_iter().collect();
    let covered: BTreeSet<String> = matrix
        .iter()
        .map(|m| m.0.to_string())
        .chain(OWN_DATA.iter().map(|p| p.to_string()))
        .collect();
    assert_eq!(
        registered, covered,
        "the permission matrix must name every server function"
    );

    let mut cookies = Vec::new();
    for (u, _) in USERS {
        cookies.push((u, ctx.login(u).await));
    }
    // Each role against each foreign record: refused, and no data in the answer.
    for (path, body, allowed) in &matrix {
        // Unauthenticated: always refused (sign-in checks the password instead).
        let (s, v) = ctx.post(path, body.clone(), None).await;
        assert!(
            s.is_client_error(),
            "{path} without a session answered {s}: {v}"
        );
        for (user, cookie) in &cookies {
            if allowed.contains(user) || allowed.contains(&"*") {
                continue;
            }
            let (s, v) = ctx.post(path, body.clone(), Some(cookie)).await;
            assert!(
                matches!(
                    s,
                    StatusCode::UNAUTHORIZED
                        | StatusCode::FORBIDDEN
                        | StatusCode::NOT_FOUND
                        | StatusCode::CONFLICT
                        | StatusCode::UNPROCESSABLE_ENTITY
                        | StatusCode::TOO_MANY_REQUESTS
                ),
                "{user} on {path} answered {s}: {v}"
            );
            assert!(v.get("error").is_some(), "{user} on {path} got data: {v}");
            assert!(
                !v.to_string().contains("私密记录"),
                "{user} on {path} saw bob's record"
            );
        }
    }
    // Own-data endpoints refuse the unauthenticated (auth/me answers null).
    for path in OWN_DATA {
        let (s, v) = ctx.post(path, json!({"day": null, "period": "2026-04-2", "old_password": "a", "new_password": "b"}), None).await;
        if path == "/api/v1/auth/me" {
            assert_eq!((s, v), (StatusCode::OK, Value::Null));
        } else {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}: {v}");
        }
    }
    // Appeals and namings of others never show in one's own lists.
    for (user, cookie) in &cookies {
        for path in [
            "/api/v1/appeal/list",
            "/api/v1/eval/mine",
            "/api/v1/eval/reminders",
            "/api/v1/rewards/mine",
        ] {
            let (s, v) = ctx.post(path, json!({}), Some(cookie)).await;
            assert_eq!(s, StatusCode::OK, "{user} {path}");
            // The office is named in the monthly pick; bob in both results.
            let entitled = ["office", "shuji", "jiwei", "zhenzhang", "bob"].contains(user);
            if !entitled {
                assert!(!v.to_string().contains("私密记录"), "{user} on {path}: {v}");
            }
        }
    }
    // A cadre's own sheet list never contains someone else's sheet.
    let (_, alice) = (
        0,
        cookies.iter().find(|c| c.0 == "alice").unwrap().1.clone(),
    );
    let (_, mine) = ctx
        .post("/api/v1/record/my_sheets", json!({}), Some(&alice))
        .await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|s| s["cadre"]["name"] == "测试alice")
    );
    ctx.finish().await;
}
