//! Hostile content: script and event-handler payloads in every user-written text field of
//! the demo township (entries, comments, reasons, opinions, appeals, case notes, notices,
//! names of people, departments, areas and villages …) and in every query parameter a page
//! reads. No page, print view or downloaded file may contain them unescaped, and no page
//! may answer 5xx.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tower::ServiceExt;

/// Breaks out of attributes, textareas and scripts, and runs through event handlers.
const PAYLOAD: &str = r#""'><svg onload=alert(1)></textarea></title></script><script>alert(2)</script><img src=x onerror=alert(3)>"#;

/// What must never appear in an answer: the payload's markup, unescaped.
const RAW: [&str; 4] = [
    "<svg onload",
    "<script>alert",
    "<img src=x",
    "</textarea></title>",
];

/// The free-text columns written by people (tables with unique names get the row id).
const TEXT_COLUMNS: &[(&str, &str)] = &[
    ("day_entries", "work"),
    ("day_entries", "outcome"),
    ("day_entries", "place_note"),
    ("sheets", "review_comment"),
    ("sheet_events", "note"),
    ("cadres", "name"),
    ("cadres", "title"),
    ("departments", "name"),
    ("areas", "name"),
    ("villages", "name"),
    ("area_opinions", "text"),
    ("eval_namings", "reason"),
    ("eval_revisions", "note"),
    ("quarter_choices", "note"),
    ("appeals", "ground"),
    ("appeals", "answer"),
    ("policy_versions", "note"),
    ("outcomes", "withdrawn_reason"),
    ("case_notes", "body"),
    ("case_notes", "response"),
    ("notices", "title"),
    ("notices", "preamble"),
    ("notices", "issuer"),
];

struct Site {
    db: DatabaseConnection,
    router: Router,
}

impl Site {
    async fn get(&self, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .header("sec-fetch-site", "same-origin")
            .body(Body::empty())
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        (
            status,
            res.into_body().collect().await.unwrap().to_bytes().to_vec(),
        )
    }

    async fn login(&self, user: &str) -> String {
        let body = format!(
            r#"{{"username":"{user}","password":"{}"}}"#,
            server::demo::DEMO_PASSWORD
        );
        let req = Request::post("/api/v1/auth/sign_in")
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "sign-in of {user}");
        res.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    async fn ids(&self, sql: &str) -> Vec<i64> {
        self.db
            .query_all_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql,
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<i32>(0).map(i64::from).unwrap())
            .collect()
    }
}

fn assert_clean(what: &str, body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    for raw in RAW {
        if let Some(i) = text.find(raw) {
            let from = text[..i]
                .char_indices()
                .rev()
                .nth(200)
                .map_or(0, |(j, _)| j);
            let to = (i + 200).min(text.len());
            let to = (to..text.len())
                .find(|&k| text.is_char_boundary(k))
                .unwrap_or(text.len());
            panic!("{what} contains {raw:?} unescaped:\n…{}…", &text[from..to]);
        }
    }
}

