//! Crash durability: the real `xiaoneng` binary is killed with SIGKILL while several
//! writers save, then restarted, a few dozen times. Afterwards every acknowledged save is
//! stored exactly once (also the one in flight at the kill, sent again with the same client
//! id), the database passes `integrity_check` and the audit chain verifies. SQLite file by
//! default; the PostgreSQL database of the run with `XN_TEST_PG`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Ctx;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::entities::{audit_log, entry_save};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 request on a new connection; `None` if the server is gone.
async fn http(addr: &str, path: &str, cookie: &str, body: &str) -> Option<(u16, String)> {
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    let method = if body.is_empty() { "GET" } else { "POST" };
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\nCookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.ok()?;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, text))
}

fn start(url: &str, addr: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_xiaoneng"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("XN_LISTEN", addr)
        .env("XN_NOW", common::T0)
        .env("XN_SITE_ROOT", "target/site")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(addr: &str, child: &mut Child) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(60) {
        assert!(child.try_wait().unwrap().is_none(), "the server exited");
        if let Some((200, _)) = http(addr, "/healthz", "", "").await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

/// SQLite's own check of the file.
async fn assert_integrity(db: &sea_orm::DatabaseConnection, when: &str) {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "ok", "{when}");
}

fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_saves_survive_sigkill_exactly_once() {
    let pg = std::env::var("XN_TEST_PG").is_ok_and(|v| !v.is_empty());
    let dir = std::env::temp_dir().join(format!("xn-crash-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    // The township is made through the test fixture, then served by the binary.
    let ctx = if pg {
        Ctx::new().await
    } else {
        Ctx::on_sqlite_file(&dir.join("crash.db")).await
    };
    let url = ctx
        .pg_url()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("crash.db").display()));
    let runs = if pg { 10 } else { 25 };
    let writers = ["alice", "bob", "chief", "lead1", "lead2", "office"];
    let mut cookies = Vec::new();
    // Acknowledged client ids, and per writer the one in flight when the server died.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut in_flight: HashMap<usize, String> = HashMap::new();
    let mut seq = 0u64;
    for run in 0..runs {
        let addr = free_addr();
        let mut child = start(&url, &addr);
        wait_up(&addr, &mut child).await;
        if cookies.is_empty() {
            for u in writers {
                let body = format!(r#"{{"username":"{u}","password":"{}"}}"#, common::PASSWORD);
                let (s, text) = http(&addr, "/api/v1/auth/sign_in", "", &body)
                    .await
                    .unwrap();
                assert_eq!(s, 200, "{text}");
                let c = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .starts_with("set-cookie: xn_session=")
                            .then(|| l[12..].split(';').next().unwrap().to_string())
                    })
                    .unwrap();
                cookies.push(c);
            }
        }
        // Every integrity check after a restart.
        if !pg {
            assert_integrity(&ctx.db, &format!("after run {run}")).await;
        }
        let deadline = Instant::now() + Duration::from_millis(150 + (run as u64 * 37) % 400);
        let mut tasks = Vec::new();
        for (w, cookie) in cookies.iter().enumerate() {
            let first = in_flight.remove(&w);
            let start_seq = seq + w as u64 * 1_000_000;
            let (addr, cookie, acked) = (addr.clone(), cookie.clone(), acked.clone());
            tasks.push(tokio::spawn(async move {
                let mut next = first;
                let mut n = start_seq;
                loop {
                    let id = next.take().unwrap_or_else(|| {
                        n += 1;
                        format!("crash-{w}-{n:010}")
                    });
                    // The day follows from the id, so a save retried after a kill is sent
                    // again exactly as it was (other content under its id would be a 409).
                    let id_n: u64 = id.rsplit('-').next().and_then(|x| x.parse().ok()).unwrap();
                    let day = 11 + (id_n % 5);
                    let body = format!(r#"{{"input":{{"client_id":"{id}","day":"2026-04-{day}","work":"断电测试{id}","outcome":"完成","place":"office"}}}}"#);
                    match http(&addr, "/api/v1/record/save_entry", &cookie, &body).await {
                        Some((200, _)) => acked.lock().unwrap().push(id),
                        Some((s, text)) => panic!("save answered {s}: {text}"),
                        // The server is gone: this one may or may not have been stored.
                        None => return Some(id),
                    }
                    if Instant::now() > deadline + Duration::from_secs(5) {
                        return None;
                    }
                }
            }));
        }
        tokio::time::sleep_until(deadline.into()).await;
        child.kill().unwrap();
        child.wait().unwrap();
        for (w, t) in tasks.into_iter().enumerate() {
            if let Some(id) = t.await.unwrap() {
                in_flight.insert(w, id);
            }
        }
        seq += 10_000;
    }
    // One last start sends the saves that were in flight at the last kill.
    let addr = free_addr();
    let mut child = start(&url, &addr);
    wait_up(&addr, &mut child).await;
    for (w, id) in in_flight.drain() {
        // Sent again exactly as it was: it may have been stored before the kill, and other
        // content under its id would rightly be a 409.
        let id_n: u64 = id.rsplit('-').next().and_then(|x| x.parse().ok()).unwrap();
        let day = 11 + (id_n % 5);
        let body = format!(
            r#"{{"input":{{"client_id":"{id}","day":"2026-04-{day}","work":"断电测试{id}","outcome":"完成","place":"office"}}}}"#
        );
        let (s, text) = http(&addr, "/api/v1/record/save_entry", &cookies[w], &body)
            .await
            .unwrap();
        assert_eq!(s, 200, "{text}");
        acked.lock().unwrap().push(id);
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > runs * 5,
        "too few saves to mean anything: {}",
        acked.len()
    );
    let stored: std::collections::HashSet<String> = entry_save::Entity::find()
        .all(&ctx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.client_id)
        .collect();
    let lost = acked.iter().filter(|id| !stored.contains(*id)).count();
    // Exactly once: one applied save, one audit row (a resent client id adds neither).
    let saves = entry_save::Entity::find().count(&ctx.db).await.unwrap();
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("entry.saved"))
        .count(&ctx.db)
        .await
        .unwrap();
    println!(
        "crash durability: {runs} SIGKILLs, {} acknowledged saves, {lost} lost, {saves} stored, {audited} audited",
        acked.len()
    );
    assert_eq!(lost, 0, "acknowledged saves lost");
    assert_eq!(saves, audited, "each save applied and audited once");
    assert!(matches!(
        server::audit::verify(&ctx.db).await.unwrap(),
        server::audit::Verdict::Intact { .. }
    ));
    if !pg {
        assert_integrity(&ctx.db, "at the end").await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    ctx.finish().await;
}
