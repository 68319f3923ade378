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
    // No tuples (positional arrays) anywhere: every compound value is a named object.
    assert!(!body.contains("\"prefixItems\""), "a tuple is documented");
    // It is valid OpenAPI 3.1, by a real validator (`openapi-spec-validator` from PyPI; the
    // test command installs it).
    let file = std::env::temp_dir().join(format!("xn-openapi-{}.json", std::process::id()));
    std::fs::write(&file, &body).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))",
        ])
        .arg(&file)
        .output()
        .expect("python3 (with `pip install openapi-spec-validator`) runs the validator");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "the OpenAPI document is not valid 3.1:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every error kind documents its message, and every reason code the server's code can
    // send is listed.
    let variants = schemas["AppError"]["oneOf"].as_array().unwrap();
    let listed: BTreeSet<String> = variants
        .iter()
        .filter(|v| {
            matches!(
                v["properties"]["error"]["const"].as_str(),
                Some("invalid" | "conflict")
            )
        })
        .flat_map(|v| {
            v["properties"]["reason"]["enum"]
                .as_array()
                .unwrap()
                .clone()
        })
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    for v in variants {
        assert!(v["properties"]["message"].is_object(), "{v}");
    }
    let sent = reason_literals();
    assert!(sent.len() > 40, "{sent:?}");
    let unlisted: Vec<&String> = sent.iter().filter(|r| !listed.contains(*r)).collect();
    assert!(
        unlisted.is_empty(),
        "reason codes not in the error schema: {unlisted:?}"
    );
    ctx.finish().await;
}

