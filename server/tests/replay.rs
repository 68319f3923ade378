//! Saves replayed from a phone's outbox, long after they were written: judged by the device
//! time within the policy's window, bounded by the day and the receipt, applied once per
//! client id, refused (never applied) over a submitted sheet or a newer edit. The same tests
//! run on SQLite and, with `XN_TEST_PG`, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use http::StatusCode;
use serde_json::{Value, json};

/// A save of `day` as a phone's outbox sends it.
fn replay(client_id: &str, day: &str, work: &str, device: &str, base: Option<u32>) -> Value {
    let mut input = json!({
        "client_id": client_id, "day": day, "work": work, "outcome": "完成",
        "place": "village", "village_id": 2, "device_written_at": device,
    });
    if let Some(b) = base {
        input["base_version"] = json!(b);
    }
    json!({ "input": input })
}

async fn save(ctx: &Ctx, cookie: &str, body: Value) -> (StatusCode, Value) {
    ctx.post("/api/v1/record/save_entry", body, Some(cookie))
        .await
}

async fn today(ctx: &Ctx, cookie: &str, day: Option<&str>) -> Value {
    let (s, v) = ctx
        .post("/api/v1/record/today", json!({ "day": day }), Some(cookie))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn reason(v: &Value) -> &str {
    v["reason"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_line_written_before_the_dekad_ended_is_accepted_when_it_arrives_later() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    // Beyond the offline window (two weeks) the save is judged at its receipt again.
    ctx.set_now("2026-04-25T02:00:00Z");
    let (s, v) = save(
        &ctx,
        &alice,
        replay(
            "late-0000",
            "2026-04-10",
            "太迟",
            "2026-04-10T13:00:00Z",
            Some(0),
        ),
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "day_closed")
    );
    // 22 April 10:00 Beijing time: the early dekad of April is no longer writable by date.
    ctx.set_now("2026-04-22T02:00:00Z");
    let (s, v) = ctx.save(&alice, "2026-04-10", "补写").await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, "day_closed")
    );

    // Written on the 10th at 20:00 on the phone, synced now: accepted, both times kept.
    let body = replay(
        "late-0001",
        "2026-04-10",
        "走访桥头村",
        "2026-04-10T12:00:00Z",
        Some(0),
    );
    let (s, e) = save(&ctx, &alice, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["version"], 1);
    assert_eq!(e["device_written_at"], "2026-04-10T12:00:00Z");
    assert_eq!(e["updated_at"], "2026-04-22T02:00:00Z");
    // The same replay again is the same answer, not a second entry nor a conflict.
    let (s, again) = save(&ctx, &alice, body).await;
    assert_eq!(
        (s, &again["id"], &again["version"]),
        (StatusCode::OK, &e["id"], &json!(1))
    );

    // The sheet marks it as an offline line with its arrival, for the cadre, the leader
    // and the print view.
    let sheet_id = today(&ctx, &alice, Some("2026-04-10")).await["sheet"]["id"].clone();
    let (s, sheet) = ctx
        .post(
            "/api/v1/record/sheet",
            json!({ "id": sheet_id }),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let row = &sheet["days"][9]["entry"];
    assert_eq!(
        (&row["work"], &row["version"]),
        (&json!("走访桥头村"), &json!(1))
    );
    // Handed in late, the leader reads it with the same mark.
    let (s, _) = ctx
        .post(
            "/api/v1/record/submit",
            json!({ "id": sheet_id }),
            Some(&alice),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let lead = ctx.login("lead1").await;
    for (path, who) in [
        (format!("/sheets/{sheet_id}"), &alice),
        (format!("/sheets/{sheet_id}"), &lead),
        (format!("/sheets/{sheet_id}/print"), &alice),
    ] {
        let (s, _, html) = ctx.get(&path, Some(who)).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(
            html.contains("离线记录，4月22日 10:00 同步"),
            "{path}: {html}"
        );
    }
    // A line saved as it was written carries no mark.
    let (s, _) = save(
        &ctx,
        &alice,
        replay(
            "late-0002",
            "2026-04-22",
            "当天",
            "2026-04-22T01:59:00Z",
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let t = today(&ctx, &alice, None).await;
    let sid = t["sheet"]["id"].clone();
    let (_, _, html) = ctx.get(&format!("/sheets/{sid}"), Some(&alice)).await;
    assert!(!html.contains("离线记录"));

    ctx.finish().await;
}

#[tokio::test]
async fn a_replay_over_a_submitted_sheet_is_refused_and_changes_nothing() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    assert_eq!(
        ctx.save(&alice, "2026-04-14", "学习").await.0,
        StatusCode::OK
    );
    let sid = today(&ctx, &alice, None).await["sheet"]["id"].clone();
    let (s, _) = ctx
        .post("/api/v1/record/submit", json!({ "id": sid }), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, before) = ctx
        .post("/api/v1/record/sheet", json!({ "id": sid }), Some(&alice))
        .await;
    // A line written on the phone before the submit arrives after it.
    for (id, day, base) in [
        ("sub-0001", "2026-04-13", Some(0)),
        ("sub-0002", "2026-04-14", Some(1)),
    ] {
        let (s, v) = save(
            &ctx,
            &alice,
            replay(id, day, "离线", "2026-04-14T01:00:00Z", base),
        )
        .await;
        assert_eq!(
            (s, reason(&v)),
            (StatusCode::CONFLICT, "sheet_locked"),
            "{v}"
        );
        assert!(v["message"].as_str().unwrap().contains("已提交"), "{v}");
    }
    let (_, after) = ctx
        .post("/api/v1/record/sheet", json!({ "id": sid }), Some(&alice))
        .await;
    assert_eq!(before["days"], after["days"]);
    ctx.finish().await;
}

#[tokio::test]
async fn a_replay_over_a_newer_edit_from_another_device_is_a_conflict() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let phone = ctx.login("alice").await;
    // The phone saw nothing for the 14th; the desk computer saves first, then edits.
    let (s, v1) = save(
        &ctx,
        &alice,
        replay(
            "desk-0001",
            "2026-04-14",
            "桌面一",
            "2026-04-15T01:00:00Z",
            Some(0),
        ),
    )
    .await;
    assert_eq!((s, &v1["version"]), (StatusCode::OK, &json!(1)), "{v1}");
    let (s, v2) = save(
        &ctx,
        &alice,
        replay(
            "desk-0002",
            "2026-04-14",
            "桌面二",
            "2026-04-15T01:30:00Z",
            Some(1),
        ),
    )
    .await;
    assert_eq!((s, &v2["version"]), (StatusCode::OK, &json!(2)), "{v2}");

    // The phone's line, written over nothing, and one written over version 1: both refused.
    for (id, base) in [("phone-0001", 0), ("phone-0002", 1)] {
        let (s, v) = save(
            &ctx,
            &phone,
            replay(id, "2026-04-14", "手机", "2026-04-15T01:10:00Z", Some(base)),
        )
        .await;
        assert_eq!(
            (s, reason(&v)),
            (StatusCode::CONFLICT, "newer_version"),
            "{v}"
        );
        assert!(v["message"].as_str().unwrap().contains("别处改过"), "{v}");
    }
    let t = today(&ctx, &phone, Some("2026-04-14")).await;
    assert_eq!(
        (&t["entry"]["work"], &t["entry"]["version"]),
        (&json!("桌面二"), &json!(2))
    );
    // The cadre keeps the phone's text: saved over the version now seen.
    let (s, v3) = save(
        &ctx,
        &phone,
        replay(
            "phone-0003",
            "2026-04-14",
            "手机",
            "2026-04-15T01:10:00Z",
            Some(2),
        ),
    )
    .await;
    assert_eq!(
        (s, &v3["work"], &v3["version"]),
        (StatusCode::OK, &json!("手机"), &json!(3))
    );
    // A client that does not track versions still saves (last write wins).
    assert_eq!(
        ctx.save(&alice, "2026-04-14", "旧客户端").await.0,
        StatusCode::OK
    );
    ctx.finish().await;
}

#[tokio::test]
async fn one_client_id_sent_from_two_connections_at_once_stores_one_entry() {
    let ctx = Ctx::new().await;
    let a = ctx.login("alice").await;
    let b = ctx.login("alice").await;
    let body = replay(
        "twice-0001",
        "2026-04-13",
        "一次",
        "2026-04-13T03:00:00Z",
        Some(0),
    );
    let (x, y) = tokio::join!(save(&ctx, &a, body.clone()), save(&ctx, &b, body));
    assert_eq!(
        (x.0, y.0),
        (StatusCode::OK, StatusCode::OK),
        "{} {}",
        x.1,
        y.1
    );
    assert_eq!((&x.1["id"], &x.1["version"]), (&y.1["id"], &json!(1)));
    let t = today(&ctx, &a, Some("2026-04-13")).await;
    assert_eq!(t["entry"]["version"], 1);
    ctx.finish().await;
}

#[tokio::test]
async fn device_times_in_the_future_or_before_the_day_are_422_in_the_users_language() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    // Now is 15 April 10:00 Beijing time (02:00 UTC).
    let cases = [
        (
            "2026-04-15",
            "2026-04-15T02:10:00Z",
            "device_time_future",
            "手机时间",
        ),
        (
            "2026-04-14",
            "2026-04-13T15:59:59Z",
            "device_time_before_day",
            "之前",
        ),
    ];
    for (i, (day, device, code, words)) in cases.into_iter().enumerate() {
        let (s, v) = save(
            &ctx,
            &alice,
            replay(&format!("bad-time-{i}"), day, "x", device, None),
        )
        .await;
        assert_eq!(
            (s, reason(&v)),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{v}"
        );
        assert_eq!(v["field"], "device_written_at");
        assert!(v["message"].as_str().unwrap().contains(words), "{v}");
    }
    // A clock a minute ahead is taken as the receipt.
    let (s, v) = save(
        &ctx,
        &alice,
        replay(
            "ahead-0001",
            "2026-04-15",
            "x",
            "2026-04-15T02:01:00Z",
            None,
        ),
    )
    .await;
    assert_eq!(
        (s, &v["device_written_at"]),
        (StatusCode::OK, &json!("2026-04-15T02:00:00Z"))
    );
    // Nothing was stored by the refused saves.
    assert!(today(&ctx, &alice, Some("2026-04-14")).await["entry"].is_null());
    ctx.finish().await;
}

