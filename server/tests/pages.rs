//! Server-rendered pages, the no-JavaScript forms, the OpenAPI document and health.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{Ctx, ids};
use http::{StatusCode, header};
use serde_json::json;

#[tokio::test]
async fn openapi_documents_exactly_the_registered_server_functions() {
    let ctx = Ctx::new().await;
    let (s, _, body) = ctx.get("/api/v1/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let documented: BTreeSet<String> = paths
        .iter()
        .filter(|(_, item)| item.get("post").is_some())
        .map(|(k, _)| k.clone())
        .collect();
    let registered: BTreeSet<String> = server::registered_api_paths().into_iter().collect();
    assert_eq!(documented, registered);
    // The two file downloads are documented as GETs.
    let gets: BTreeSet<&str> = paths
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        gets,
        BTreeSet::from([
            server::openapi::LEDGER_EXPORT,
            server::openapi::NOTICE_DOWNLOAD
        ])
    );
    // Every $ref points at a schema that exists.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in body.split("\"$ref\":\"").skip(1) {
        let target = &r[..r.find('"').unwrap()];
        let name = target.trim_start_matches("#/components/schemas/");
        assert!(schemas.contains_key(name), "dangling $ref {target}");
    }
    ctx.finish().await;
}

#[tokio::test]
async fn health_answers_ok() {
    let ctx = Ctx::new().await;
    let (s, _, body) = ctx.get("/healthz", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("ok"));
    ctx.finish().await;
}

#[tokio::test]
async fn pages_need_a_session_and_render_in_chinese_by_default() {
    let ctx = Ctx::new().await;
    let (s, h, body) = ctx.get("/", None).await;
    assert!(s.is_redirection(), "{s} {h:?} {body}");
    assert_eq!(h.get(header::LOCATION).unwrap(), "/login");
    let (s, _, html) = ctx.get("/login", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<html lang=\"zh-CN\""));
    assert!(html.contains("登录"));
    let (_, _, html) = ctx.get("/login", Some("xn_lang=en")).await;
    assert!(html.contains("Sign in"));
    ctx.finish().await;
}

#[tokio::test]
async fn the_today_form_works_without_javascript() {
    let ctx = Ctx::new().await;
    // Sign in through the plain form.
    let (s, h) = ctx
        .post_form(
            "/login",
            &[("username", "alice"), ("password", common::PASSWORD)],
            None,
        )
        .await;
    assert!(s.is_redirection());
    let cookie = h
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (s, _, html) = ctx.get("/", Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("今日"));
    let client_id = html
        .split("name=\"client_id\"")
        .nth(1)
        .unwrap()
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let form = [
        ("client_id", client_id.as_str()),
        ("day", "2026-04-15"),
        ("work", "无脚本填写"),
        ("outcome", "已保存"),
        ("place", "office"),
        ("village_id", ""),
        ("place_note", ""),
    ];
    let (s, h) = ctx.post_form("/today", &form, Some(&cookie)).await;
    assert!(s.is_redirection());
    assert!(
        h.get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("saved=1")
    );
    // The same form posted again (a double tap) does not duplicate.
    let (s, _) = ctx.post_form("/today", &form, Some(&cookie)).await;
    assert!(s.is_redirection());
    let (_, t) = ctx
        .post("/api/v1/record/today", json!({}), Some(&cookie))
        .await;
    assert_eq!(t["entry"]["work"], "无脚本填写");
    assert_eq!(t["sheet"]["days_written"], 1);
    // An error keeps the typed text.
    let bad = [
        ("client_id", "nojs-bad-0001"),
        ("day", "2026-04-15"),
        ("work", "写了一半"),
        ("outcome", ""),
        ("place", "office"),
    ];
    let (_, h) = ctx.post_form("/today", &bad, Some(&cookie)).await;
    let loc = h
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        loc.contains("error=empty") && loc.contains("field=outcome"),
        "{loc}"
    );
    let (_, _, html) = ctx.get(&loc, Some(&cookie)).await;
    assert!(html.contains("写了一半"));
    assert!(html.contains("不能为空"));
    ctx.finish().await;
}

