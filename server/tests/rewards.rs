//! The three rewards and penalties through the HTTP API, on SQLite and PostgreSQL: outcomes
//! from published results (pending while an appeal is open, withdrawn when it is overturned,
//! idempotent), the consecutive-worst rule, cases, notices, and the bonus ledger with its
//! exports (the XLSX read back) and late corrections of closed periods.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::{Ctx, ids, published};
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use server::entities::{audit_log, bonus_base, case, case_note, ledger_closure, notice, outcome};

fn reason(v: &Value) -> &str {
    v["reason"].as_str().unwrap_or("")
}

async fn outcomes_of(ctx: &Ctx, cadre: i32) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = outcome::Entity::find()
        .filter(outcome::Column::CadreId.eq(cadre))
        .all(&ctx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.quarter, o.kind, o.status))
        .collect();
    v.sort();
    v
}

async fn audit_count(ctx: &Ctx) -> u64 {
    audit_log::Entity::find().count(&ctx.db).await.unwrap()
}

async fn audit_actions(ctx: &Ctx, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(&ctx.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn outcomes_follow_results_wait_for_appeals_and_withdraw_when_overturned() {
    let ctx = Ctx::new().await;
    // The chief is worst three quarters running, across nothing else; alice best twice.
    published(
        &ctx,
        2026,
        1,
        &[ids::ALICE],
        &[ids::CHIEF],
        "2026-04-10T02:00:00Z",
    )
    .await;
    published(
        &ctx,
        2026,
        2,
        &[ids::ALICE],
        &[ids::CHIEF],
        "2026-07-10T02:00:00Z",
    )
    .await;
    let (q3, q3_names) = published(
        &ctx,
        2026,
        3,
        &[ids::BOB],
        &[ids::CHIEF],
        "2026-10-10T02:00:00Z",
    )
    .await;
    ctx.set_now("2026-10-12T02:00:00Z");
    let office = ctx.login("office").await;
    let shuji = ctx.login("shuji").await;
    let alice = ctx.login("alice").await;

    // Only office and principals recompute; only principals, committee, office see the board.
    let (s, _) = ctx
        .post("/api/v1/rewards/recompute", json!({}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = ctx
        .post("/api/v1/rewards/board", json!({}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, r) = ctx
        .post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // Q1 and Q2: 2 for alice + 3 for the chief each; Q3: 2 for bob, 3 + criticism and
    // withholding for the chief.
    assert_eq!(r["created"], 17, "{r}");
    assert_eq!(r["cases_opened"], 9, "{r}");
    // Idempotent: a second run changes nothing and writes no audit row.
    let audits = audit_count(&ctx).await;
    let (_, r2) = ctx
        .post("/api/v1/rewards/recompute", json!({}), Some(&shuji))
        .await;
    assert_eq!(r2["created"], 0, "{r2}");
    assert_eq!(r2["withdrawn"], 0);
    assert_eq!(r2["activated"], 0);
    assert_eq!(audit_count(&ctx).await, audits);
    assert_eq!(outcome::Entity::find().count(&ctx.db).await.unwrap(), 17);

    let chief = outcomes_of(&ctx, ids::CHIEF).await;
    assert!(chief.contains(&("2026-Q3".into(), "public_criticism".into(), "active".into())));
    assert!(chief.contains(&("2026-Q3".into(), "withholding".into(), "active".into())));
    assert!(
        !chief
            .iter()
            .any(|(q, k, _)| q != "2026-Q3" && k == "public_criticism")
    );
    let (s, board) = ctx
        .post("/api/v1/rewards/board", json!({}), Some(&shuji))
        .await;
    assert_eq!(s, StatusCode::OK, "{board}");
    assert_eq!(board["quarters"].as_array().unwrap().len(), 3);
    let crit = board["quarters"][0]["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "public_criticism")
        .unwrap()
        .clone();
    assert_eq!(crit["basis"], json!(["2026-Q1", "2026-Q2", "2026-Q3"]));
    assert_eq!(crit["policy_version"], 1);

    // The chief appeals the Q3 naming: everything hanging on it waits, the cases pause.
    let chief_c = ctx.login("chief").await;
    let (s, ap) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q3_names[1], "ground": "第三季度驻村工作记录齐全"}),
            Some(&chief_c),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ap}");
    let chief = outcomes_of(&ctx, ids::CHIEF).await;
    for kind in [
        "talk",
        "warning",
        "rectification",
        "public_criticism",
        "withholding",
    ] {
        assert!(
            chief.contains(&("2026-Q3".into(), kind.into(), "pending".into())),
            "{kind}: {chief:?}"
        );
    }
    assert!(chief.contains(&("2026-Q2".into(), "talk".into(), "active".into())));
    let held = case::Entity::find()
        .filter(case::Column::CadreId.eq(ids::CHIEF))
        .all(&ctx.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "talk")
        .max_by_key(|c| c.id)
        .unwrap();
    let (_, cv) = ctx
        .post("/api/v1/cases/get", json!({"id": held.id}), Some(&shuji))
        .await;
    assert_eq!(cv["on_hold"], true, "{cv}");
    let notes = case_note::Entity::find().count(&ctx.db).await.unwrap();
    let (s, v) = ctx
        .post(
            "/api/v1/cases/note",
            json!({"case": held.id, "kind": "talk", "body": "谈话", "held_on": "2026-10-12"}),
            Some(&shuji),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "appeal_pending"));
    assert_eq!(
        case_note::Entity::find().count(&ctx.db).await.unwrap(),
        notes
    );
    // A criticism notice cannot be drafted while it waits.
    let (s, v) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q3, "kind": "criticism"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "outcomes_pending"));

    // The committee overturns it: the Q3 outcomes and open cases are withdrawn (history
    // kept), the streak is broken, the Q1/Q2 outcomes stay.
    let jiwei = ctx.login("jiwei").await;
    let (s, v) = ctx
        .post(
            "/api/v1/appeal/answer",
            json!({"id": ap["id"], "outcome": "overturn", "answer": "记录属实，撤销"}),
            Some(&jiwei),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let chief = outcomes_of(&ctx, ids::CHIEF).await;
    for kind in [
        "talk",
        "warning",
        "rectification",
        "public_criticism",
        "withholding",
    ] {
        assert!(
            chief.contains(&("2026-Q3".into(), kind.into(), "withdrawn".into())),
            "{kind}: {chief:?}"
        );
    }
    assert!(!chief.iter().any(|(_, _, s)| s == "pending"));
    assert_eq!(
        chief.iter().filter(|(_, _, s)| s == "active").count(),
        6,
        "{chief:?}"
    );
    let c = case::Entity::find_by_id(held.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.state, "withdrawn");
    let (_, cv) = ctx
        .post("/api/v1/cases/get", json!({"id": held.id}), Some(&shuji))
        .await;
    assert_eq!(cv["notes"][0]["kind"], "withdrawn", "{cv}");
    let withdrawn = outcome::Entity::find()
        .filter(outcome::Column::Status.eq("withdrawn"))
        .all(&ctx.db)
        .await
        .unwrap();
    assert!(
        withdrawn
            .iter()
            .all(|o| o.withdrawn_at.is_some() && o.withdrawn_reason.is_some())
    );
    // Recomputing again changes nothing.
    let (_, r3) = ctx
        .post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    assert_eq!(
        r3,
        json!({"created": 0, "activated": 0, "made_pending": 0, "withdrawn": 0, "cases_opened": 0, "cases_withdrawn": 0})
    );

    // The cadre's own view: results, outcomes (withdrawn ones marked), cases.
    let (s, mine) = ctx
        .post("/api/v1/rewards/mine", json!({}), Some(&chief_c))
        .await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["outcomes"].as_array().unwrap().len(), 11);
    assert!(mine["cases"].as_array().unwrap().len() >= 6);
    assert!(
        mine["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["cadre"]["id"] == ids::CHIEF)
    );
    let (_, mine_a) = ctx
        .post("/api/v1/rewards/mine", json!({}), Some(&alice))
        .await;
    assert!(
        mine_a["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["cadre"]["id"] == ids::ALICE)
    );
    assert!(mine_a["cases"].as_array().unwrap().is_empty());
    ctx.finish().await;
}

#[tokio::test]
async fn cases_are_recorded_by_principals_and_closed_with_a_note() {
    let ctx = Ctx::new().await;
    published(
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
    ctx.post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    let shuji = ctx.login("shuji").await;
    let case_of = |kind: &'static str| {
        let db = ctx.db.clone();
        async move {
            case::Entity::find()
                .filter(case::Column::Kind.eq(kind))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let talk = case_of("talk").await;
    let rect = case_of("rectification").await;
    assert_eq!(talk.owner_id, ids::SHUJI);
    assert_eq!(talk.due_on.to_string(), "2026-07-22");
    assert_eq!(rect.due_on.to_string(), "2026-08-11");

    // Who may see and record what.
    let lead1 = ctx.login("lead1").await;
    let (s, _) = ctx
        .post("/api/v1/cases/get", json!({"id": talk.id}), Some(&lead1))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let notes = case_note::Entity::find().count(&ctx.db).await.unwrap();
    let talk_body = |held: &str| json!({"case": talk.id, "kind": "talk", "body": "指出记录不实的问题", "response": "接受批评，立即改正", "held_on": held});
    let (s, _) = ctx
        .post("/api/v1/cases/note", talk_body("2026-07-12"), Some(&office))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let chief = ctx.login("chief").await;
    let (s, own) = ctx
        .post("/api/v1/cases/get", json!({"id": talk.id}), Some(&chief))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(own["may_note"], json!([]));
    let (s, _) = ctx
        .post("/api/v1/cases/note", talk_body("2026-07-12"), Some(&chief))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Bad input: future day, no day, no body, a note kind the case does not take.
    for (body, field) in [
        (talk_body("2026-07-13"), "held_on"),
        (
            json!({"case": talk.id, "kind": "talk", "body": "谈话"}),
            "held_on",
        ),
        (
            json!({"case": talk.id, "kind": "talk", "body": "  ", "held_on": "2026-07-12"}),
            "body",
        ),
        (
            json!({"case": talk.id, "kind": "closure", "body": "x", "met": true}),
            "kind",
        ),
        (
            json!({"case": talk.id, "kind": "nonsense", "body": "x"}),
            "kind",
        ),
    ] {
        let (s, v) = ctx.post("/api/v1/cases/note", body, Some(&shuji)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["field"], field, "{v}");
    }
    assert_eq!(
        case_note::Entity::find().count(&ctx.db).await.unwrap(),
        notes
    );
    let (s, v) = ctx
        .post("/api/v1/cases/note", talk_body("2026-07-12"), Some(&shuji))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "done");
    assert_eq!(v["notes"][0]["response"], "接受批评，立即改正");
    let (s, v) = ctx
        .post("/api/v1/cases/note", talk_body("2026-07-12"), Some(&shuji))
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "case_closed"));

    // Rectification: reassigned, planned, followed up by its owner, closed with a note.
    let (s, v) = ctx
        .post(
            "/api/v1/cases/assign",
            json!({"case": rect.id, "owner": ids::ALICE}),
            Some(&shuji),
        )
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("owner"))
    );
    let (s, _) = ctx
        .post(
            "/api/v1/cases/assign",
            json!({"case": rect.id, "owner": ids::ZHENZHANG}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = ctx
        .post(
            "/api/v1/cases/assign",
            json!({"case": rect.id, "owner": ids::ZHENZHANG}),
            Some(&shuji),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["owner"]["id"], ids::ZHENZHANG);
    let zz = ctx.login("zhenzhang").await;
    let (s, v) = ctx
        .post("/api/v1/cases/note", json!({"case": rect.id, "kind": "plan", "body": "每日按时记实，每周汇报", "deadline": "2026-07-01"}), Some(&zz))
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("deadline"))
    );
    let (s, v) = ctx
        .post("/api/v1/cases/note", json!({"case": rect.id, "kind": "plan", "body": "每日按时记实，每周汇报", "deadline": "2026-08-31"}), Some(&zz))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["due"], "2026-08-31");
    let (s, _) = ctx
        .post(
            "/api/v1/cases/note",
            json!({"case": rect.id, "kind": "follow_up", "body": "第一周按时记实"}),
            Some(&zz),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Overdue cases stand out to the principals (reminder on Today).
    ctx.set_now("2026-09-02T02:00:00Z");
    let shuji = ctx.login("shuji").await;
    let (_, rem) = ctx
        .post("/api/v1/eval/reminders", json!({}), Some(&shuji))
        .await;
    let overdue = rem
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["what"] == "cases_overdue")
        .cloned()
        .unwrap_or_default();
    assert_eq!(overdue["count"], 2, "{rem}"); // the warning and the rectification
    let (_, cv) = ctx
        .post("/api/v1/cases/get", json!({"id": rect.id}), Some(&shuji))
        .await;
    assert_eq!(cv["overdue"], true);
    // Closing needs a note and met / not met; nothing changes otherwise.
    let zz = ctx.login("zhenzhang").await;
    let notes = case_note::Entity::find().count(&ctx.db).await.unwrap();
    for body in [
        json!({"case": rect.id, "kind": "closure", "body": "", "met": true}),
        json!({"case": rect.id, "kind": "closure", "body": "已整改"}),
    ] {
        let (s, v) = ctx.post("/api/v1/cases/note", body, Some(&zz)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    }
    assert_eq!(
        case_note::Entity::find().count(&ctx.db).await.unwrap(),
        notes
    );
    let (s, v) = ctx
        .post(
            "/api/v1/cases/note",
            json!({"case": rect.id, "kind": "closure", "body": "按期整改到位", "met": true}),
            Some(&zz),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "met");
    assert_eq!(v["overdue"], false);
    let (s, v) = ctx
        .post(
            "/api/v1/cases/note",
            json!({"case": rect.id, "kind": "closure", "body": "again", "met": false}),
            Some(&shuji),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "case_closed"));
    assert!(audit_actions(&ctx, "case.closure").await == 1);
    assert!(audit_actions(&ctx, "case.talk").await == 1);
    ctx.finish().await;
}