#[tokio::test]
async fn payloads_in_every_text_field_and_parameter_stay_escaped() {
    let db = server::db::connect_and_migrate("sqlite::memory:")
        .await
        .unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-10-12T02:00:00Z")
        .unwrap()
        .to_utc();
    server::demo::seed(&db, 2026, now, &app::policy::Policy::default())
        .await
        .unwrap();
    for (table, col) in TEXT_COLUMNS {
        let sql = format!(
            "UPDATE {table} SET {col} = '{}' || id",
            PAYLOAD.replace('\'', "''")
        );
        db.execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{table}.{col}: {e}"));
    }
    let service = Arc::new(server::service::Service::new(
        db.clone(),
        app::policy::Policy::default(),
        Arc::new(move || now),
    ));
    let site = Site {
        db,
        router: server::app_router(service, "target/site", false),
    };
    let who = [
        "cadre07",
        "lead1",
        "cadre01",
        "shuji",
        "zhenzhang",
        "office1",
    ];
    let mut cookies = Vec::new();
    for u in who {
        cookies.push((u, site.login(u).await));
    }
    let sheets = site.ids("SELECT id FROM sheets WHERE cadre_id IN (SELECT id FROM cadres WHERE username IN ('cadre07','lead1')) ORDER BY id LIMIT 12").await;
    let results = site.ids("SELECT id FROM eval_results ORDER BY id").await;
    let cases = site.ids("SELECT id FROM cases ORDER BY id").await;
    let notices = site.ids("SELECT id FROM notices ORDER BY id").await;
    let mut pages: Vec<String> = [
        "/",
        "/login",
        "/sheets",
        "/inbox",
        "/archive",
        "/archive?text=%E8%AE%B0",
        "/account",
        "/admin",
        "/eval",
        "/eval/opinions",
        "/eval/pick",
        "/eval/quarter",
        "/eval/mine",
        "/eval/appeals",
        "/eval/policy",
        "/rewards",
        "/rewards/mine",
        "/ledger",
        "/ledger?period=2026-Q3",
        "/my-sheet/2026-10-1",
        "/eval/quarter?quarter=2026-Q3",
        "/eval/opinions?month=2026-09",
        "/eval/pick?month=2026-09",
        "/inbox?period=2026-09-2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for id in &sheets {
        pages.push(format!("/sheets/{id}"));
        pages.push(format!("/sheets/{id}/print"));
    }
    pages.extend(results.iter().map(|id| format!("/eval/results/{id}")));
    pages.extend(cases.iter().map(|id| format!("/cases/{id}")));
    pages.extend(notices.iter().map(|id| format!("/notices/{id}")));
    // Every parameter a page reads, set to the payload.
    let p = urlencode(PAYLOAD);
    for base in [
        "/",
        "/inbox",
        "/archive",
        "/eval",
        "/eval/opinions",
        "/eval/pick",
        "/eval/quarter",
        "/ledger",
        "/login",
    ] {
        pages.push(format!(
            "{base}?day={p}&saved={p}&error={p}&field={p}&work={p}&outcome={p}&place={p}&village_id={p}&place_note={p}&period={p}&month={p}&quarter={p}&person={p}&department={p}&from={p}&to={p}&text={p}&page={p}"
        ));
    }
    pages.push(format!("/archive?text={p}"));
    pages.push(format!("/archive?person={p}"));
    pages.push(format!("/sheets/{p}"));
    pages.push(format!("/my-sheet/{p}"));
    pages.push(format!("/notices/{p}"));
    let mut shown = 0;
    let mut fetched = 0;
    for (user, cookie) in &cookies {
        for path in &pages {
            let (s, body) = site.get(path, cookie).await;
            fetched += 1;
            assert!(!s.is_server_error(), "{user} {path}: {s}");
            assert_clean(&format!("{user} {path}"), &body);
            if String::from_utf8_lossy(&body).contains("&lt;svg onload=alert(1)&gt;") {
                shown += 1;
            }
        }
        for id in &notices {
            let (s, body) = site
                .get(&format!("/api/v1/notices/download?id={id}"), cookie)
                .await;
            if s == StatusCode::OK {
                assert_clean(&format!("{user} notice download {id}"), &body);
                shown += 1;
            }
        }
    }
    // The payloads were really on the pages (escaped), so the checks above meant something.
    assert!(
        shown > 100,
        "payloads shown escaped on only {shown} of {fetched} answers"
    );
    // The ledger's CSV for finance: every text cell is text (see the security tests for
    // formula prefixes); nothing else to escape in a CSV.
    let office = &cookies.iter().find(|c| c.0 == "office1").unwrap().1;
    let (s, csv) = site
        .get("/api/v1/ledger/export?period=2026-Q3&format=csv", office)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        String::from_utf8_lossy(&csv).contains("svg onload"),
        "names reach the CSV as text"
    );
    // API answers are JSON, never sniffed as HTML.
    let req = Request::post("/api/v1/record/my_sheets")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &cookies[0].1)
        .body(Body::from("{}"))
        .unwrap();
    let res = site.router.clone().oneshot(req).await.unwrap();
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let _ = site.db.close().await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_payload_is_recognised_when_raw() {
    assert!(std::panic::catch_unwind(|| assert_clean("x", PAYLOAD.as_bytes())).is_err());
    assert_clean("escaped", "&lt;svg onload=alert(1)&gt;".as_bytes());
}