#[tokio::test]
async fn the_inbox_page_lists_the_leaders_cadres() {
    let ctx = Ctx::new().await;
    let lead1 = ctx.login("lead1").await;
    let (s, _, html) = ctx.get("/inbox?period=2026-04-2", Some(&lead1)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("测试alice") && html.contains("测试chief"));
    assert!(!html.contains("测试bob"));
    let alice = ctx.login("alice").await;
    let (s, _, _) = ctx.get("/inbox", Some(&alice)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    ctx.finish().await;
}

#[tokio::test]
async fn the_demo_township_has_the_promised_shape() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = server::db::connect_and_migrate("sqlite::memory:")
        .await
        .unwrap();
    let now = common::at("2026-11-27T04:00:00Z");
    let s = server::demo::seed(&db, 2026, now, &app::domain::Policy::default())
        .await
        .unwrap();
    assert_eq!(s.cadres, 92);
    assert!(s.entries > 10_000, "{s:?}");
    let villages = server::entities::village::Entity::find()
        .count(&db)
        .await
        .unwrap();
    assert_eq!(villages, 24);
    // Deterministic: the same seed and date give the same first entries.
    let db2 = server::db::connect_and_migrate("sqlite::memory:")
        .await
        .unwrap();
    server::demo::seed(&db2, 2026, now, &app::domain::Policy::default())
        .await
        .unwrap();
    let a = server::entities::day_entry::Entity::find_by_id(1234)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let b = server::entities::day_entry::Entity::find_by_id(1234)
        .one(&db2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.work, a.outcome), (b.work, b.outcome));
    // A second seed is refused.
    assert!(
        server::demo::seed(&db, 2026, now, &app::domain::Policy::default())
            .await
            .is_err()
    );
    // Evaluations: April–October picked by all 8 leaders, Q2 and Q3 published, two appeals.
    use server::entities::{appeal, area_opinion, eval_naming, eval_result};
    let results = eval_result::Entity::find().all(&db).await.unwrap();
    let monthly = results.iter().filter(|r| r.kind == "monthly").count();
    let quarterly: Vec<_> = results.iter().filter(|r| r.kind == "quarterly").collect();
    assert_eq!((monthly, quarterly.len()), (7 * 8, 2));
    assert!(quarterly.iter().all(|r| r.published_at.is_some()));
    assert!(area_opinion::Entity::find().count(&db).await.unwrap() > 7 * 70);
    let appeals = appeal::Entity::find().all(&db).await.unwrap();
    let mut states: Vec<&str> = appeals.iter().map(|a| a.status.as_str()).collect();
    states.sort();
    assert_eq!(states, ["open", "upheld"]);
    // Every quarterly name comes from the quarter's monthly picks of the same kind.
    let names = eval_naming::Entity::find().all(&db).await.unwrap();
    for q in &quarterly {
        let months = [(q.period - 1) * 3 + 1, (q.period - 1) * 3 + 2, q.period * 3];
        for n in names.iter().filter(|n| n.result_id == q.id) {
            assert!(names.iter().any(|m| m.cadre_id == n.cadre_id
                && m.kind == n.kind
                && results.iter().any(|r| r.id == m.result_id
                    && r.kind == "monthly"
                    && months.contains(&r.period))));
        }
    }
    // Same seed, same picks.
    let names2 = eval_naming::Entity::find().all(&db2).await.unwrap();
    assert_eq!(
        names
            .iter()
            .map(|n| (n.cadre_id, &n.kind))
            .collect::<Vec<_>>(),
        names2
            .iter()
            .map(|n| (n.cadre_id, &n.kind))
            .collect::<Vec<_>>()
    );
    // At the end-to-end date (3 July) April and May are picked, June is still to do.
    let db3 = server::db::connect_and_migrate("sqlite::memory:")
        .await
        .unwrap();
    server::demo::seed(
        &db3,
        2026,
        common::at("2026-07-03T02:00:00Z"),
        &app::domain::Policy::default(),
    )
    .await
    .unwrap();
    let r3 = eval_result::Entity::find().all(&db3).await.unwrap();
    assert_eq!(r3.len(), 16);
    assert_eq!(appeal::Entity::find().count(&db3).await.unwrap(), 2);
}