#[tokio::test]
async fn notices_are_numbered_immutable_and_corrected_by_new_notices() {
    let ctx = Ctx::new().await;
    let (q2, q2_names) = published(
        &ctx,
        2026,
        2,
        &[ids::ALICE, ids::BOB],
        &[ids::CHIEF],
        "2026-07-10T02:00:00Z",
    )
    .await;
    ctx.set_now("2026-07-12T02:00:00Z");
    let office = ctx.login("office").await;
    ctx.post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    let alice = ctx.login("alice").await;
    let (s, _) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation"}),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "criticism"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "notice_empty"));
    let (s, draft) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{draft}");
    assert_eq!(draft["lines"].as_array().unwrap().len(), 2);
    assert_eq!(draft["number"], Value::Null);
    let id = draft["id"].as_i64().unwrap();
    // Drafts are not public.
    let (s, _) = ctx
        .post("/api/v1/notices/get", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::CONFLICT, "notice_draft_exists")
    );
    let (s, v) = ctx
        .post("/api/v1/notices/update", json!({"id": id, "title": "关于表扬第二季度最好干部的通报", "preamble": "现予通报表扬。", "issuer": "镇党委　镇人民政府"}), Some(&office))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = ctx
        .post(
            "/api/v1/notices/update",
            json!({"id": id, "title": "", "preamble": "x", "issuer": "y"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("title"))
    );
    let (s, pubd) = ctx
        .post("/api/v1/notices/publish", json!({"id": id}), Some(&office))
        .await;
    assert_eq!(s, StatusCode::OK, "{pubd}");
    assert_eq!(pubd["number"], "镇效通〔2026〕1号");
    assert_eq!(pubd["issued_on"], "2026-07-12");
    // Published: immutable.
    let before = notice::Entity::find_by_id(id as i32)
        .one(&ctx.db)
        .await
        .unwrap();
    let audits = audit_count(&ctx).await;
    let (s, v) = ctx
        .post(
            "/api/v1/notices/update",
            json!({"id": id, "title": "改", "preamble": "改", "issuer": "改"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "notice_published"));
    let (s, v) = ctx
        .post("/api/v1/notices/publish", json!({"id": id}), Some(&office))
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "notice_published"));
    let (s, v) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "notice_exists"));
    assert_eq!(
        notice::Entity::find_by_id(id as i32)
            .one(&ctx.db)
            .await
            .unwrap(),
        before
    );
    assert_eq!(audit_count(&ctx).await, audits);
    // Everyone signed in reads it; the download is the formal A4 document.
    let (s, v) = ctx
        .post("/api/v1/notices/get", json!({"id": id}), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["may_edit"], false);
    let (s, h, html) = ctx
        .get(&format!("/api/v1/notices/download?id={id}"), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h[http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(
        html.contains("镇效通〔2026〕1号") && html.contains("size:A4"),
        "{html}"
    );
    assert!(
        html.contains(v["lines"][0]["cadre"]["name"].as_str().unwrap()),
        "{html}"
    );
    let (s, _, _) = ctx
        .get(&format!("/api/v1/notices/download?id={id}"), None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // An appeal changes the names after publication: the notice is flagged for correction.
    let bob = ctx.login("bob").await;
    let (s, ap) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q2_names[1], "ground": "本季度另有安排"}),
            Some(&bob),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ap}");
    let (_, v) = ctx
        .post("/api/v1/notices/get", json!({"id": id}), Some(&office))
        .await;
    assert_eq!(v["stale"], false, "pending outcomes still count");
    let jiwei = ctx.login("jiwei").await;
    let (s, _) = ctx
        .post(
            "/api/v1/appeal/answer",
            json!({"id": ap["id"], "outcome": "overturn", "answer": "撤销"}),
            Some(&jiwei),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = ctx
        .post("/api/v1/notices/get", json!({"id": id}), Some(&office))
        .await;
    assert_eq!(v["stale"], true);
    let (_, board) = ctx
        .post("/api/v1/rewards/board", json!({}), Some(&office))
        .await;
    assert_eq!(board["notices"][0]["stale"], true);

    // A correction is a new notice that refers to the old one.
    let (s, corr) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation", "corrects": id}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{corr}");
    assert!(
        corr["title"]
            .as_str()
            .unwrap()
            .contains("镇效通〔2026〕1号")
    );
    assert_eq!(
        corr["lines"].as_array().unwrap().len(),
        1,
        "bob is no longer named"
    );
    let (_, corr) = ctx
        .post(
            "/api/v1/notices/publish",
            json!({"id": corr["id"]}),
            Some(&office),
        )
        .await;
    assert_eq!(corr["number"], "镇效通〔2026〕2号");
    assert_eq!(corr["corrects"]["number"], "镇效通〔2026〕1号");
    let (_, old) = ctx
        .post("/api/v1/notices/get", json!({"id": id}), Some(&office))
        .await;
    assert_eq!(old["corrected_by"]["number"], "镇效通〔2026〕2号");
    assert_eq!(old["stale"], false);
    let (s, v) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation", "corrects": id}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "notice_corrected"));
    ctx.finish().await;
}

