//! Integration tests through the HTTP router. They run on SQLite in memory, and on
//! PostgreSQL when `XN_TEST_PG` is set (the test command runs both).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Ctx, ids};
use http::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn sign_in_sets_an_http_only_session_and_wrong_passwords_slow_down() {
    let ctx = Ctx::new().await;
    let (status, me, cookie) = ctx
        .post_raw(
            "/api/v1/auth/sign_in",
            json!({"username": "alice", "password": common::PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "alice");
    let cookie = cookie.unwrap();
    let (s, me) = ctx.post("/api/v1/auth/me", json!({}), Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["name"], "测试alice");

    // The Set-Cookie header carries HttpOnly and SameSite=Lax.
    let res = ctx
        .send_bytes(
            "/api/v1/auth/sign_in",
            "application/json",
            json!({"username": "bob", "password": common::PASSWORD})
                .to_string()
                .into_bytes(),
            None,
        )
        .await;
    assert!(res.2.is_some());

    // Wrong password: 422 with a Chinese message; after five failures: 429.
    for i in 0..5 {
        let (s, e) = ctx
            .post(
                "/api/v1/auth/sign_in",
                json!({"username": "bob", "password": "nope"}),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
        assert_eq!(e["reason"], "bad_credentials");
        assert!(e["message"].as_str().unwrap().contains("用户名或密码不对"));
    }
    let (s, e) = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "bob", "password": common::PASSWORD}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}");
    // Later the right password works again.
    ctx.set_now("2026-04-15T02:10:00Z");
    let (s, _) = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "bob", "password": common::PASSWORD}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Sign-out ends the session.
    let (s, _) = ctx
        .post("/api/v1/auth/sign_out", json!({}), Some(&cookie))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, me) = ctx.post("/api/v1/auth/me", json!({}), Some(&cookie)).await;
    assert_eq!((s, me), (StatusCode::OK, Value::Null));
    ctx.finish().await;
}