#[tokio::test]
async fn the_admin_page_lists_accounts_areas_and_departments_for_the_office_only() {
    let ctx = Ctx::new().await;
    let office = ctx.login("office").await;
    let (s, _, html) = ctx.get("/admin", Some(&office)).await;
    assert_eq!(s, StatusCode::OK);
    for needle in [
        "党政办管理",
        "测试alice",
        "东片",
        "河口村",
        "农业农村办",
        "分管关系",
    ] {
        assert!(
            html.contains(needle),
            "{needle} missing from the admin page"
        );
    }
    let alice = ctx.login("alice").await;
    let (s, _, html) = ctx.get("/admin", Some(&alice)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(!html.contains("测试bob"));
    ctx.finish().await;
}

#[tokio::test]
async fn a_sheet_marks_days_written_after_the_fact() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    // Written on the 15th about the 12th: shown as 补记.
    assert_eq!(
        ctx.save(&alice, "2026-04-12", "补写的一天").await.0,
        StatusCode::OK
    );
    assert_eq!(
        ctx.save(&alice, "2026-04-15", "当天写的").await.0,
        StatusCode::OK
    );
    let (_, t) = ctx
        .post("/api/v1/record/today", json!({}), Some(&alice))
        .await;
    let id = t["sheet"]["id"].as_i64().unwrap();
    let (s, _, html) = ctx.get(&format!("/sheets/{id}"), Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        html.matches("补记于").count(),
        1,
        "only the 12th was written later"
    );
    ctx.finish().await;
}

#[tokio::test]
async fn the_evaluation_pages_render_for_the_right_people() {
    let ctx = Ctx::new().await;
    let april = common::submitted_month(&ctx.db, 2026, 4).await;
    ctx.set_now("2026-05-02T02:00:00Z");
    let lead1 = ctx.login("lead1").await;
    // Before the pick, the leader's home screen reminds them of it.
    let (s, _, html) = ctx.get("/", Some(&lead1)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("2026年4月月评"), "{html}");
    let (s, _, html) = ctx.get("/eval/pick?month=2026-04", Some(&lead1)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("提交月评") && html.contains("测试alice"));
    let (s, v) = ctx
        .post(
            "/api/v1/eval/submit_pick",
            serde_json::json!({"input": {"month": "2026-04",
                "best": [{"cadre": ids::ALICE, "reason": "好样的", "citations": [april[&ids::ALICE][0]]}],
                "worst": [{"cadre": ids::CHIEF, "reason": "需加强", "citations": [april[&ids::CHIEF][0]]}]}}),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rid = v["id"].as_i64().unwrap();
    let (_, _, html) = ctx.get("/eval/pick?month=2026-04", Some(&lead1)).await;
    assert!(html.contains("将于 2026-05-05 23:59 公布") && !html.contains("提交月评"));
    let chief = ctx.login("chief").await;
    let alice = ctx.login("alice").await;
    let shuji = ctx.login("shuji").await;
    let office = ctx.login("office").await;
    for (path, who, status, needle) in [
        ("/eval", &alice, StatusCode::OK, "记录表上交"),
        (
            "/eval/opinions?month=2026-04",
            &chief,
            StatusCode::OK,
            "保存意见",
        ),
        ("/eval/opinions", &alice, StatusCode::FORBIDDEN, "没有权限"),
        (
            "/eval/quarter?quarter=2026-Q2",
            &shuji,
            StatusCode::OK,
            "季度再评",
        ),
        ("/eval/quarter", &alice, StatusCode::FORBIDDEN, "没有权限"),
        ("/eval/appeals", &shuji, StatusCode::OK, "复评"),
        (
            "/eval/mine",
            &alice,
            StatusCode::OK,
            "还没有涉及您的评定结果",
        ),
        ("/eval/policy", &office, StatusCode::OK, "保存为新版本"),
        ("/eval/policy", &alice, StatusCode::OK, "考评政策"),
        (
            &format!("/eval/results/{rid}"),
            &shuji,
            StatusCode::OK,
            "需加强",
        ),
        (
            &format!("/eval/results/{rid}"),
            &alice,
            StatusCode::NOT_FOUND,
            "没有找到",
        ),
        (
            "/eval/results/999",
            &shuji,
            StatusCode::NOT_FOUND,
            "没有找到",
        ),
    ] {
        let (s, _, html) = ctx.get(path, Some(who)).await;
        assert_eq!(s, status, "{path}");
        assert!(html.contains(needle), "{path}: {needle}");
    }
    // The policy form is the office's only.
    let (_, _, html) = ctx.get("/eval/policy", Some(&alice)).await;
    assert!(!html.contains("保存为新版本"));
    ctx.finish().await;
}