/// The reason codes written in the sources: the last string literal of every
/// `AppError::invalid(…)` / `AppError::conflict(…)` call, and every `reason: "…"`.
fn reason_literals() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = BTreeSet::new();
    let mut stack = vec![root.join("app/src"), root.join("server/src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".rs") || name == "tests.rs" || name.ends_with("_tests.rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            for pat in ["::invalid(", "::conflict(", "reason: \""] {
                for (i, _) in src.match_indices(pat) {
                    let rest = &src[i + pat.len()..];
                    let code = if pat.starts_with("reason") {
                        rest.split('"').next()
                    } else {
                        // Up to the closing parenthesis: its last literal is the reason.
                        rest.split(')')
                            .next()
                            .filter(|args| args.trim_end().ends_with('"'))
                            .and_then(|args| args.rsplit('"').nth(1))
                    };
                    if let Some(c) = code.filter(|c| {
                        !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')
                    }) {
                        out.insert(c.to_string());
                    }
                }
            }
        }
    }
    out
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
    // An error shows the page again at once (422) with the typed text and the message; the
    // text never goes into a redirect URL.
    let bad = [
        ("client_id", "nojs-bad-0001"),
        ("day", "2026-04-15"),
        ("work", "写了一半"),
        ("outcome", ""),
        ("place", "office"),
    ];
    let (s, h, html) = ctx.post_form_body("/today", &bad, Some(&cookie)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(h.get(header::LOCATION).is_none());
    assert!(html.contains("写了一半"));
    assert!(
        html.contains("成效: 不能为空"),
        "the message names the field"
    );
    // Over-long text: refused the same way, with no giant Location header.
    let long = "长".repeat(300);
    let bad = [
        ("client_id", "nojs-bad-0002"),
        ("day", "2026-04-15"),
        ("work", long.as_str()),
        ("outcome", "x"),
        ("place", "office"),
    ];
    let (s, h, html) = ctx.post_form_body("/today", &bad, Some(&cookie)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(h.get(header::LOCATION).is_none());
    assert!(html.contains(&long));
    // A reason code in the query string shows its message; anything else shows nothing.
    let (_, _, html) = ctx.get("/?error=empty&field=work", Some(&cookie)).await;
    assert!(html.contains("工作: 不能为空"));
    let (_, _, html) = ctx
        .get(
            "/?error=%3Cb%3Eboom%3C%2Fb%3E&work=reflected-text",
            Some(&cookie),
        )
        .await;
    assert!(!html.contains("boom") && !html.contains("reflected-text"));
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
    let s = server::demo::seed(&db, 2026, now, &app::policy::Policy::default())
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
    server::demo::seed(&db2, 2026, now, &app::policy::Policy::default())
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
        server::demo::seed(&db, 2026, now, &app::policy::Policy::default())
            .await
            .is_err()
    );
    // Evaluations: April–October picked by all 8 leaders, Q2 and Q3 published, two appeals.
    use server::entities::{appeal, area_opinion, eval_naming, eval_result};
    let results = eval_result::Entity::find().all(&db).await.unwrap();
    let monthly = results.iter().filter(|r| r.kind == "monthly").count();
    let quarterly: Vec<_> = results.iter().filter(|r| r.kind == "quarterly").collect();
    // Q1 entered from the paper record, Q2 and Q3 decided in the system.
    assert_eq!((monthly, quarterly.len()), (7 * 8, 3));
    assert!(quarterly.iter().all(|r| r.published_at.is_some()));
    assert!(area_opinion::Entity::find().count(&db).await.unwrap() > 7 * 70);
    let appeals = appeal::Entity::find().all(&db).await.unwrap();
    let mut states: Vec<&str> = appeals.iter().map(|a| a.status.as_str()).collect();
    states.sort();
    assert_eq!(states, ["open", "upheld"]);
    // Every quarterly name comes from the quarter's monthly picks of the same kind.
    let names = eval_naming::Entity::find().all(&db).await.unwrap();
    for q in quarterly.iter().filter(|q| q.period != 1) {
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
    // Rewards: outcomes with a consecutive-worst cadre (Q1–Q3), pending outcomes on the open
    // appeal, rectifications closed and open, published notices, the year's bases, closed
    // quarters, and an intact audit chain.
    use server::entities::{bonus_base, case, ledger_closure, notice, outcome};
    let outs = outcome::Entity::find().all(&db).await.unwrap();
    assert!(outs.iter().any(|o| o.kind == "public_criticism"
        && o.status == "active"
        && o.quarter == "2026-Q3"
        && o.basis.contains("2026-Q1")));
    assert!(outs.iter().any(|o| o.status == "pending"));
    let cases = case::Entity::find().all(&db).await.unwrap();
    assert!(
        cases
            .iter()
            .any(|c| c.kind == "rectification" && c.state == "met")
    );
    assert!(
        cases
            .iter()
            .any(|c| c.kind == "rectification" && c.state == "open")
    );
    assert!(cases.iter().any(|c| c.kind == "talk" && c.state == "done"));
    let notices = notice::Entity::find().all(&db).await.unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.kind == "criticism" && n.status == "published")
    );
    assert!(
        notices
            .iter()
            .filter(|n| n.kind == "commendation" && n.status == "published")
            .count()
            >= 3
    );
    assert_eq!(bonus_base::Entity::find().count(&db).await.unwrap(), 92 * 5);
    let closed: Vec<String> = ledger_closure::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.period)
        .collect();
    assert_eq!(closed, ["2026-Q1", "2026-Q2", "2026-Q3"]);
    assert!(matches!(
        server::audit::verify(&db).await.unwrap(),
        server::audit::Verdict::Intact { .. }
    ));

    // At the end-to-end date (3 July) April and May are picked, June is still to do.
    let db3 = server::db::connect_and_migrate("sqlite::memory:")
        .await
        .unwrap();
    server::demo::seed(
        &db3,
        2026,
        common::at("2026-07-03T02:00:00Z"),
        &app::policy::Policy::default(),
    )
    .await
    .unwrap();
    let r3 = eval_result::Entity::find().all(&db3).await.unwrap();
    assert_eq!(r3.len(), 17);
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