fn row<'a>(ledger: &'a Value, username: &str) -> &'a Value {
    ledger["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {ledger}"))
}

#[tokio::test]
async fn ledger_applies_outcomes_exports_and_carries_late_corrections() {
    let ctx = Ctx::new().await;
    // The chief reaches three worst quarters in Q2 (streak across the year boundary).
    published(&ctx, 2025, 4, &[], &[ids::CHIEF], "2026-01-10T02:00:00Z").await;
    published(&ctx, 2026, 1, &[], &[ids::CHIEF], "2026-04-10T02:00:00Z").await;
    let (_, q2_names) = published(
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
    ctx.post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    let set = |cadre: i32, period: &str, amount: &str| json!({"cadre": cadre, "period": period, "amount": amount});
    // Bad amounts and periods: 422, nothing stored.
    let bases = bonus_base::Entity::find().count(&ctx.db).await.unwrap();
    for (body, want) in [
        (set(ids::ALICE, "2026-Q2", "-5"), "negative_amount"),
        (set(ids::ALICE, "2026-Q2", "abc"), "not_a_number"),
        (set(ids::ALICE, "2026-Q2", "1.234"), "amount_precision"),
        (set(ids::ALICE, "2026-Q9", "100"), "bad_period"),
        (set(999, "2026-Q2", "100"), "unknown_cadre"),
    ] {
        let (s, v) = ctx
            .post("/api/v1/ledger/set_base", body, Some(&office))
            .await;
        assert_eq!(
            (s, reason(&v)),
            (StatusCode::UNPROCESSABLE_ENTITY, want),
            "{v}"
        );
    }
    let alice = ctx.login("alice").await;
    let (s, _) = ctx
        .post(
            "/api/v1/ledger/set_base",
            set(ids::ALICE, "2026-Q2", "3000"),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        bonus_base::Entity::find().count(&ctx.db).await.unwrap(),
        bases
    );
    for (who, p, a) in [
        (ids::ALICE, "2026-Q2", "3000"),
        (ids::ALICE, "2026-YE", "12,000.50"),
        (ids::CHIEF, "2026-Q2", "2000"),
    ] {
        let (s, v) = ctx
            .post("/api/v1/ledger/set_base", set(who, p, a), Some(&office))
            .await;
        assert_eq!((s, v["saved"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    }
    let (_, v) = ctx
        .post(
            "/api/v1/ledger/set_base",
            set(ids::ALICE, "2026-Q2", "3000.00"),
            Some(&office),
        )
        .await;
    assert_eq!(v["unchanged"], 1);

    // CSV import: unknown cadres, duplicates and bad amounts refuse the whole file.
    let csv_bad = "username,period,amount\nbob,2026-Q2,2800\nnobody,2026-Q2,100\nbob,2026-Q2,2900\nlead1,2026-Q2,-1\n";
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/import",
            json!({"csv": csv_bad}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let errs: Vec<(i64, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errs,
        vec![
            (3, "unknown_cadre".into()),
            (4, "duplicate_row".into()),
            (5, "negative_amount".into())
        ]
    );
    assert_eq!(
        bonus_base::Entity::find().count(&ctx.db).await.unwrap(),
        bases + 3
    );
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/import",
            json!({"csv": "username,period,amount\nbob,2026-Q2,2800\nlead1,2026-Q2,3200.10\n"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, v["saved"].as_i64()), (StatusCode::OK, Some(2)), "{v}");

    // The ledger: uplift +20 % for alice, everything withheld for the chief; exact to the fen.
    let (s, l) = ctx
        .post(
            "/api/v1/ledger/get",
            json!({"period": "2026-Q2"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(row(&l, "alice")["due"], "3600.00");
    assert_eq!(row(&l, "alice")["adjustments"][0]["amount"], "600.00");
    assert_eq!(row(&l, "chief")["due"], "0.00");
    assert_eq!(row(&l, "chief")["adjustments"][0]["kind"], "withholding");
    assert_eq!(row(&l, "lead1")["due"], "3200.10");
    assert_eq!(l["total_due"], "9600.10");
    let (_, ye) = ctx
        .post(
            "/api/v1/ledger/get",
            json!({"period": "2026-YE"}),
            Some(&office),
        )
        .await;
    assert_eq!(row(&ye, "alice")["due"], "14400.60");
    let (s, _) = ctx
        .post(
            "/api/v1/ledger/get",
            json!({"period": "2026-Q2"}),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Exports: XLSX (read back) and CSV, each audited; office only.
    let exports = audit_actions(&ctx, "ledger.exported").await;
    let (s, h, bytes) = ctx
        .get_bytes(
            "/api/v1/ledger/export?period=2026-Q2&format=xlsx",
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h[http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("ledger-2026-Q2.xlsx")
    );
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sum = wb.worksheet_range("汇总").unwrap();
    let find = |user: &str| {
        sum.rows()
            .find(|r| r[0] == Data::String(user.into()))
            .unwrap_or_else(|| panic!("{user}"))
            .to_vec()
    };
    let alice_row = find("alice");
    assert_eq!(alice_row[3], Data::String("2026-Q2".into()));
    assert_eq!(alice_row[4], Data::Float(3000.0));
    assert_eq!(alice_row[5], Data::Float(600.0));
    assert_eq!(alice_row[7], Data::Float(3600.0));
    assert_eq!(find("chief")[7], Data::Float(0.0));
    assert_eq!(find("lead1")[7], Data::Float(3200.1));
    let detail = wb.worksheet_range("明细").unwrap();
    assert!(detail.rows().any(|r| r[0] == Data::String("chief".into())
        && r[4] == Data::String("withholding".into())
        && r[5] == Data::Float(-2000.0)));
    let (s, _, csv) = ctx
        .get(
            "/api/v1/ledger/export?period=2026-Q2&format=csv",
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        csv.contains("alice,") && csv.contains(",uplift,600.00,"),
        "{csv}"
    );
    assert_eq!(audit_actions(&ctx, "ledger.exported").await, exports + 2);
    let (s, _, _) = ctx
        .get(
            "/api/v1/ledger/export?period=2026-Q2&format=pdf",
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let shuji = ctx.login("shuji").await;
    let (s, _, _) = ctx
        .get(
            "/api/v1/ledger/export?period=2026-Q2&format=csv",
            Some(&shuji),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(audit_actions(&ctx, "ledger.exported").await, exports + 2);

    // Closing: only ended periods, once; then the period cannot change.
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/close",
            json!({"period": "2026-Q3"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "period_not_over"));
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/close",
            json!({"period": "2026-Q2"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, v["closed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/close",
            json!({"period": "2026-Q2"}),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "period_closed"));
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/set_base",
            set(ids::ALICE, "2026-Q2", "5000"),
            Some(&office),
        )
        .await;
    assert_eq!((s, reason(&v)), (StatusCode::CONFLICT, "period_closed"));
    assert_eq!(
        ledger_closure::Entity::find().count(&ctx.db).await.unwrap(),
        1
    );

    // A late appeal overturns the chief's Q2 naming: the closed Q2 keeps its lines, and the
    // next export (Q3) carries a visible correction of +2000.00 for Q2.
    let chief = ctx.login("chief").await;
    let (s, ap) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q2_names[1], "ground": "第二季度记录完整"}),
            Some(&chief),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ap}");
    // While it waits, the withholding in the open year-end line is shown as pending.
    let (_, ye) = ctx
        .post(
            "/api/v1/ledger/get",
            json!({"period": "2026-Q3"}),
            Some(&office),
        )
        .await;
    assert!(ye["corrections"].as_array().unwrap().is_empty(), "{ye}");
    let jiwei = ctx.login("jiwei").await;
    let (s, _) = ctx
        .post(
            "/api/v1/appeal/answer",
            json!({"id": ap["id"], "outcome": "overturn", "answer": "撤销"}),
            Some(&jiwei),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, q2) = ctx
        .post(
            "/api/v1/ledger/get",
            json!({"period": "2026-Q2"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        row(&q2, "chief")["due"],
        "0.00",
        "closed periods keep their lines"
    );
    let (_, q3) = ctx
        .post(
            "/api/v1/ledger/get",
            json!({"period": "2026-Q3"}),
            Some(&office),
        )
        .await;
    let corr = &q3["corrections"][0];
    assert_eq!(corr["username"], "chief", "{q3}");
    assert_eq!(corr["due"], "2000.00");
    assert_eq!(corr["adjustments"][0]["kind"], "correction");
    assert_eq!(corr["adjustments"][0]["source"], "2026-Q2");
    let (_, _, csv) = ctx
        .get(
            "/api/v1/ledger/export?period=2026-Q3&format=csv",
            Some(&office),
        )
        .await;
    assert!(
        csv.contains("chief,") && csv.contains(",correction,2000.00,"),
        "{csv}"
    );
    // The cadre sees the correction among their own bonus lines.
    let (_, mine) = ctx
        .post("/api/v1/rewards/mine", json!({}), Some(&chief))
        .await;
    assert!(
        mine["ledger"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["due"] == "2000.00"),
        "{mine}"
    );
    ctx.finish().await;
}

#[tokio::test]
async fn concurrent_recomputations_store_one_set_of_outcomes() {
    let ctx = Ctx::new().await;
    published(
        &ctx,
        2026,
        2,
        &[ids::ALICE],
        &[ids::CHIEF],
        "2026-07-10T02:00:00Z",
    )
    .await;
    ctx.set_now("2026-07-12T02:00:00Z");
    let (office, shuji) = (ctx.login("office").await, ctx.login("shuji").await);
    let (a, b) = tokio::join!(
        ctx.post("/api/v1/rewards/recompute", json!({}), Some(&office)),
        ctx.post("/api/v1/rewards/recompute", json!({}), Some(&shuji)),
    );
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
    assert_eq!(
        a.1["created"].as_i64().unwrap() + b.1["created"].as_i64().unwrap(),
        5
    );
    assert_eq!(outcome::Entity::find().count(&ctx.db).await.unwrap(), 5);
    assert_eq!(case::Entity::find().count(&ctx.db).await.unwrap(), 3);
    ctx.finish().await;
}

async fn ledger_of(ctx: &Ctx, office: &str, period: &str) -> Value {
    let (s, l) = ctx
        .post(
            "/api/v1/ledger/get",
            json!({"period": period}),
            Some(office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    l
}

/// The case from issue 11: worst a third time in Q3 with Q1 and Q2 closed and paid, appealed
/// at once. Every line the appeal touches waits — the Q3 withholding and the corrections of Q1
/// and Q2 — shown as pending, not counted in the dues, the total or the export, and the
/// cadre's net due is unchanged. An answer that upholds then counts them.
#[tokio::test]
async fn a_third_worst_under_appeal_holds_every_line_of_closed_quarters() {
    let ctx = Ctx::new().await;
    let office = ctx.login("office").await;
    let set = |period: &str| json!({"cadre": ids::CHIEF, "period": period, "amount": "3200"});
    for p in ["2026-Q1", "2026-Q2", "2026-Q3"] {
        let (s, v) = ctx
            .post("/api/v1/ledger/set_base", set(p), Some(&office))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    published(&ctx, 2026, 1, &[], &[ids::CHIEF], "2026-04-10T02:00:00Z").await;
    ctx.set_now("2026-04-25T02:00:00Z");
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/close",
            json!({"period": "2026-Q1"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    published(&ctx, 2026, 2, &[], &[ids::CHIEF], "2026-07-10T02:00:00Z").await;
    ctx.set_now("2026-07-25T02:00:00Z");
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/close",
            json!({"period": "2026-Q2"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, q3_names) = published(&ctx, 2026, 3, &[], &[ids::CHIEF], "2026-10-10T02:00:00Z").await;
    ctx.set_now("2026-10-11T02:00:00Z");
    let chief = ctx.login("chief").await;
    let (s, ap) = ctx
        .post(
            "/api/v1/appeal/file",
            json!({"naming": q3_names[0], "ground": "第三季度记录完整"}),
            Some(&chief),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ap}");
    ctx.post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;
    let l = ledger_of(&ctx, &office, "2026-Q3").await;
    let line = row(&l, "chief");
    assert_eq!(line["due"], "3200.00", "{l}");
    assert_eq!(line["adjustments"][0]["kind"], "withholding");
    assert_eq!(line["adjustments"][0]["pending"], true);
    let corrections = l["corrections"].as_array().unwrap();
    let mut sources: Vec<(&str, &str, bool)> = corrections
        .iter()
        .flat_map(|r| r["adjustments"].as_array().unwrap().iter())
        .map(|a| {
            (
                a["source"].as_str().unwrap(),
                a["amount"].as_str().unwrap(),
                a["pending"].as_bool().unwrap(),
            )
        })
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        vec![("2026-Q1", "-3200.00", true), ("2026-Q2", "-3200.00", true)],
        "{l}"
    );
    assert!(corrections.iter().all(|r| r["due"] == "0.00"), "{l}");
    assert_eq!(l["total_due"], "3200.00", "{l}");
    // The export for finance lists them as pending and counts nothing for them.
    let (_, _, csv) = ctx
        .get(
            "/api/v1/ledger/export?period=2026-Q3&format=csv",
            Some(&office),
        )
        .await;
    let correction_lines: Vec<&str> = csv.lines().filter(|l| l.contains(",correction,")).collect();
    assert_eq!(correction_lines.len(), 2, "{csv}");
    assert!(
        correction_lines
            .iter()
            .all(|l| l.contains(",-3200.00,yes,")),
        "{csv}"
    );
    // The cadre's own lines: nothing due goes negative while the appeal is open.
    let (_, mine) = ctx
        .post("/api/v1/rewards/mine", json!({}), Some(&chief))
        .await;
    let q3_mine: Vec<&str> = mine["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2026-Q3")
        .map(|r| r["due"].as_str().unwrap())
        .collect();
    assert!(!q3_mine.is_empty(), "{mine}");
    assert!(q3_mine.iter().all(|d| !d.starts_with('-')), "{mine}");

    // Upheld: the withholding and both corrections count.
    let jiwei = ctx.login("jiwei").await;
    let (s, v) = ctx
        .post(
            "/api/v1/appeal/answer",
            json!({"id": ap["id"], "outcome": "uphold", "answer": "维持"}),
            Some(&jiwei),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let l = ledger_of(&ctx, &office, "2026-Q3").await;
    assert_eq!(row(&l, "chief")["due"], "0.00", "{l}");
    let counted: Vec<&str> = l["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["due"].as_str().unwrap())
        .collect();
    assert_eq!(counted, vec!["-3200.00", "-3200.00"], "{l}");
    assert_eq!(l["total_due"], "-6400.00", "{l}");
    ctx.finish().await;
}

/// The lists another system reads: published quarterly results and published notices, a
/// page at a time, each as the caller may see it; a result not yet published and a draft
/// notice are in nobody's list but the deciders' and drafters'.
#[tokio::test]
async fn published_results_and_notices_are_listed_by_page_for_everyone_who_may_see_them() {
    let ctx = Ctx::new().await;
    let (q1, _) = published(
        &ctx,
        2026,
        1,
        &[ids::ALICE],
        &[ids::CHIEF],
        "2026-04-06T01:00:00Z",
    )
    .await;
    let (q2, _) = published(
        &ctx,
        2026,
        2,
        &[ids::BOB],
        &[ids::CHIEF],
        "2026-07-06T01:00:00Z",
    )
    .await;
    // A decided quarter whose publication is still ahead.
    let (q3, _) = published(&ctx, 2026, 3, &[ids::ALICE], &[], "2026-10-06T01:00:00Z").await;
    ctx.set_now("2026-07-12T02:00:00Z");
    let office = ctx.login("office").await;
    let bob = ctx.login("bob").await;
    let committee = ctx.login("jiwei").await;
    ctx.post("/api/v1/rewards/recompute", json!({}), Some(&office))
        .await;

    // A plain cadre: the published ones only, newest first, without the cited entries.
    let (s, p) = ctx
        .post("/api/v1/eval/published", json!({}), Some(&bob))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (
            p["total"].as_u64(),
            p["page"].as_u64(),
            p["per_page"].as_u64()
        ),
        (Some(2), Some(1), Some(20))
    );
    let listed: Vec<i64> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [q2 as i64, q1 as i64]);
    assert!(
        !listed.contains(&(q3 as i64)),
        "an unpublished result is not listed"
    );
    assert_eq!(p["items"][0]["period"], "2026-Q2");
    assert_eq!(p["items"][0]["names"][0]["cadre"]["id"], ids::BOB);
    assert_eq!(p["items"][0]["names"][0]["cadre"]["name"], "测试bob");
    // Paging and the year filter.
    let (_, p) = ctx
        .post(
            "/api/v1/eval/published",
            json!({"page": 2, "per_page": 1}),
            Some(&bob),
        )
        .await;
    assert_eq!(
        (p["items"][0]["id"].as_i64(), p["total"].as_u64()),
        (Some(q1 as i64), Some(2))
    );
    let (_, p) = ctx
        .post("/api/v1/eval/published", json!({"year": 2025}), Some(&bob))
        .await;
    assert_eq!(p["total"], 0);
    let (s, e) = ctx
        .post(
            "/api/v1/eval/published",
            json!({"per_page": 500}),
            Some(&bob),
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str(), e["reason"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("per_page"),
            Some("out_of_range")
        )
    );
    let (s, _) = ctx.post("/api/v1/eval/published", json!({}), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // The committee sees the same list in full (the history's notes too).
    let (_, c) = ctx
        .post("/api/v1/eval/published", json!({}), Some(&committee))
        .await;
    assert_eq!(c["total"], 2);
    assert_eq!(c["items"][0]["history"][0]["note"], "published");

    // Notices: a draft is listed for the office only; once published, for everyone.
    let (s, draft) = ctx
        .post(
            "/api/v1/notices/draft",
            json!({"result": q2, "kind": "commendation"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{draft}");
    let (_, n) = ctx
        .post("/api/v1/notices/list", json!({}), Some(&bob))
        .await;
    assert_eq!(n["total"], 0, "{n}");
    let (_, n) = ctx
        .post("/api/v1/notices/list", json!({}), Some(&office))
        .await;
    assert_eq!(
        (n["total"].as_u64(), n["items"][0]["published"].as_bool()),
        (Some(1), Some(false))
    );
    ctx.post(
        "/api/v1/notices/publish",
        json!({"id": draft["id"]}),
        Some(&office),
    )
    .await;
    let (_, n) = ctx
        .post(
            "/api/v1/notices/list",
            json!({"kind": "commendation", "year": 2026}),
            Some(&bob),
        )
        .await;
    assert_eq!(
        (n["total"].as_u64(), n["items"][0]["published"].as_bool()),
        (Some(1), Some(true)),
        "{n}"
    );
    let (_, n) = ctx
        .post(
            "/api/v1/notices/list",
            json!({"kind": "criticism"}),
            Some(&bob),
        )
        .await;
    assert_eq!(n["total"], 0);

    // The board keeps one quarter on request; the pool one kind.
    let (s, b) = ctx
        .post(
            "/api/v1/rewards/board",
            json!({"quarter": "2026-Q1"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let quarters: Vec<&str> = b["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["quarter"].as_str().unwrap())
        .collect();
    assert_eq!(quarters, ["2026-Q1"]);
    assert!(
        b["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["quarter"] == "2026-Q1")
    );
    assert!(b["notices"].as_array().unwrap().is_empty());
    let (s, e) = ctx
        .post(
            "/api/v1/rewards/board",
            json!({"quarter": "2026-Q9"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, e["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_period"))
    );
    let shuji = ctx.login("shuji").await;
    let (s, pool) = ctx
        .post(
            "/api/v1/eval/pool",
            json!({"quarter": "2026-Q3", "kind": "worst"}),
            Some(&shuji),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{pool}");
    assert!(pool["best"].as_array().unwrap().is_empty());
    ctx.finish().await;
}
