//! Test support: a fresh database per test (SQLite in memory, or a throw-away PostgreSQL
//! database when `XN_TEST_PG` holds a server URL), a small township, a pinned clock and an
//! HTTP client that drives the real router with `tower::ServiceExt::oneshot`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use app::policy::Policy;
use axum::Router;
use axum::body::Body;
use chrono::{DateTime, Utc};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, Set};
use serde_json::{Value, json};
use server::entities::{area, cadre, department, supervision, village};
use server::service::Service;
use tower::ServiceExt;

pub const PASSWORD: &str = "password123";

/// A test township and its router.
pub struct Ctx {
    pub db: DatabaseConnection,
    pub router: Router,
    pub service: Arc<Service>,
    pub now: Arc<AtomicI64>,
    pg_name: Option<(String, String)>,
}

/// Ids of the fixture's people and places.
pub mod ids {
    pub const OFFICE: i32 = 1;
    pub const SHUJI: i32 = 2;
    pub const LEAD1: i32 = 3;
    pub const LEAD2: i32 = 4;
    pub const ALICE: i32 = 5; // supervised by lead1
    pub const BOB: i32 = 6; // supervised by lead2
    pub const CHIEF: i32 = 7; // area chief, supervised by lead1
    pub const INSPECTOR: i32 = 8;
    pub const COMMITTEE: i32 = 9;
    pub const ZHENZHANG: i32 = 10;
    /// The fixture's one area; its chief is `CHIEF`, alice and bob work in it.
    pub const AREA: i32 = 1;
}

/// The usernames, in id order.
pub const USERS: [(&str, &str); 10] = [
    ("office", "cadre,office"),
    ("shuji", "cadre,principal,committee"),
    ("lead1", "cadre,supervisor"),
    ("lead2", "cadre,supervisor"),
    ("alice", "cadre"),
    ("bob", "cadre"),
    ("chief", "cadre,area_chief"),
    ("inspector", "inspector"),
    ("jiwei", "cadre,committee"),
    ("zhenzhang", "cadre,principal"),
];

/// 2026-04-15 10:00 in Shanghai: the middle dekad of April is open, the early one just ended.
pub const T0: &str = "2026-04-15T02:00:00Z";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

impl Ctx {
    /// A fresh township whose sessions outlast the clock jumps of the evaluation tests
    /// (months); session expiry has tests of its own ([`Ctx::with_sessions`]).
    pub async fn new() -> Ctx {
        let long = chrono::Duration::days(3650);
        Ctx::with_sessions(server::service::SessionPolicy {
            idle: long,
            max: long,
        })
        .await
    }

    /// A fresh township with the given session lifetimes.
    pub async fn with_sessions(sessions: server::service::SessionPolicy) -> Ctx {
        Ctx::build(sessions, None).await
    }

    /// A fresh township in a SQLite file (for backups and restarts), whatever `XN_TEST_PG`.
    pub async fn on_sqlite_file(path: &std::path::Path) -> Ctx {
        let long = chrono::Duration::days(3650);
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Ctx::build(
            server::service::SessionPolicy {
                idle: long,
                max: long,
            },
            Some(url),
        )
        .await
    }

    /// The URL of this test's PostgreSQL database, if it runs on one.
    pub fn pg_url(&self) -> Option<String> {
        self.pg_name
            .as_ref()
            .map(|(base, name)| format!("{}/{name}", base.trim_end_matches('/')))
    }

    async fn build(sessions: server::service::SessionPolicy, file: Option<String>) -> Ctx {
        let pg = std::env::var("XN_TEST_PG")
            .ok()
            .filter(|s| !s.is_empty() && file.is_none());
        let (db, pg_name) = match pg {
            Some(base) => {
                let admin = server::db::connect(&format!(
                    "{}postgres",
                    base.trim_end_matches('/').to_string() + "/"
                ))
                .await
                .unwrap();
                let name = format!("xn_test_{}", uuid::Uuid::new_v4().simple());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                drop(admin);
                let url = format!("{}/{name}", base.trim_end_matches('/'));
                (
                    server::db::connect_and_migrate(&url).await.unwrap(),
                    Some((base, name)),
                )
            }
            None => (
                server::db::connect_and_migrate(file.as_deref().unwrap_or("sqlite::memory:"))
                    .await
                    .unwrap(),
                None,
            ),
        };
        let now = Arc::new(AtomicI64::new(at(T0).timestamp_micros()));
        let clock_now = now.clone();
        let clock: server::service::Clock = Arc::new(move || {
            DateTime::from_timestamp_micros(clock_now.load(Ordering::SeqCst)).unwrap()
        });
        fixture(&db).await;
        // Tests send many refused sign-ins: no pause before their 429 (tested on its own).
        let service = Arc::new(
            Service::new(db.clone(), Policy::default(), clock)
                .with_limits(sessions, 2)
                .with_refusal_pause(std::time::Duration::ZERO),
        );
        let router = server::app_router(service.clone(), "target/site", false);
        Ctx {
            db,
            router,
            service,
            now,
            pg_name,
        }
    }