#[tokio::test]
async fn the_rewards_pages_render_for_the_right_people() {
    use sea_orm::EntityTrait;
    let ctx = Ctx::new().await;
    let (q2, _) = common::published(
        &ctx,
        2026,
        2,
        &[ids::ALICE],
        &[ids::CHIEF],
        "2026-07-10T02:00:00Z",
    )
    .await;
    ctx.set_now("2026-07-12T02:00:00Z");
    let office = ctx.login("office").await;
    let (s, _) = ctx
        .post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, n) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation"}),
            Some(&office),
        )
        .await;
    let notice = n["id"].as_i64().unwrap();
    ctx.post(
        "/api/v1/ledger/set_base",
        json!({"cadre": ids::ALICE, "period": "2026-Q2", "amount": "3000"}),
        Some(&office),
    )
    .await;
    let case_id = server::entities::case::Entity::find()
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (shuji, alice, chief, bob) = (
        ctx.login("shuji").await,
        ctx.login("alice").await,
        ctx.login("chief").await,
        ctx.login("bob").await,
    );
    let case_path = format!("/cases/{case_id}");
    let notice_path = format!("/notices/{notice}");
    for (path, who, status, needle) in [
        ("/rewards", &shuji, StatusCode::OK, "通报表扬"),
        ("/rewards", &office, StatusCode::OK, "重新核对奖惩"),
        ("/rewards", &alice, StatusCode::FORBIDDEN, ""),
        ("/rewards/mine", &chief, StatusCode::OK, "谈话"),
        ("/rewards/mine", &alice, StatusCode::OK, "奖金上浮"),
        (case_path.as_str(), &shuji, StatusCode::OK, "保存谈话记录"),
        (case_path.as_str(), &chief, StatusCode::OK, "测试chief"),
        (case_path.as_str(), &bob, StatusCode::NOT_FOUND, ""),
        (notice_path.as_str(), &office, StatusCode::OK, "正式发布"),
        (notice_path.as_str(), &alice, StatusCode::NOT_FOUND, ""),
        (
            "/ledger?period=2026-Q2",
            &office,
            StatusCode::OK,
            "¥3,600.00",
        ),
        (
            "/ledger?period=2026-Q2",
            &shuji,
            StatusCode::OK,
            "¥3,600.00",
        ),
        ("/ledger", &alice, StatusCode::FORBIDDEN, ""),
    ] {
        let (s, _, html) = ctx.get(path, Some(who)).await;
        assert_eq!(s, status, "{path}: {html}");
        assert!(
            html.contains(needle),
            "{needle} missing from {path}: {html}"
        );
    }
    // The principal has no talk form for the cadre's own view; the cadre cannot export.
    let (_, _, html) = ctx.get(&case_path, Some(&chief)).await;
    assert!(!html.contains("保存谈话记录"));
    let (_, _, html) = ctx.get("/ledger?period=2026-Q2", Some(&shuji)).await;
    assert!(!html.contains("导出 Excel") && !html.contains("结算本期"));
    let (_, _, html) = ctx.get("/ledger?period=2026-Q2", Some(&office)).await;
    assert!(html.contains("导出 Excel") && html.contains("结算本期"));
    // Published: the formal layout with its number, readable by everyone.
    ctx.post(
        "/api/v1/notices/publish",
        json!({"id": notice}),
        Some(&office),
    )
    .await;
    let (s, _, html) = ctx.get(&notice_path, Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("notice-doc") && html.contains("镇效通〔2026〕1号"));
    assert!(!html.contains("正式发布"));
    ctx.finish().await;
}

/// A page resolves the session once, however many server functions it calls (Today calls
/// the guard, today, villages and the reminders).
#[tokio::test]
async fn a_page_looks_up_the_session_once() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    for path in ["/", "/sheets", "/eval/mine"] {
        let before = ctx.service.session_lookups();
        let (s, _, _) = ctx.get(path, Some(&alice)).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert_eq!(ctx.service.session_lookups() - before, 1, "{path}");
    }
    ctx.finish().await;
}

/// The installable app: the service worker names this build's files and the offline page,
/// may fetch from this site only and is always revalidated; every page links the manifest
/// and the script that registers the worker; signed-in pages name their person (the worker
/// keeps pages per person), others do not; the offline page needs no session.
#[tokio::test]
async fn the_service_worker_the_manifest_and_the_offline_page() {
    let ctx = Ctx::new().await;
    let (s, h, js) = ctx.get("/sw.js", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(h[header::CACHE_CONTROL], "no-cache");
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("default-src 'self'")
    );
    for f in [
        "\"/pkg/xiaoneng",
        ".wasm\"",
        "\"/offline\"",
        "\"/icon-192.png\"",
        "const BUILD = \"",
    ] {
        assert!(js.contains(f), "{f} missing from the worker");
    }

    let (s, h, html) = ctx.get("/offline", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("现在没有网络") && html.contains("回到今日"));
    assert!(h.get("x-xn-person").is_none());
    let (_, _, html) = ctx.get("/offline", Some("xn_lang=en")).await;
    assert!(html.contains("No connection"));

    let (_, h, html) = ctx.get("/login", None).await;
    assert!(h.get("x-xn-person").is_none());
    for link in [
        "rel=\"manifest\" href=\"/manifest.webmanifest\"",
        "src=\"/xn.js\"",
    ] {
        assert!(html.contains(link), "{link}");
    }
    let alice = ctx.login("alice").await;
    let (s, h, html) = ctx.get("/", Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["x-xn-person"], common::ids::ALICE.to_string().as_str());
    // The banner a kept page shows offline is there, hidden, with the mark the worker fills.
    let banner = html.split("id=\"xn-offline\"").nth(1).unwrap();
    let banner = banner.split("</p>").next().unwrap();
    assert!(
        banner.contains("hidden") && banner.contains("__XN_KEPT_AT__"),
        "{banner}"
    );
    ctx.finish().await;
}