#[tokio::test]
async fn the_sheet_life_cycle_from_today_to_review_and_return() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let lead1 = ctx.login("lead1").await;

    // Today, twice with the same client id: one entry.
    let body = json!({"input": {"client_id": "today-0001", "day": "2026-04-15", "work": "走访河口村低保户", "outcome": "核实3户", "place": "village", "village_id": 1}});
    let (s, first) = ctx
        .post("/api/v1/record/save_entry", body.clone(), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let (s, again) = ctx
        .post("/api/v1/record/save_entry", body, Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["village"], "河口村");

    // An earlier day of the open dekad, and the previous dekad, may be filled in later.
    assert_eq!(
        ctx.save(&alice, "2026-04-12", "整理材料").await.0,
        StatusCode::OK
    );
    assert_eq!(
        ctx.save(&alice, "2026-04-09", "上旬补记").await.0,
        StatusCode::OK
    );
    // Future days and closed dekads may not.
    let (s, e) = ctx.save(&alice, "2026-04-16", "明天").await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("future_day"))
    );
    let (s, e) = ctx.save(&alice, "2026-03-25", "太早").await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("day_closed"))
    );

    let (s, today) = ctx
        .post("/api/v1/record/today", json!({}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(today["sheet"]["days_written"], 2);
    let sheet_id = today["sheet"]["id"].as_i64().unwrap();

    // Submit; the sheet is locked.
    let (s, v) = ctx
        .post(
            "/api/v1/record/submit",
            json!({"id": sheet_id}),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["summary"]["state"], "submitted");
    let (s, e) = ctx
        .post(
            "/api/v1/record/submit",
            json!({"id": sheet_id}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::CONFLICT, Some("already_submitted"))
    );
    let (s, e) = ctx.save(&alice, "2026-04-14", "提交后").await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::CONFLICT, Some("sheet_locked"))
    );

    // The leader's inbox for that dekad shows it unread.
    let (s, inbox) = ctx
        .post(
            "/api/v1/review/inbox",
            json!({"period": "2026-04-2"}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let rows = inbox["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "alice and chief: {inbox}");
    assert_eq!(rows[0]["sheet"]["cadre"]["name"], "测试alice");
    assert_eq!(rows[0]["sheet"]["state"], "submitted");

    // Returning needs a reason; with one, the sheet reopens.
    let (s, e) = ctx
        .post(
            "/api/v1/review/return",
            json!({"id": sheet_id, "reason": "  "}),
            Some(&lead1),
        )
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required"))
    );
    let (s, v) = ctx
        .post(
            "/api/v1/review/return",
            json!({"id": sheet_id, "reason": "12日成效不具体"}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["summary"]["state"], "returned");

    // The cadre fixes a day and resubmits; the leader reviews with a comment.
    assert_eq!(
        ctx.save(&alice, "2026-04-12", "整理材料，形成报告").await.0,
        StatusCode::OK
    );
    let (s, _) = ctx
        .post(
            "/api/v1/record/submit",
            json!({"id": sheet_id}),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = ctx
        .post(
            "/api/v1/review/mark_reviewed",
            json!({"id": sheet_id, "comment": "很好"}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["summary"]["state"], "reviewed");
    assert_eq!(v["review_comment"], "很好");
    let kinds: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["submitted", "returned", "submitted", "reviewed"]);
    let (s, e) = ctx
        .post(
            "/api/v1/review/mark_reviewed",
            json!({"id": sheet_id}),
            Some(&lead1),
        )
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::CONFLICT, Some("already_reviewed"))
    );
    ctx.finish().await;
}

#[tokio::test]
async fn a_sheet_submitted_after_its_due_time_is_late_not_refused() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    assert_eq!(
        ctx.save(&alice, "2026-04-09", "上旬").await.0,
        StatusCode::OK
    );
    let (_, v) = ctx
        .post(
            "/api/v1/record/my_sheet",
            json!({"period": "2026-04-1"}),
            Some(&alice),
        )
        .await;
    let id = v["summary"]["id"].as_i64().unwrap();
    // Due 2026-04-11 23:59:59 Shanghai; it is the 15th.
    assert_eq!(v["summary"]["state"], "overdue");
    let (s, v) = ctx
        .post("/api/v1/record/submit", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["summary"]["state"], "late");
    assert_eq!(v["summary"]["late"], true);
    // Late is a fact of the sheet: it stays once the sheet is read.
    let lead1 = ctx.login("lead1").await;
    let (s, v) = ctx
        .post(
            "/api/v1/review/mark_reviewed",
            json!({"id": id}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["summary"]["state"], "reviewed");
    assert_eq!(v["summary"]["late"], true);
    assert!(v["summary"]["first_submitted_at"].is_string());
    ctx.finish().await;
}

#[tokio::test]
async fn the_archive_finds_sheets_by_person_text_and_period_for_the_office_only() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let bob = ctx.login("bob").await;
    assert_eq!(
        ctx.save(&alice, "2026-04-13", "防汛巡查桥头村").await.0,
        StatusCode::OK
    );
    assert_eq!(
        ctx.save(&bob, "2026-04-13", "财务报账").await.0,
        StatusCode::OK
    );
    for c in [&alice, &bob] {
        let (_, t) = ctx
            .post(
                "/api/v1/record/today",
                json!({"day": "2026-04-13"}),
                Some(c),
            )
            .await;
        let (s, _) = ctx
            .post(
                "/api/v1/record/submit",
                json!({"id": t["sheet"]["id"]}),
                Some(c),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let office = ctx.login("office").await;
    let search = |q: Value| {
        let ctx = &ctx;
        let office = office.clone();
        async move {
            ctx.post("/api/v1/archive/search", json!({"query": q}), Some(&office))
                .await
        }
    };
    let (s, all) = search(json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(all["total"], 2);
    let (_, by_text) = search(json!({"text": "防汛"})).await;
    assert_eq!(by_text["total"], 1);
    assert_eq!(by_text["hits"][0]["sheet"]["cadre"]["name"], "测试alice");
    assert!(
        by_text["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("防汛")
    );
    let (_, by_person) = search(json!({"person": "bob"})).await;
    assert_eq!(by_person["total"], 1);
    let (_, by_period) = search(json!({"from": "2026-05-01"})).await;
    assert_eq!(by_period["total"], 0);
    let (_, by_dept) = search(json!({"department_id": 2})).await;
    assert_eq!(by_dept["total"], 1, "bob is in department 2: {by_dept}");

    // The print view renders the paper layout for the office.
    let id = all["hits"][0]["sheet"]["id"].as_i64().unwrap();
    let (s, _, html) = ctx.get(&format!("/sheets/{id}/print"), Some(&office)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("求真务实记录表"));

    let (s, _) = ctx
        .post("/api/v1/archive/search", json!({"query": {}}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    ctx.finish().await;
}

#[tokio::test]
async fn the_audit_chain_records_changes_and_detects_tampering() {
    use sea_orm::ConnectionTrait;
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    assert_eq!(
        ctx.save(&alice, "2026-04-15", "学习").await.0,
        StatusCode::OK
    );
    let _ = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "alice", "password": "bad"}),
            None,
        )
        .await;
    let v = server::audit::verify(&ctx.db).await.unwrap();
    let server::audit::Verdict::Intact { rows } = v else {
        panic!("{v:?}")
    };
    assert!(
        rows >= 4,
        "sign-in, sheet created, entry saved, failed sign-in: {rows}"
    );
    let actions: Vec<String> = {
        use sea_orm::{EntityTrait, QueryOrder};
        server::entities::audit_log::Entity::find()
            .order_by_asc(server::entities::audit_log::Column::Id)
            .all(&ctx.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.action)
            .collect()
    };
    assert_eq!(
        actions,
        [
            "auth.signed_in",
            "sheet.created",
            "entry.saved",
            "auth.sign_in_failed"
        ]
    );

    ctx.db
        .execute_unprepared("UPDATE audit_log SET action = 'entry.deleted' WHERE id = 3")
        .await
        .unwrap();
    assert_eq!(
        server::audit::verify(&ctx.db).await.unwrap(),
        server::audit::Verdict::Broken {
            id: 3,
            reason: "hash does not match the row's contents"
        }
    );
    ctx.finish().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let long = "字".repeat(201);
    let cases = [
        (
            json!({"input": {"client_id": "bad-00001", "day": "2026-04-15", "work": "", "outcome": "x", "place": "office"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
        ),
        (
            json!({"input": {"client_id": "bad-00002", "day": "2026-04-15", "work": long, "outcome": "x", "place": "office"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_long",
        ),
        (
            json!({"input": {"client_id": "bad-00003", "day": "2026-04-15", "work": "x", "outcome": "x", "place": "village", "village_id": 99}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_village",
        ),
        (
            json!({"input": {"client_id": "bad-00004", "day": "2026-04-15", "work": "x", "outcome": "x", "place": "moon"}}),
            StatusCode::BAD_REQUEST,
            "wrong_value",
        ),
        (
            json!({"input": {"client_id": "bad-00005", "day": "2026-02-30", "work": "x", "outcome": "x", "place": "office"}}),
            StatusCode::BAD_REQUEST,
            "wrong_value",
        ),
    ];
    for (body, status, reason) in cases {
        let (s, e) = ctx
            .post("/api/v1/record/save_entry", body.clone(), Some(&alice))
            .await;
        assert_eq!(s, status, "{body} -> {e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        if !reason.is_empty() {
            assert_eq!(e["reason"], reason);
        }
    }
    // Malformed JSON and an oversized body.
    let (s, e, _) = ctx
        .send_bytes(
            "/api/v1/record/save_entry",
            "application/json",
            b"{not json".to_vec(),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(
        (e["error"].as_str(), e["reason"].as_str()),
        (Some("malformed"), Some("syntax"))
    );
    assert_eq!(e["message"], "请求内容有误：不是有效的 JSON。");
    let big = vec![b'a'; 300 * 1024];
    let (s, _, _) = ctx
        .send_bytes(
            "/api/v1/record/save_entry",
            "application/json",
            big,
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // Unknown ids and endpoints.
    let (s, _) = ctx
        .post("/api/v1/record/sheet", json!({"id": 9999}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = ctx
        .post("/api/v1/record/nothing_here", json!({}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // English when the language cookie says so.
    let both = format!("{alice}; xn_lang=en");
    let (_, e) = ctx.save(&both, "2026-04-16", "x").await;
    assert_eq!(e["message"], "Day: Future days cannot be written.");

    // Nothing was stored by any of it.
    let (_, t) = ctx
        .post("/api/v1/record/today", json!({}), Some(&alice))
        .await;
    assert_eq!(t["entry"], Value::Null);
    assert_eq!(t["sheet"]["days_written"], 0);
    ctx.finish().await;
}

#[tokio::test]
async fn the_office_manages_accounts_and_imports_csv_all_or_nothing() {
    let ctx = Ctx::new().await;
    let office = ctx.login("office").await;
    let new = json!({"account": {"username": "zhao6", "name": "赵六", "title": "科员", "department": "党政办", "roles": ["cadre"], "supervisor_username": "lead1", "password": "zhao6pass"}});
    let (s, a) = ctx
        .post("/api/v1/accounts/create", new.clone(), Some(&office))
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["supervisor"]["name"], "测试lead1");
    assert_eq!(a["supervisor"]["id"], ids::LEAD1);
    let (s, e) = ctx
        .post("/api/v1/accounts/create", new, Some(&office))
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("duplicate_username"))
    );
    let id = a["id"].as_i64().unwrap();
    let (s, _) = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "zhao6", "password": "zhao6pass"}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Deactivated accounts cannot sign in; they are not deleted.
    let (s, a) = ctx
        .post(
            "/api/v1/accounts/set_active",
            json!({"id": id, "active": false}),
            Some(&office),
        )
        .await;
    assert_eq!((s, a["active"].as_bool()), (StatusCode::OK, Some(false)));
    let (s, _) = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "zhao6", "password": "zhao6pass"}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, list) = ctx
        .post("/api/v1/accounts/list", json!({}), Some(&office))
        .await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|a| a["username"] == "zhao6")
    );
    // Reset password.
    let (s, _) = ctx
        .post(
            "/api/v1/accounts/set_active",
            json!({"id": id, "active": true}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = ctx
        .post(
            "/api/v1/accounts/reset_password",
            json!({"id": id, "password": "short"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = ctx
        .post(
            "/api/v1/accounts/reset_password",
            json!({"id": id, "password": "newpass123"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "zhao6", "password": "newpass123"}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // A CSV with a bad row stores nothing and reports the row.
    let bad = "username,name,title,department,roles,supervisor,password\nqian7,钱七,科员,党政办,cadre,lead1,qian7pass\nsun8,孙八,科员,不存在办,cadre,,sun8pass\n";
    let (s, e) = ctx
        .post(
            "/api/v1/accounts/import",
            json!({"csv": bad}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["line"], 3);
    assert_eq!(e["errors"][0]["reason"], "unknown_department");
    let (_, list) = ctx
        .post("/api/v1/accounts/list", json!({}), Some(&office))
        .await;
    assert!(
        !list
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["username"] == "qian7")
    );
    // The corrected file imports, with a supervisor from the same file.
    let good = "username,name,title,department,roles,supervisor,password\nqian7,钱七,科员,党政办,cadre,lead9,qian7pass\nlead9,李九,副镇长,党政办,cadre|supervisor,,lead9pass\n";
    let (s, r) = ctx
        .post(
            "/api/v1/accounts/import",
            json!({"csv": good}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["created"], 2);
    let (_, list) = ctx
        .post("/api/v1/accounts/list", json!({}), Some(&office))
        .await;
    let qian = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "qian7")
        .unwrap()
        .clone();
    assert_eq!(qian["supervisor"]["name"], "李九");

    // Departments.
    let (s, d) = ctx
        .post(
            "/api/v1/org/create_department",
            json!({"name": "应急办"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = ctx
        .post(
            "/api/v1/org/create_department",
            json!({"name": "应急办"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, d) = ctx
        .post(
            "/api/v1/org/rename_department",
            json!({"id": d["id"], "name": "应急管理办"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, d["name"].as_str()),
        (StatusCode::OK, Some("应急管理办"))
    );

    // Areas and villages.
    let (s, a) = ctx
        .post(
            "/api/v1/org/create_area",
            json!({"name": "西片"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, a) = ctx
        .post(
            "/api/v1/org/create_village",
            json!({"area": a["id"], "name": "柳林村"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, a["villages"][0]["name"].as_str()),
        (StatusCode::OK, Some("柳林村"))
    );
    let (s, _) = ctx
        .post(
            "/api/v1/org/create_village",
            json!({"area": a["id"], "name": "柳林村"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, a) = ctx
        .post(
            "/api/v1/org/set_area_chief",
            json!({"area": a["id"], "chief": ids::BOB}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, a["chief"]["name"].as_str()),
        (StatusCode::OK, Some("测试bob"))
    );
    let bob = ctx.login("bob").await;
    let (_, me) = ctx.post("/api/v1/auth/me", json!({}), Some(&bob)).await;
    assert!(
        me["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "area_chief"),
        "{me}"
    );
    let (_, areas) = ctx.post("/api/v1/org/areas", json!({}), Some(&bob)).await;
    assert_eq!(areas.as_array().unwrap().len(), 2);

    // Supervision history: alice moves from lead1 to lead2 on 1 May; April stays lead1's.
    let (s, a) = ctx
        .post(
            "/api/v1/accounts/assign_supervisor",
            json!({"cadre": ids::ALICE, "supervisor": ids::LEAD2, "from": "2026-05-01"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let lead1 = ctx.login("lead1").await;
    let (_, inbox) = ctx
        .post(
            "/api/v1/review/inbox",
            json!({"period": "2026-04-2"}),
            Some(&lead1),
        )
        .await;
    assert!(
        inbox["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["sheet"]["cadre"]["name"] == "测试alice")
    );
    let (_, inbox) = ctx
        .post(
            "/api/v1/review/inbox",
            json!({"period": "2026-05-1"}),
            Some(&lead1),
        )
        .await;
    assert!(
        !inbox["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["sheet"]["cadre"]["name"] == "测试alice")
    );
    ctx.finish().await;
}

#[tokio::test]
async fn change_password_needs_the_old_one() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let (s, e) = ctx
        .post(
            "/api/v1/auth/change_password",
            json!({"old_password": "wrong", "new_password": "newsecret1"}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_password"))
    );
    let (s, _) = ctx
        .post(
            "/api/v1/auth/change_password",
            json!({"old_password": common::PASSWORD, "new_password": "newsecret1"}),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "alice", "password": "newsecret1"}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    ctx.finish().await;
}

#[tokio::test]
async fn concurrent_saves_with_one_client_id_store_one_entry() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let body = json!({"input": {"client_id": "same-id-0001", "day": "2026-04-15", "work": "并发", "outcome": "一次", "place": "office"}});
    let futs = (0..8).map(|_| ctx.post("/api/v1/record/save_entry", body.clone(), Some(&alice)));
    let results = futures_join(futs).await;
    let ids: std::collections::HashSet<String> = results
        .iter()
        .map(|(s, v)| {
            assert_eq!(*s, StatusCode::OK, "{v}");
            v["id"].to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    // Concurrent submits: exactly one wins.
    let (_, t) = ctx
        .post("/api/v1/record/today", json!({}), Some(&alice))
        .await;
    let sid = t["sheet"]["id"].clone();
    let subs = futures_join(
        (0..4).map(|_| ctx.post("/api/v1/record/submit", json!({"id": sid}), Some(&alice))),
    )
    .await;
    assert_eq!(subs.iter().filter(|(s, _)| *s == StatusCode::OK).count(), 1);
    assert_eq!(
        subs.iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .count(),
        3
    );
    ctx.finish().await;
}

/// A stored value that does not decode is a server error (500, logged with its table and
/// row), never a plausible default: a corrupt sheet state must not read as "draft" and
/// reopen a submitted sheet, a corrupt place must not read as "office".
#[tokio::test]
async fn a_corrupt_stored_value_is_a_500_not_plausible_data() {
    use sea_orm::ConnectionTrait;
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    assert_eq!(
        ctx.save(&alice, "2026-04-15", "学习").await.0,
        StatusCode::OK
    );
    let (s, today) = ctx
        .post("/api/v1/record/today", json!({}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    let sheet_id = today["sheet"]["id"].as_i64().unwrap();
    async fn sheet(ctx: &Ctx, cookie: &str, id: i64) -> (StatusCode, Value) {
        ctx.post("/api/v1/record/sheet", json!({ "id": id }), Some(cookie))
            .await
    }
    assert_eq!(sheet(&ctx, &alice, sheet_id).await.0, StatusCode::OK);

    ctx.db
        .execute_unprepared(&format!(
            "UPDATE sheets SET status = 'reopened' WHERE id = {sheet_id}"
        ))
        .await
        .unwrap();
    let (s, e) = sheet(&ctx, &alice, sheet_id).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{e}");
    assert!(e.get("days").is_none(), "no sheet data: {e}");
    let (s, _, html) = ctx.get(&format!("/sheets/{sheet_id}"), Some(&alice)).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!html.contains("学习"), "the page shows no entries");
    // Saving into the sheet is refused too: nothing is written on top of a corrupt row.
    assert_eq!(
        ctx.save(&alice, "2026-04-14", "补记").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    ctx.db
        .execute_unprepared(&format!(
            "UPDATE sheets SET status = 'draft' WHERE id = {sheet_id}"
        ))
        .await
        .unwrap();
    assert_eq!(sheet(&ctx, &alice, sheet_id).await.0, StatusCode::OK);
    ctx.db
        .execute_unprepared("UPDATE day_entries SET place = 'moon'")
        .await
        .unwrap();
    let (s, e) = sheet(&ctx, &alice, sheet_id).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{e}");
    ctx.finish().await;
}

async fn futures_join<F: std::future::Future>(futs: impl Iterator<Item = F>) -> Vec<F::Output> {
    futures::future::join_all(futs).await
}

/// What was handed in stays readable: a return and a resubmission keep both versions, with
/// who returned the first, when and why, what changed, and the sheet's facts (first hand-in,
/// latest, review). The archive finds text of either version and says which; the print view
/// prints the current lines and notes the earlier version.
#[tokio::test]
async fn a_returned_and_resubmitted_sheet_keeps_every_version_readable_and_searchable() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let lead1 = ctx.login("lead1").await;
    assert_eq!(
        ctx.save(&alice, "2026-04-12", "整理旧稿材料").await.0,
        StatusCode::OK
    );
    assert_eq!(
        ctx.save(&alice, "2026-04-13", "走访桥头村").await.0,
        StatusCode::OK
    );
    let (_, today) = ctx
        .post("/api/v1/record/today", json!({}), Some(&alice))
        .await;
    let id = today["sheet"]["id"].as_i64().unwrap();
    ctx.set_now("2026-04-15T09:00:00Z");
    let (s, v) = ctx
        .post("/api/v1/record/submit", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    ctx.set_now("2026-04-15T10:00:00Z");
    let (s, _) = ctx
        .post(
            "/api/v1/review/return",
            json!({"id": id, "reason": "12日成效不具体"}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    ctx.set_now("2026-04-15T11:00:00Z");
    assert_eq!(
        ctx.save(&alice, "2026-04-12", "整理材料，形成报告").await.0,
        StatusCode::OK
    );
    ctx.set_now("2026-04-15T12:00:00Z");
    let (s, _) = ctx
        .post("/api/v1/record/submit", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    ctx.set_now("2026-04-15T13:00:00Z");
    let (s, v) = ctx
        .post(
            "/api/v1/review/mark_reviewed",
            json!({"id": id}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The sheet as its owner, the leader and the office read it.
    let office = ctx.login("office").await;
    for who in [&alice, &lead1, &office] {
        let (s, v) = ctx
            .post("/api/v1/record/sheet", json!({"id": id}), Some(who))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let sum = &v["summary"];
        assert_eq!(sum["first_submitted_at"], "2026-04-15T09:00:00Z", "{v}");
        assert_eq!(sum["submitted_at"], "2026-04-15T12:00:00Z");
        assert_eq!(sum["reviewed_at"], "2026-04-15T13:00:00Z");
        assert_eq!(sum["late"], false);
        assert_eq!(sum["cadre"]["name"], "测试alice");
        assert!(sum["cadre"]["id"].is_i64());
        let versions = v["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2, "{v}");
        let (v1, v2) = (&versions[0], &versions[1]);
        assert_eq!(
            (v1["number"].as_i64(), v2["number"].as_i64()),
            (Some(1), Some(2))
        );
        assert_eq!(v1["submitted_at"], "2026-04-15T09:00:00Z");
        assert_eq!(v1["entries"][0]["day"], "2026-04-12");
        assert_eq!(v1["entries"][0]["work"], "整理旧稿材料");
        assert_eq!(v1["returned"]["by"]["name"], "测试lead1");
        assert_eq!(v1["returned"]["at"], "2026-04-15T10:00:00Z");
        assert_eq!(v1["returned"]["reason"], "12日成效不具体");
        assert!(v1["reviewed_at"].is_null());
        assert_eq!(v2["entries"][0]["work"], "整理材料，形成报告");
        assert_eq!(
            v2["changes"],
            json!([{"day": "2026-04-12", "kind": "changed", "fields": ["work"]}])
        );
        assert!(v2["returned"].is_null());
        assert_eq!(v2["reviewed_at"], "2026-04-15T13:00:00Z");
        assert_eq!(v["history"][1]["actor"]["name"], "测试lead1");
    }
    // Someone else's cadre sees none of it.
    let bob = ctx.login("bob").await;
    let (s, _) = ctx
        .post("/api/v1/record/sheet", json!({"id": id}), Some(&bob))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The archive finds the first version's words, and says so.
    let search = |text: &'static str| {
        let (ctx, office) = (&ctx, office.clone());
        async move {
            let (s, v) = ctx
                .post(
                    "/api/v1/archive/search",
                    json!({"query": {"text": text}}),
                    Some(&office),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v
        }
    };
    let old = search("旧稿").await;
    assert_eq!(old["total"], 1, "{old}");
    assert_eq!(old["hits"][0]["versions"], json!([1]));
    assert_eq!(old["hits"][0]["snippet"], "整理旧稿材料");
    let new = search("形成报告").await;
    assert_eq!(new["hits"][0]["versions"], json!([2]), "{new}");
    let both = search("走访桥头").await;
    assert_eq!(both["hits"][0]["versions"], json!([1, 2]), "{both}");

    // The sheet page shows both versions; the print view the current lines and a note.
    let (s, _, html) = ctx.get(&format!("/sheets/{id}"), Some(&office)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("第 1 次提交") && html.contains("整理旧稿材料"),
        "{html}"
    );
    assert!(html.contains("12日成效不具体"));
    let (s, _, html) = ctx.get(&format!("/sheets/{id}/print"), Some(&office)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("整理材料，形成报告"));
    assert!(
        !html.contains("整理旧稿材料"),
        "the print view prints the current version"
    );
    assert!(html.contains("本表共提交 2 次"));
    ctx.finish().await;
}

/// The protocol an outside client relies on: the field path of a body that does not fit,
/// `Accept-Language` without a language cookie, an empty body for a function without
/// arguments, millisecond timestamps and a reused client id refused with its own reason.
#[tokio::test]
async fn the_api_names_bad_fields_speaks_the_accepted_language_and_refuses_reused_client_ids() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    // Field paths and reasons.
    let cases = [
        (
            json!({"input": {"client_id": "f-000001", "day": "2026-02-30", "work": "x", "outcome": "x", "place": "office"}}),
            "input.day",
            "wrong_value",
        ),
        (
            json!({"input": {"client_id": "f-000002", "day": "2026-04-15", "work": 5, "outcome": "x", "place": "office"}}),
            "input.work",
            "wrong_type",
        ),
        (
            json!({"input": {"client_id": "f-000003", "day": "2026-04-15", "outcome": "x", "place": "office"}}),
            "input.work",
            "missing",
        ),
        (json!({}), "input", "missing"),
    ];
    for (body, field, reason) in cases {
        let (s, e) = ctx
            .post("/api/v1/record/save_entry", body.clone(), Some(&alice))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body} -> {e}");
        assert_eq!(
            (e["field"].as_str(), e["reason"].as_str()),
            (Some(field), Some(reason)),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains(field), "{e}");
    }
    // A day outside the calendar's years (found by the API fuzzer) is refused, not turned
    // into a period no schema allows.
    let (s, e) = ctx
        .post(
            "/api/v1/record/today",
            json!({"day": "0090-11-13"}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("out_of_range")),
        "{e}"
    );
    // Accept-Language counts when there is no language cookie; the cookie wins.
    let bad = json!({"input": {"client_id": "f-000004", "day": "2026-04-16", "work": "x", "outcome": "x", "place": "office"}});
    let call = |lang: &'static str, cookie: String| {
        let body = bad.to_string();
        http::Request::post("/api/v1/record/save_entry")
            .header("content-type", "application/json")
            .header("sec-fetch-site", "same-origin")
            .header("accept-language", lang)
            .header("cookie", cookie)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let (s, _, text) = ctx
        .send(call("en-US,en;q=0.9,zh;q=0.5", alice.clone()))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["message"], "Day: Future days cannot be written.");
    let (_, _, text) = ctx
        .send(call("en", format!("{alice}; xn_lang=zh-CN")))
        .await;
    let e: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(e["message"], "日期: 不能填写未来的日子。");
    // A function without arguments takes an empty body, with or without a type; a
    // non-empty body still needs one.
    for ty in [None, Some("application/json")] {
        let mut req = http::Request::post("/api/v1/auth/me")
            .header("sec-fetch-site", "same-origin")
            .header("cookie", alice.clone());
        if let Some(t) = ty {
            req = req.header("content-type", t);
        }
        let (s, _, text) = ctx.send(req.body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{ty:?}: {text}");
        let me: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(me["username"], "alice");
    }
    let req = http::Request::post("/api/v1/auth/me")
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    assert_eq!(ctx.send(req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // A reused client id: the same content is a repeat, other content a 409. (The clock
    // has sub-millisecond digits here: what is stored and sent has three.)
    ctx.set_now("2026-04-15T02:00:00.123456Z");
    let body = |work: &str| json!({"input": {"client_id": "reuse-0001", "day": "2026-04-15", "work": work, "outcome": "核实3户", "place": "office"}});
    let (s, first) = ctx
        .post("/api/v1/record/save_entry", body("走访"), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let (s, again) = ctx
        .post("/api/v1/record/save_entry", body("走访"), Some(&alice))
        .await;
    assert_eq!((s, &again["id"]), (StatusCode::OK, &first["id"]));
    let (s, e) = ctx
        .post("/api/v1/record/save_entry", body("改写了"), Some(&alice))
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::CONFLICT, Some("client_id_reused")),
        "{e}"
    );
    let (_, t) = ctx
        .post("/api/v1/record/today", json!({}), Some(&alice))
        .await;
    assert_eq!(t["entry"]["work"], "走访");

    // Timestamps: RFC 3339 with at most three fractional digits.
    assert_eq!(first["written_at"], "2026-04-15T02:00:00.123Z");
    assert_eq!(t["entry"]["written_at"], "2026-04-15T02:00:00.123Z");
    ctx.finish().await;
}
