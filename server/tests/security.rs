//! Security through the router: cross-site requests, API bodies, headers, sessions, the
//! sign-in slow-down under parallel guessing, password rules, upload limits and spreadsheet
//! cells. On SQLite and (with `XN_TEST_PG`) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use common::{Ctx, ids};
use http::{Request, StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use server::entities::{audit_log, day_entry, session};

async fn entries(ctx: &Ctx) -> u64 {
    day_entry::Entity::find().count(&ctx.db).await.unwrap()
}

async fn audit_rows(ctx: &Ctx) -> u64 {
    audit_log::Entity::find().count(&ctx.db).await.unwrap()
}

fn save_body(n: u32) -> String {
    json!({"input": {"client_id": format!("xsite-{n:08}"), "day": "2026-04-15", "work": "跨站", "outcome": "x", "place": "office"}}).to_string()
}

/// A POST as a browser would send it from a page of `origin` (or with no provenance at all).
fn post(
    path: &str,
    ct: &str,
    body: String,
    cookie: Option<&str>,
    provenance: &[(&str, &str)],
) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::HOST, "xn.test")
        .header(header::CONTENT_TYPE, ct);
    for (k, v) in provenance {
        r = r.header(*k, *v);
    }
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn cross_site_requests_are_refused_with_a_valid_session() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let before = entries(&ctx).await;
    let evil: [&[(&str, &str)]; 5] = [
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.example"),
        ],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "http://evil.example")],
        &[("origin", "null")],
        &[("referer", "http://evil.example/page")],
    ];
    let form = "client_id=xsite-form1&day=2026-04-15&work=x&outcome=y&place=office".to_string();
    for (i, prov) in evil.iter().enumerate() {
        let cases = [
            post(
                "/api/v1/record/save_entry",
                "text/plain",
                save_body(i as u32),
                Some(&alice),
                prov,
            ),
            post(
                "/api/v1/record/save_entry",
                "application/json",
                save_body(i as u32),
                Some(&alice),
                prov,
            ),
            post(
                "/today",
                "application/x-www-form-urlencoded",
                form.clone(),
                Some(&alice),
                prov,
            ),
            post(
                "/logout",
                "application/x-www-form-urlencoded",
                String::new(),
                Some(&alice),
                prov,
            ),
            // Login CSRF: signing the victim in as the attacker.
            post(
                "/login",
                "application/x-www-form-urlencoded",
                "username=bob&password=password123".into(),
                None,
                prov,
            ),
        ];
        for req in cases {
            let path = req.uri().path().to_string();
            let (s, h, body) = ctx.send(req).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{path} with {prov:?}: {body}");
            assert!(h.get(header::SET_COOKIE).is_none(), "{path} set a cookie");
            if path.starts_with("/api/") {
                let v: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["reason"], "cross_site");
                assert!(
                    v["message"]
                        .as_str()
                        .unwrap()
                        .contains("不是从本系统的页面发出")
                );
            } else {
                assert!(body.contains("不是从本系统的页面发出"), "{body}");
            }
        }
        // The language switch is a GET that changes a cookie.
        let req = Request::get("/lang/en")
            .header(header::HOST, "xn.test")
            .header(header::COOKIE, &alice);
        let mut req = req;
        for (k, v) in prov.iter() {
            req = req.header(*k, *v);
        }
        let (s, h, _) = ctx.send(req.body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "/lang with {prov:?}");
        assert!(h.get(header::SET_COOKIE).is_none());
    }
    // The ledger export writes an audit row: a cross-site link to it is refused too.
    let office = ctx.login("office").await;
    let req = Request::get("/api/v1/ledger/export?period=2026-Q2&format=csv")
        .header(header::HOST, "xn.test")
        .header(header::COOKIE, &office)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    let rows = audit_rows(&ctx).await;
    assert_eq!(ctx.send(req).await.0, StatusCode::FORBIDDEN);
    assert_eq!(audit_rows(&ctx).await, rows);
    // A cookie with no provenance at all is not a browser on our page either.
    let (s, _, _) = ctx
        .send(post(
            "/api/v1/record/save_entry",
            "application/json",
            save_body(99),
            Some(&alice),
            &[],
        ))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(entries(&ctx).await, before, "nothing was stored");
    // The session still works: sign-out was refused too.
    let (s, _) = ctx.post("/api/v1/auth/me", json!({}), Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);

    // From our own pages: by Sec-Fetch-Site, or by Origin / Referer of our host.
    let ok: [&[(&str, &str)]; 3] = [
        &[("sec-fetch-site", "same-origin")],
        &[("origin", "http://xn.test")],
        &[("referer", "http://xn.test/sheets?x=1")],
    ];
    for (i, prov) in ok.iter().enumerate() {
        let (s, _, body) = ctx
            .send(post(
                "/api/v1/record/save_entry",
                "application/json",
                save_body(100 + i as u32),
                Some(&alice),
                prov,
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{prov:?}: {body}");
    }
    // Scripts without a session (no cookie) may sign in without provenance headers.
    let (s, _, _) = ctx
        .send(post(
            "/api/v1/auth/sign_in",
            "application/json",
            json!({"username": "bob", "password": common::PASSWORD}).to_string(),
            None,
            &[],
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    ctx.finish().await;
}

#[tokio::test]
async fn a_configured_public_origin_is_the_only_one_accepted() {
    let ctx = Ctx::new().await;
    let router = server::app_router_with(
        ctx.service.clone(),
        "target/site",
        server::web::WebSettings {
            public_origin: Some("https://xiaoneng.example.gov.cn".into()),
            ..Default::default()
        },
    );
    let alice = ctx.login("alice").await;
    let send = |origin: &'static str, n: u32| {
        let router = router.clone();
        let alice = alice.clone();
        async move {
            use tower::ServiceExt;
            router
                .oneshot(post(
                    "/api/v1/record/save_entry",
                    "application/json",
                    save_body(n),
                    Some(&alice),
                    &[("origin", origin)],
                ))
                .await
                .unwrap()
                .status()
        }
    };
    // Behind the proxy the Host is internal; only the public origin counts.
    assert_eq!(send("http://xn.test", 1).await, StatusCode::FORBIDDEN);
    assert_eq!(
        send("https://xiaoneng.example.gov.cn", 2).await,
        StatusCode::OK
    );
    ctx.finish().await;
}

#[tokio::test]
async fn the_api_takes_only_json_bodies_within_the_size_limit() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let before = entries(&ctx).await;
    let same = [("sec-fetch-site", "same-origin")];
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (s, _, body) = ctx
            .send(post(
                "/api/v1/record/save_entry",
                ct,
                save_body(1),
                Some(&alice),
                &same,
            ))
            .await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"], "unsupported_media_type");
        assert!(v["message"].as_str().unwrap().contains("JSON"));
    }
    let mut no_type = post(
        "/api/v1/record/save_entry",
        "x",
        save_body(2),
        Some(&alice),
        &same,
    );
    no_type.headers_mut().remove(header::CONTENT_TYPE);
    assert_eq!(
        ctx.send(no_type).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(entries(&ctx).await, before);
    let (s, _, _) = ctx
        .send(post(
            "/api/v1/record/save_entry",
            "application/json; charset=utf-8",
            save_body(3),
            Some(&alice),
            &same,
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    // An over-long body sent in chunks (no Content-Length) is 413 too.
    let chunks =
        (0..40).map(|_| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; 8 * 1024])));
    let req = Request::post("/api/v1/record/save_entry")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &alice)
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .unwrap();
    let (s, _, body) = ctx.send(req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("256 KB"), "{body}");
    ctx.finish().await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    // A page: its CSP allows only scripts with this response's nonce.
    let (s, h, html) = ctx.get("/", Some(&alice)).await;
    assert_eq!(s, StatusCode::OK);
    let csp = h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "'wasm-unsafe-eval'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(nonce.len() >= 16);
    assert!(!csp.contains("unsafe-inline"));
    // Every inline script of the page carries the nonce.
    for script in html.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        if !tag.contains("src=") {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "inline script without the nonce: {tag}"
            );
        }
    }
    // A new nonce every time.
    let (_, h2, _) = ctx.get("/", Some(&alice)).await;
    assert_ne!(
        h2[header::CONTENT_SECURITY_POLICY],
        h[header::CONTENT_SECURITY_POLICY]
    );
    // Pages, the sign-in page, JSON answers and errors.
    let (_, login, _) = ctx.get("/login", None).await;
    let (_, json_h, _) = {
        let req = post(
            "/api/v1/auth/me",
            "application/json",
            "{}".into(),
            Some(&alice),
            &[("sec-fetch-site", "same-origin")],
        );
        ctx.send(req).await
    };
    let (_, missing, _) = ctx.get("/no-such-page", Some(&alice)).await;
    for (what, h) in [
        ("page", &h),
        ("login", &login),
        ("json", &json_h),
        ("404", &missing),
    ] {
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{what}");
        assert!(
            h["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=()"),
            "{what}"
        );
        assert!(
            h[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{what}"
        );
        assert_eq!(h[header::CACHE_CONTROL], "no-store", "{what}");
        assert!(
            h.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "{what}: no HSTS over plain HTTP"
        );
    }
    // JSON answers allow nothing at all.
    assert!(
        json_h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    // Behind HTTPS (secure cookies): HSTS and Secure cookies.
    let secure = server::app_router(ctx.service.clone(), "target/site", true);
    use tower::ServiceExt;
    let res = secure
        .oneshot(post(
            "/api/v1/auth/sign_in",
            "application/json",
            json!({"username": "bob", "password": common::PASSWORD}).to_string(),
            None,
            &[("sec-fetch-site", "same-origin")],
        ))
        .await
        .unwrap();
    assert!(
        res.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    ctx.finish().await;
}

async fn me_status(ctx: &Ctx, cookie: &str) -> StatusCode {
    let (s, v) = ctx
        .post("/api/v1/record/my_sheets", json!({}), Some(cookie))
        .await;
    assert!(
        s == StatusCode::OK || s == StatusCode::UNAUTHORIZED,
        "{s} {v}"
    );
    s
}

#[tokio::test]
async fn sessions_are_new_at_each_sign_in_and_end_on_the_server() {
    let ctx = Ctx::with_sessions(server::service::SessionPolicy::default()).await;
    // An old cookie sent with the sign-in is ended, never carried over.
    let first = ctx.login("alice").await;
    let (s, _, second) = ctx
        .send_bytes(
            "/api/v1/auth/sign_in",
            "application/json",
            json!({"username": "alice", "password": common::PASSWORD})
                .to_string()
                .into_bytes(),
            Some(&first),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let second = second.unwrap();
    assert_ne!(first, second);
    assert_eq!(me_status(&ctx, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&ctx, &second).await, StatusCode::OK);
    // The same through the plain form.
    let (_, h) = ctx
        .post_form(
            "/login",
            &[("username", "alice"), ("password", common::PASSWORD)],
            Some(&second),
        )
        .await;
    let third = h[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(me_status(&ctx, &second).await, StatusCode::UNAUTHORIZED);
    // Sign-out ends it on the server: replaying the cookie does not work.
    let (s, h) = ctx.post_form("/logout", &[], Some(&third)).await;
    assert!(s.is_redirection());
    assert!(
        h[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(me_status(&ctx, &third).await, StatusCode::UNAUTHORIZED);

    // A password change ends the person's other sessions, not the current one.
    let phone = ctx.login("alice").await;
    let desk = ctx.login("alice").await;
    let bob = ctx.login("bob").await;
    let (s, v) = ctx
        .post(
            "/api/v1/auth/change_password",
            json!({"old_password": common::PASSWORD, "new_password": "河口村调研2026"}),
            Some(&desk),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(me_status(&ctx, &desk).await, StatusCode::OK);
    assert_eq!(me_status(&ctx, &phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me_status(&ctx, &bob).await,
        StatusCode::OK,
        "others keep theirs"
    );
    // A reset by the office ends every session of that person.
    let office = ctx.login("office").await;
    let (s, _) = ctx
        .post(
            "/api/v1/accounts/reset_password",
            json!({"id": ids::ALICE, "password": "桥头村走访2026"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me_status(&ctx, &desk).await, StatusCode::UNAUTHORIZED);
    ctx.finish().await;
}

#[tokio::test]
async fn sessions_end_after_the_idle_time_and_the_absolute_lifetime() {
    let policy = server::service::SessionPolicy::default();
    let ctx = Ctx::with_sessions(policy).await;
    let t0 = common::at(common::T0);
    let at = |d: chrono::Duration| (t0 + d).to_rfc3339();
    // Idle: unused for longer than the idle time.
    let a = ctx.login("alice").await;
    ctx.set_now(&at(policy.idle - chrono::Duration::minutes(1)));
    assert_eq!(me_status(&ctx, &a).await, StatusCode::OK);
    // Used just now: the idle time counts again from here.
    ctx.set_now(&at(policy.idle * 2 - chrono::Duration::minutes(2)));
    assert_eq!(me_status(&ctx, &a).await, StatusCode::OK);
    ctx.set_now(&at(policy.idle * 3));
    assert_eq!(me_status(&ctx, &a).await, StatusCode::UNAUTHORIZED);
    // Absolute: used every few hours, still ends at the lifetime.
    ctx.set_now(common::T0);
    let b = ctx.login("bob").await;
    let mut t = chrono::Duration::zero();
    while t + chrono::Duration::hours(6) < policy.max {
        t += chrono::Duration::hours(6);
        ctx.set_now(&at(t));
        assert_eq!(me_status(&ctx, &b).await, StatusCode::OK, "at {t}");
    }
    ctx.set_now(&at(policy.max + chrono::Duration::minutes(1)));
    assert_eq!(me_status(&ctx, &b).await, StatusCode::UNAUTHORIZED);
    // The cookie itself lasts no longer than the session.
    let (_, _, c) = ctx
        .send_bytes(
            "/api/v1/auth/sign_in",
            "application/json",
            json!({"username": "bob", "password": common::PASSWORD})
                .to_string()
                .into_bytes(),
            None,
        )
        .await;
    assert!(c.is_some());
    let rows = session::Entity::find().all(&ctx.db).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| r.expires_at - r.created_at == policy.max)
    );
    ctx.finish().await;
}

/// A sign-in request from a client address (as the connection would give it).
fn sign_in_from(user: &str, password: &str, addr: &str) -> Request<Body> {
    let mut r = post(
        "/api/v1/auth/sign_in",
        "application/json",
        json!({"username": user, "password": password}).to_string(),
        None,
        &[("sec-fetch-site", "same-origin")],
    );
    let addr: SocketAddr = addr.parse().unwrap();
    r.extensions_mut().insert(ConnectInfo(addr));
    r
}

/// The best an attacker can do against one account for an hour: 16 guesses at a time, and
/// as soon as the answers' `Retry-After` allows, 16 more. How many passwords get checked?
#[tokio::test]
async fn parallel_guesses_get_at_most_thirty_five_checks_an_hour_per_account() {
    let ctx = Ctx::new().await;
    let t0 = common::at(common::T0);
    let (mut checked, mut sent, mut elapsed, mut round) = (0, 0, 0i64, 0);
    while elapsed < 3600 {
        ctx.set_now(&(t0 + chrono::Duration::seconds(elapsed)).to_rfc3339());
        let guesses = (0..16).map(|i| {
            // Each guess from another address: the per-account rule alone must hold.
            let addr = format!("10.{}.{}.{}:5000", round / 250, round % 250, i + 1);
            ctx.send(sign_in_from("bob", &format!("guess-{round}-{i}"), &addr))
        });
        let mut wait = 1;
        for (s, h, body) in futures::future::join_all(guesses).await {
            sent += 1;
            match s {
                StatusCode::UNPROCESSABLE_ENTITY => checked += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    let after: i64 = h[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
                    wait = wait.max(after);
                }
                other => panic!("{other}: {body}"),
            }
        }
        elapsed += wait;
        round += 1;
    }
    println!(
        "one hour of parallel guessing at one account: {sent} guesses sent, {checked} passwords checked"
    );
    assert!(checked <= 5 + 30, "{checked} passwords checked in an hour");
    assert!(checked >= 5, "the first five are not slowed down");
    ctx.finish().await;
}

#[tokio::test]
async fn unknown_names_are_answered_like_known_ones_and_write_nothing() {
    let ctx = Ctx::new().await;
    let rows = audit_rows(&ctx).await;
    let mut answers = Vec::new();
    for user in ["bob", "nobody"] {
        let mut seq = Vec::new();
        for i in 0..7 {
            let (s, _, v) = ctx
                .send(sign_in_from(user, "wrong", &format!("10.1.0.{i}:1")))
                .await;
            let v: Value = serde_json::from_str(&v).unwrap();
            seq.push((
                s,
                v["error"].as_str().unwrap().to_string(),
                v.get("reason").cloned(),
            ));
        }
        answers.push(seq);
    }
    assert_eq!(
        answers[0], answers[1],
        "the answers tell nothing about which names exist"
    );
    assert_eq!(answers[0][4].0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answers[0][5].0, StatusCode::TOO_MANY_REQUESTS);
    // Only the known account's failures are recorded (an unknown name takes no lock and
    // writes no row).
    let after = audit_rows(&ctx).await;
    assert_eq!(
        after - rows,
        5,
        "five recorded failures of bob, none of nobody"
    );
    ctx.finish().await;
}

/// A slowed-down sign-in is answered only after a pause, so a client that waits for each
/// answer cannot flood the server with cheap refusals.
#[tokio::test]
async fn refused_sign_ins_are_answered_after_a_pause() {
    use app::ports::Sessions;
    let ctx = Ctx::new().await;
    let paused = server::service::Service::new(ctx.db.clone(), app::policy::Policy::default(), {
        let t = common::at(common::T0);
        std::sync::Arc::new(move || t)
    });
    let from = app::ports::SignInFrom::default();
    for _ in 0..5 {
        assert!(paused.sign_in("bob", "wrong", &from).await.is_err());
    }
    let t = std::time::Instant::now();
    let e = paused.sign_in("bob", "wrong", &from).await.unwrap_err();
    assert!(
        matches!(e, app::error::AppError::TooManyRequests { .. }),
        "{e:?}"
    );
    assert!(
        t.elapsed() >= server::service::REFUSAL_PAUSE.mul_f32(0.9),
        "{:?}",
        t.elapsed()
    );
    ctx.finish().await;
}

#[tokio::test]
async fn one_address_spraying_many_accounts_is_slowed_down() {
    let ctx = Ctx::new().await;
    let users = common::USERS.map(|u| u.0);
    let mut checked = 0;
    for round in 0..10 {
        for u in users {
            let (s, _, _) = ctx
                .send(sign_in_from(
                    u,
                    &format!("spray{round}"),
                    "203.0.113.9:4000",
                ))
                .await;
            if s == StatusCode::UNPROCESSABLE_ENTITY {
                checked += 1;
            }
        }
    }
    assert_eq!(
        checked,
        server::throttle::ADDR_BURST as u32,
        "one address gets its burst, then waits"
    );
    // Another address is not affected by it.
    let (s, _, _) = ctx
        .send(sign_in_from("alice", common::PASSWORD, "198.51.100.4:4000"))
        .await;
    assert_eq!(s, StatusCode::OK);
    ctx.finish().await;
}

#[tokio::test]
async fn common_passwords_are_refused_wherever_a_password_is_set() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    let office = ctx.login("office").await;
    let (s, v) = ctx
        .post(
            "/api/v1/auth/change_password",
            json!({"old_password": common::PASSWORD, "new_password": "woaini1314"}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (s, v["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password_common")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("太常见"));
    let (s, v) = ctx
        .post(
            "/api/v1/accounts/reset_password",
            json!({"id": ids::BOB, "password": "12345678"}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, v["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password_common"))
    );
    let (s, v) = ctx
        .post(
            "/api/v1/accounts/create",
            json!({"account": {"username": "wu9", "name": "吴九", "department": "党政办", "roles": ["cadre"], "password": "password2026"}}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, v["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password_common"))
    );
    let csv = "username,name,title,department,roles,supervisor,password\nwu9,吴九,科员,党政办,cadre,,qwerty123\n";
    let (s, v) = ctx
        .post(
            "/api/v1/accounts/import",
            json!({"csv": csv}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["reason"], "password_common");
    // The old password still works: nothing was changed.
    let (s, _) = ctx
        .post(
            "/api/v1/auth/sign_in",
            json!({"username": "alice", "password": common::PASSWORD}),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    ctx.finish().await;
}

#[tokio::test]
async fn uploads_over_the_row_limit_are_refused_with_a_clear_message() {
    let ctx = Ctx::new().await;
    let office = ctx.login("office").await;
    let mut csv = String::from("username,name,title,department,roles,supervisor,password\n");
    for i in 0..=server::import::MAX_ROWS {
        csv.push_str(&format!(
            "p{i:04},人员{i},科员,党政办,cadre,,bridge-{i}-lantern\n"
        ));
    }
    let rows = audit_rows(&ctx).await;
    let (s, v) = ctx
        .post(
            "/api/v1/accounts/import",
            json!({"csv": csv}),
            Some(&office),
        )
        .await;
    assert_eq!(
        (s, v["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many_rows")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("500 行"));
    assert_eq!(audit_rows(&ctx).await, rows);
    ctx.finish().await;
}

#[tokio::test]
async fn spreadsheet_exports_neutralise_formulas_and_keep_amounts() {
    use calamine::{Data, Reader, Xlsx};
    let ctx = Ctx::new().await;
    let office = ctx.login("office").await;
    let (s, _) = ctx
        .post(
            "/api/v1/org/create_department",
            json!({"name": "+86 联络组"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let evil = r#"=HYPERLINK("http://evil.example","点此")"#;
    let (s, v) = ctx
        .post(
            "/api/v1/accounts/create",
            json!({"account": {"username": "evil1", "name": evil, "department": "+86 联络组", "roles": ["cadre"], "password": "ferry-lantern-42"}}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["id"].as_i64().unwrap();
    ctx.set_now("2026-07-12T02:00:00Z");
    let (s, v) = ctx
        .post(
            "/api/v1/ledger/set_base",
            json!({"cadre": id, "period": "2026-Q2", "amount": "3000"}),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _, csv) = ctx
        .get(
            "/api/v1/ledger/export?period=2026-Q2&format=csv",
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut rdr = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let mut seen = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for cell in rec.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "formula-like cell {cell:?}"
            );
            // Only amounts may start with a minus sign.
            if let Some(rest) = cell.strip_prefix('-') {
                assert!(rest.parse::<f64>().is_ok(), "{cell:?}");
            }
        }
        if rec.get(0) == Some("evil1") {
            assert_eq!(rec.get(1), Some(format!("'{evil}").as_str()));
            assert_eq!(rec.get(2), Some("'+86 联络组"));
            seen += 1;
        }
    }
    assert!(seen >= 2, "base and due lines of the account");
    assert!(
        csv.contains("evil1,") && csv.contains(",3000.00,"),
        "amounts unchanged"
    );
    let (_, _, bytes) = ctx
        .get_bytes(
            "/api/v1/ledger/export?period=2026-Q2&format=xlsx",
            Some(&office),
        )
        .await;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sum = wb.worksheet_range("汇总").unwrap();
    let row = sum
        .rows()
        .find(|r| r[0] == Data::String("evil1".into()))
        .unwrap();
    assert_eq!(row[1], Data::String(format!("'{evil}")));
    assert_eq!(row[4], Data::Float(3000.0));
    ctx.finish().await;
}

/// Half-open and idle connections beyond the limit neither exhaust the server nor keep it
/// from answering: they wait to be accepted, and are closed once the header timeout passes.
#[tokio::test]
async fn a_flood_of_half_open_connections_does_not_stop_the_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ctx = Ctx::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = server::net::Limits {
        max_connections: 16,
        header_timeout: std::time::Duration::from_secs(1),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let router = ctx.router.clone();
    let served = tokio::spawn(server::net::serve(listener, router, limits, async {
        let _ = stop_rx.await;
    }));
    let mut flood = Vec::new();
    for i in 0..64 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        }
        flood.push(s);
    }
    let t = std::time::Instant::now();
    let mut answered = false;
    while t.elapsed() < std::time::Duration::from_secs(15) {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut buf = Vec::new();
        if let Ok(Ok(_)) =
            tokio::time::timeout(std::time::Duration::from_secs(3), c.read_to_end(&mut buf)).await
            && buf.starts_with(b"HTTP/1.1 200")
        {
            answered = true;
            break;
        }
    }
    assert!(answered, "the health check was never answered");
    println!(
        "health check answered {:.1} s into a flood of 64 half-open connections (limit 16, header timeout 1 s)",
        t.elapsed().as_secs_f64()
    );
    // The flood's connections were closed by the server.
    let mut closed = 0;
    for mut s in flood {
        let mut b = [0u8; 64];
        if let Ok(Ok(0)) =
            tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut b)).await
        {
            closed += 1;
        }
    }
    assert!(
        closed >= 48,
        "only {closed} of 64 idle connections were closed"
    );
    let _ = stop_tx.send(());
    served.await.unwrap().unwrap();
    ctx.finish().await;
}

/// A server-to-server call with an API token: no cookie, no browser headers.
async fn with_token(ctx: &Ctx, path: &str, secret: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, _, text) = ctx.send(req).await;
    (s, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn token_uses(ctx: &Ctx) -> u64 {
    use sea_orm::{ColumnTrait, QueryFilter};
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("token.used"))
        .count(&ctx.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn api_tokens_act_with_their_one_role_every_use_is_audited_and_revocation_is_final() {
    let ctx = Ctx::new().await;
    let office = ctx.login("office").await;
    let lead1 = ctx.login("lead1").await;
    let create = |account: i32, role: &str, until: &str| json!({"name": "县效能办对接", "account": account, "role": role, "expires_on": until});
    // Only the office creates tokens, for a role the account has, for at most a year.
    let (s, _) = ctx
        .post(
            "/api/v1/tokens/create",
            create(ids::LEAD1, "supervisor", "2026-05-15"),
            Some(&lead1),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (body, field, reason) in [
        (
            create(ids::ALICE, "office", "2026-05-15"),
            "role",
            "bad_role",
        ),
        (
            create(ids::LEAD1, "supervisor", "2027-06-01"),
            "expires_on",
            "out_of_range",
        ),
        (
            create(ids::LEAD1, "supervisor", "2026-04-15"),
            "expires_on",
            "out_of_range",
        ),
        (
            json!({"name": "a\nb", "account": ids::LEAD1, "role": "supervisor", "expires_on": "2026-05-15"}),
            "name",
            "one_line",
        ),
    ] {
        let (s, e) = ctx
            .post("/api/v1/tokens/create", body.clone(), Some(&office))
            .await;
        assert_eq!(
            (s, e["field"].as_str(), e["reason"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field), Some(reason)),
            "{body}"
        );
    }
    let (s, made) = ctx
        .post(
            "/api/v1/tokens/create",
            create(ids::LEAD1, "supervisor", "2026-05-15"),
            Some(&office),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{made}");
    let secret = made["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("xn_") && secret.len() == 67, "{secret}");
    assert_eq!(made["token"]["account"]["id"], ids::LEAD1);
    assert_eq!(made["token"]["active"], true);
    // The list never shows the secret, only its first characters; the database only a hash.
    let (_, list) = ctx
        .post("/api/v1/tokens/list", json!({}), Some(&office))
        .await;
    assert_eq!(list[0]["prefix"], &secret[..11]);
    assert!(!list.to_string().contains(&secret[11..]), "{list}");
    let stored = server::entities::api_token::Entity::find()
        .all(&ctx.db)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|t| t.secret_hash != secret && !t.secret_hash.contains(&secret[11..]))
    );

    // With the token: what a supervisor may do, nothing more, each use audited.
    let before = token_uses(&ctx).await;
    let (s, me) = with_token(&ctx, "/api/v1/auth/me", &secret, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(
        (me["username"].as_str(), me["roles"].clone()),
        (Some("lead1"), json!(["supervisor"]))
    );
    let (s, inbox) = with_token(&ctx, "/api/v1/review/inbox", &secret, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{inbox}");
    let (s, _) = with_token(&ctx, "/api/v1/accounts/list", &secret, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(token_uses(&ctx).await, before + 3);
    // A token manages no tokens and changes no password.
    let (s, _) = with_token(&ctx, "/api/v1/tokens/list", &secret, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = with_token(
        &ctx,
        "/api/v1/auth/change_password",
        &secret,
        json!({"old_password": "x", "new_password": "y"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // It opens no page.
    let page = Request::get("/")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    let (s, h, _) = ctx.send(page).await;
    assert!(s.is_redirection(), "{s}");
    assert_eq!(h.get(header::LOCATION).unwrap(), "/login");
    // A wrong secret is no one.
    let (s, _) = with_token(&ctx, "/api/v1/review/inbox", "xn_0000", json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Revoked: refused at once, and for good.
    let id = made["token"]["id"].clone();
    let (s, v) = ctx
        .post("/api/v1/tokens/revoke", json!({"id": id}), Some(&office))
        .await;
    assert_eq!(
        (s, v["active"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{v}"
    );
    let (s, _) = with_token(&ctx, "/api/v1/review/inbox", &secret, json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = ctx
        .post("/api/v1/tokens/revoke", json!({"id": id}), Some(&office))
        .await;
    assert_eq!(
        (s, v["reason"].as_str()),
        (StatusCode::CONFLICT, Some("already_revoked"))
    );

    // Expired: refused after the end of its last day (Shanghai time).
    let (_, short) = ctx
        .post(
            "/api/v1/tokens/create",
            create(ids::LEAD1, "supervisor", "2026-04-16"),
            Some(&office),
        )
        .await;
    let short = short["secret"].as_str().unwrap().to_string();
    ctx.set_now("2026-04-16T15:00:00Z");
    assert_eq!(
        with_token(&ctx, "/api/v1/auth/me", &short, json!({}))
            .await
            .0,
        StatusCode::OK
    );
    ctx.set_now("2026-04-16T16:00:01Z");
    let (_, me) = with_token(&ctx, "/api/v1/auth/me", &short, json!({})).await;
    assert_eq!(me, Value::Null, "auth/me answers null for no one");
    let (s, _) = with_token(&ctx, "/api/v1/review/inbox", &short, json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    ctx.finish().await;
}