    /// Moves the pinned clock.
    pub fn set_now(&self, s: &str) {
        self.now.store(at(s).timestamp_micros(), Ordering::SeqCst);
    }

    /// Drops the PostgreSQL test database.
    pub async fn finish(self) {
        let Ctx {
            db,
            router,
            service,
            pg_name,
            ..
        } = self;
        drop(router);
        drop(service);
        let _ = db.close().await;
        if let Some((base, name)) = pg_name {
            let admin = server::db::connect(&format!("{}/postgres", base.trim_end_matches('/')))
                .await
                .unwrap();
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }

    /// Signs in and returns the session cookie (`xn_session=…`).
    pub async fn login(&self, user: &str) -> String {
        let (status, _, cookie) = self
            .post_raw(
                "/api/v1/auth/sign_in",
                json!({"username": user, "password": PASSWORD}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "sign-in of {user}");
        cookie.expect("session cookie")
    }

    /// POSTs JSON to an API path.
    pub async fn post(&self, path: &str, body: Value, cookie: Option<&str>) -> (StatusCode, Value) {
        let (s, v, _) = self.post_raw(path, body, cookie).await;
        (s, v)
    }

    pub async fn post_raw(
        &self,
        path: &str,
        body: Value,
        cookie: Option<&str>,
    ) -> (StatusCode, Value, Option<String>) {
        self.send_bytes(
            path,
            "application/json",
            body.to_string().into_bytes(),
            cookie,
        )
        .await
    }

    pub async fn send_bytes(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        cookie: Option<&str>,
    ) -> (StatusCode, Value, Option<String>) {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::ACCEPT, "application/json")
            // What a browser sends for a request from our own pages.
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let cookie = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("xn_session=") && !v.starts_with("xn_session=;"))
            .map(|v| v.split(';').next().unwrap().to_string());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value, cookie)
    }

    /// GETs a page; returns status, headers and body text.
    pub async fn get(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, http::HeaderMap, String) {
        let (status, headers, bytes) = self.get_bytes(path, cookie).await;
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// GETs a file; returns status, headers and the raw body.
    #[allow(dead_code)]
    pub async fn get_bytes(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, http::HeaderMap, Vec<u8>) {
        // A browser following a link of our own pages says so.
        let mut req = Request::get(path).header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// POSTs a URL-encoded form (the no-JavaScript path).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> (StatusCode, http::HeaderMap) {
        let (s, h, _) = self.post_form_body(path, form, cookie).await;
        (s, h)
    }

    /// Like [`Ctx::post_form`], with the answer's body.
    pub async fn post_form_body(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> (StatusCode, http::HeaderMap, String) {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// Sends any request as it is (no headers added); returns status, headers and body.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// Saves an entry for `day` as the signed-in owner of `cookie`.
    pub async fn save(&self, cookie: &str, day: &str, work: &str) -> (StatusCode, Value) {
        self.post(
            "/api/v1/record/save_entry",
            json!({"input": {"client_id": uuid::Uuid::new_v4().simple().to_string(), "day": day, "work": work, "outcome": "完成", "place": "office"}}),
            Some(cookie),
        )
        .await
    }
}

/// Inserts a submitted sheet for `cadre_id` and `period` with one entry per day written;
/// returns the entry ids. Used to give evaluations a month of records without driving
/// the clock through every dekad.
pub async fn submitted_sheet(
    db: &DatabaseConnection,
    cadre_id: i32,
    period: app::calendar::SheetPeriod,
    text: &str,
) -> Vec<i32> {
    use server::entities::{day_entry, sheet};
    let submitted = period.due(&Policy::default()) - chrono::Duration::hours(30);
    let s = sheet::ActiveModel {
        cadre_id: Set(cadre_id),
        year: Set(period.year),
        month: Set(period.month as i32),
        dekad: Set(period.dekad.number()),
        status: Set("submitted".into()),
        late: Set(false),
        submitted_at: Set(Some(submitted)),
        reviewed_at: Set(None),
        reviewer_id: Set(None),
        review_comment: Set(None),
        created_at: Set(submitted),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let mut out = Vec::new();
    for d in period.days().into_iter().take(3) {
        let e = day_entry::ActiveModel {
            sheet_id: Set(s.id),
            day: Set(d),
            work: Set(format!("{text} {d}")),
            outcome: Set("完成".into()),
            place: Set("office".into()),
            village_id: Set(None),
            place_note: Set(None),
            written_at: Set(submitted),
            updated_at: Set(submitted),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        out.push(e.id);
    }
    out
}

/// Every supervised fixture cadre's three submitted sheets of a month (`2026-04`);
/// returns entry ids per cadre.
pub async fn submitted_month(
    db: &DatabaseConnection,
    year: i32,
    month: u32,
) -> std::collections::HashMap<i32, Vec<i32>> {
    let mut out = std::collections::HashMap::new();
    for c in [ids::ALICE, ids::BOB, ids::CHIEF, ids::OFFICE] {
        for dekad in [
            app::calendar::Dekad::Early,
            app::calendar::Dekad::Middle,
            app::calendar::Dekad::Late,
        ] {
            let p = app::calendar::SheetPeriod { year, month, dekad };
            let e = submitted_sheet(db, c, p, &format!("工作{c}")).await;
            out.entry(c).or_insert_with(Vec::new).extend(e);
        }
    }
    out
}

async fn fixture(db: &DatabaseConnection) {
    let d1 = department::ActiveModel {
        name: Set("党政办".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let d2 = department::ActiveModel {
        name: Set("农业农村办".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let a = area::ActiveModel {
        name: Set("东片".into()),
        chief_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    for v in ["河口村", "桥头村"] {
        village::ActiveModel {
            name: Set(v.into()),
            area_id: Set(a.id),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    let hash = server::auth::hash_password(PASSWORD).unwrap();
    for (i, (u, roles)) in USERS.iter().enumerate() {
        let c = cadre::ActiveModel {
            username: Set((*u).into()),
            name: Set(format!("测试{u}")),
            title: Set("科员".into()),
            department_id: Set(if i % 2 == 0 { d1.id } else { d2.id }),
            area_id: Set(matches!(*u, "alice" | "bob").then_some(a.id)),
            roles: Set((*roles).into()),
            password_hash: Set(hash.clone()),
            active: Set(true),
            failed_logins: Set(0),
            last_failed_at: Set(None),
            created_at: Set(at("2026-03-01T00:00:00Z")),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        assert_eq!(c.id, i as i32 + 1);
    }
    let mut am: area::ActiveModel = a.into();
    am.chief_id = Set(Some(ids::CHIEF));
    am.update(db).await.unwrap();
    let from = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    for (cadre_id, sup) in [
        (ids::ALICE, ids::LEAD1),
        (ids::BOB, ids::LEAD2),
        (ids::CHIEF, ids::LEAD1),
        (ids::OFFICE, ids::LEAD2),
    ] {
        supervision::ActiveModel {
            cadre_id: Set(cadre_id),
            supervisor_id: Set(sup),
            valid_from: Set(from),
            valid_to: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
}

/// A published quarterly result (as the principals' decision would leave it), with its
/// namings. Returns the result id and the naming ids in order (best first).
#[allow(dead_code)]
pub async fn published(
    ctx: &Ctx,
    year: i32,
    quarter: i32,
    best: &[i32],
    worst: &[i32],
    when: &str,
) -> (i32, Vec<i32>) {
    let r = server::entities::eval_result::ActiveModel {
        scope: Set(format!("q:{year}-Q{quarter}")),
        kind: Set("quarterly".into()),
        year: Set(year),
        period: Set(quarter),
        owner_id: Set(None),
        policy_version: Set(1),
        made_by: Set(ids::SHUJI),
        made_at: Set(at(when)),
        late: Set(false),
        published_at: Set(Some(at(when))),
        revision: Set(1),
        missing_confirmed: Set(false),
        missing_sheets: Set(0),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await
    .unwrap();
    server::entities::eval_revision::ActiveModel {
        result_id: Set(r.id),
        revision: Set(1),
        by_id: Set(ids::SHUJI),
        at: Set(at(when)),
        note: Set("published".into()),
        appeal_id: Set(None),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await
    .unwrap();
    let mut namings = Vec::new();
    for (kind, who) in best
        .iter()
        .map(|w| ("best", w))
        .chain(worst.iter().map(|w| ("worst", w)))
    {
        let n = server::entities::eval_naming::ActiveModel {
            result_id: Set(r.id),
            cadre_id: Set(*who),
            kind: Set(kind.into()),
            reason: Set(format!("{kind} 理由 {who}")),
            citations: Set("[]".into()),
            added_in: Set(1),
            removed_in: Set(None),
            ..Default::default()
        }
        .insert(&ctx.db)
        .await
        .unwrap();
        namings.push(n.id);
    }
    (r.id, namings)
}