#[tokio::test]
async fn today_offers_the_last_place_first_and_counts_only_working_days() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let (s, _) = save(
        &ctx,
        &alice,
        replay(
            "place-0001",
            "2026-04-14",
            "驻村",
            "2026-04-14T03:00:00Z",
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let t = today(&ctx, &alice, None).await;
    assert_eq!(
        (&t["last_place"], &t["last_village_id"]),
        (&json!("village"), &json!(2))
    );
    assert_eq!(t["villages"][0]["id"], 2);
    // Wednesday 15 April: the early dekad and the 13th are still empty; the weekends
    // (4–5 and 11–12 April) are not counted, nor today itself.
    let missing: Vec<&str> = t["missing_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let want: Vec<String> = [1, 2, 3, 6, 7, 8, 9, 10, 13]
        .iter()
        .map(|d| format!("2026-04-{d:02}"))
        .collect();
    assert_eq!(missing, want);
    // The sheet offers today's own empty row as 填写 and earlier ones as 补写.
    let sid = t["sheet"]["id"].clone();
    let (_, _, html) = ctx.get(&format!("/sheets/{sid}"), Some(&alice)).await;
    let today_row = html.split("id=\"d-2026-04-15\"").nth(1).unwrap();
    let today_row = today_row.split("</li>").next().unwrap();
    assert!(
        today_row.contains(">填写<") && !today_row.contains("补写"),
        "{today_row}"
    );
    let earlier = html.split("id=\"d-2026-04-13\"").nth(1).unwrap();
    assert!(earlier.split("</li>").next().unwrap().contains(">补写<"));
    ctx.finish().await;
}

#[tokio::test]
async fn a_line_of_one_account_is_never_stored_under_another_accounts_session() {
    let ctx = Ctx::new().await;
    // A shared phone: alice's line waits; bob signs in on the same browser.
    let bob = ctx.login("bob").await;
    let mut body = replay(
        "shared-0001",
        "2026-04-14",
        "爱丽丝的",
        "2026-04-14T09:00:00Z",
        Some(0),
    );
    body["input"]["author"] = json!(ids::ALICE);
    let (s, v) = save(&ctx, &bob, body.clone()).await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::CONFLICT, "wrong_account"),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("另一个账号"), "{v}");
    assert!(today(&ctx, &bob, Some("2026-04-14")).await["entry"].is_null());
    // Under her own session it is stored as hers.
    let alice = ctx.login("alice").await;
    let (s, v) = save(&ctx, &alice, body).await;
    assert_eq!((s, &v["work"]), (StatusCode::OK, &json!("爱丽丝的")), "{v}");
    ctx.finish().await;
}

#[tokio::test]
async fn answers_carry_the_offices_clock_for_the_phones_offset() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    // The test clock stands at T0 (2026-04-15 02:00 UTC), far from the machine's own.
    let (s, headers, _) = ctx.get("/", Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);
    let date = headers.get(http::header::DATE).unwrap().to_str().unwrap();
    assert_eq!(date, "Wed, 15 Apr 2026 02:00:00 GMT");
    let t = today(&ctx, &alice, None).await;
    assert_eq!(t["now"], json!("2026-04-15T02:00:00Z"));
    ctx.finish().await;
}
