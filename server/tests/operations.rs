//! Operations: backups taken while people save, restored and complete; the audit chain's
//! anchors notice removed or rewritten rows. Backups are of SQLite files; on PostgreSQL the
//! README's `pg_dump`/`pg_restore` procedure is run instead.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::Ctx;
use http::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;
use server::audit::{Anchor, AnchorVerdict, Verdict};
use server::entities::{audit_log, entry_save};

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("xn-{tag}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writers save entries (each acknowledged client id noted) while a backup is taken; the
/// backup, restored over another database, holds every save acknowledged before it began.
#[tokio::test]
async fn a_backup_taken_during_writes_restores_every_acknowledged_save() {
    if std::env::var("XN_TEST_PG").is_ok_and(|v| !v.is_empty()) {
        return pg_dump_and_restore_keep_the_chain().await;
    }
    let dir = temp_dir("backup");
    let ctx = Arc::new(Ctx::on_sqlite_file(&dir.join("live.db")).await);
    let users = ["alice", "bob", "chief", "lead1"];
    let mut cookies = Vec::new();
    for u in users {
        cookies.push(ctx.login(u).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(std::sync::Mutex::new(
        Vec::<(String, std::time::Instant)>::new(),
    ));
    let mut writers = Vec::new();
    for (w, cookie) in cookies.into_iter().enumerate() {
        let (ctx, stop, acked) = (ctx.clone(), stop.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let id = format!("bk-{w}-{n:06}");
                let day = ["2026-04-11", "2026-04-12", "2026-04-13", "2026-04-14", "2026-04-15"][n % 5];
                let (s, v) = ctx
                    .post(
                        "/api/v1/record/save_entry",
                        json!({"input": {"client_id": id, "day": day, "work": format!("第{n}次"), "outcome": "完成", "place": "office"}}),
                        Some(&cookie),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{v}");
                acked.lock().unwrap().push((id, std::time::Instant::now()));
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let began = std::time::Instant::now();
    let file = dir.join("backup.db");
    let manifest = server::backup::backup_sqlite(&ctx.db, &file, ctx.service.now())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    let before: HashSet<String> = acked
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, t)| *t < began)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(
        before.len() > 20,
        "writes went on before the backup: {}",
        before.len()
    );
    assert!(manifest.audit_head.is_some() && manifest.audit_rows > 0);
    // A changed byte is noticed before anything is replaced.
    let bad = dir.join("tampered.db");
    std::fs::copy(&file, &bad).unwrap();
    std::fs::copy(
        server::backup::manifest_path(&file),
        server::backup::manifest_path(&bad),
    )
    .unwrap();
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new().write(true).open(&bad).unwrap();
        f.seek(SeekFrom::Start(5000)).unwrap();
        f.write_all(b"XX").unwrap();
    }
    let target = dir.join("restored.db");
    std::fs::write(&target, b"an older database").unwrap();
    let err = server::backup::restore_sqlite(&bad, &target, ctx.service.now())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("does not match its manifest"),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"an older database");
    // The real backup restores; the database it replaced is kept.
    let r = server::backup::restore_sqlite(&file, &target, ctx.service.now())
        .await
        .unwrap();
    assert!(
        r.previous
            .is_some_and(|p| std::fs::read(p).unwrap() == b"an older database")
    );
    let restored = server::db::connect(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    let ids: HashSet<String> = entry_save::Entity::find()
        .all(&restored)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.client_id)
        .collect();
    let lost: Vec<_> = before.difference(&ids).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged saves missing: {lost:?}",
        lost.len()
    );
    assert!(matches!(
        server::audit::verify(&restored).await.unwrap(),
        Verdict::Intact { .. }
    ));
    let head = server::audit::head(&restored, ctx.service.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Some(head.code()), manifest.audit_head.map(|a| a.code()));
    // A running server holds the lock: restoring under it is refused.
    let live = dir.join("live.db");
    let _held = server::backup::lock_database(&live).unwrap();
    let err = server::backup::restore_sqlite(&file, &live, ctx.service.now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("running xiaoneng server"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's PostgreSQL procedure: `pg_dump -Fc`, `pg_restore` into a new database, then
/// `audit verify --anchor` with the head noted at the dump.
async fn pg_dump_and_restore_keep_the_chain() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    assert_eq!(
        ctx.save(&alice, "2026-04-15", "备份前").await.0,
        StatusCode::OK
    );
    let url = ctx.pg_url().unwrap();
    let head = server::audit::head(&ctx.db, ctx.service.now())
        .await
        .unwrap()
        .unwrap();
    let dir = temp_dir("pgdump");
    let dump = dir.join("xiaoneng.dump");
    let ok = std::process::Command::new("pg_dump")
        .args(["-Fc", "-f"])
        .arg(&dump)
        .arg(&url)
        .status();
    let Ok(status) = ok else {
        eprintln!("pg_dump is not installed: the PostgreSQL procedure is not exercised");
        return ctx.finish().await;
    };
    assert!(status.success());
    let base = std::env::var("XN_TEST_PG").unwrap();
    let name = format!("xn_test_restore_{}", uuid::Uuid::new_v4().simple());
    let admin = server::db::connect(&format!("{}/postgres", base.trim_end_matches('/')))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let target = format!("{}/{name}", base.trim_end_matches('/'));
    let st = std::process::Command::new("pg_restore")
        .args(["--no-owner", "-d", &target])
        .arg(&dump)
        .status()
        .unwrap();
    assert!(st.success());
    let restored = server::db::connect(&target).await.unwrap();
    assert!(matches!(
        server::audit::verify(&restored).await.unwrap(),
        Verdict::Intact { .. }
    ));
    assert_eq!(
        server::audit::check_anchor(&restored, &head).await.unwrap(),
        AnchorVerdict::Matches
    );
    restored.close().await.unwrap();
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    ctx.finish().await;
}

/// Removing the newest rows, or rewriting a row and recomputing the chain after it, leaves
/// a chain that verifies — and an anchor kept outside that does not match.
#[tokio::test]
async fn anchors_notice_truncation_and_a_rewritten_chain() {
    let ctx = Ctx::new().await;
    let alice = ctx.login("alice").await;
    for d in 11..=15 {
        assert_eq!(
            ctx.save(&alice, &format!("2026-04-{d}"), "记录").await.0,
            StatusCode::OK
        );
    }
    let anchor = server::audit::head(&ctx.db, ctx.service.now())
        .await
        .unwrap()
        .unwrap();
    // Kept in an anchor file, read back in both forms.
    let dir = temp_dir("anchor");
    let file = dir.join("anchors.jsonl");
    server::audit::append_anchor(&file, &anchor).unwrap();
    std::fs::write(
        dir.join("codes.txt"),
        format!("# from a notice\n{}\n", anchor.code()),
    )
    .unwrap();
    assert_eq!(
        server::audit::read_anchors(&file).unwrap()[0].code(),
        anchor.code()
    );
    assert_eq!(
        server::audit::read_anchors(&dir.join("codes.txt")).unwrap()[0].code(),
        anchor.code()
    );
    assert_eq!(
        server::audit::check_anchor(&ctx.db, &anchor).await.unwrap(),
        AnchorVerdict::Matches
    );

    // Truncation: the newest three rows removed. The chain itself still verifies.
    ctx.db
        .execute_unprepared(&format!(
            "DELETE FROM audit_log WHERE id > {}",
            anchor.id - 3
        ))
        .await
        .unwrap();
    assert!(matches!(
        server::audit::verify(&ctx.db).await.unwrap(),
        Verdict::Intact { .. }
    ));
    assert_eq!(
        server::audit::check_anchor(&ctx.db, &anchor).await.unwrap(),
        AnchorVerdict::Missing { id: anchor.id }
    );

    // Rewriting: a row edited and every hash after it recomputed.
    let ctx2 = Ctx::new().await;
    let bob = ctx2.login("bob").await;
    for d in 11..=14 {
        ctx2.save(&bob, &format!("2026-04-{d}"), "记录").await;
    }
    let anchor2 = server::audit::head(&ctx2.db, ctx2.service.now())
        .await
        .unwrap()
        .unwrap();
    rewrite_chain_from(&ctx2.db, 2, "entry.deleted").await;
    assert!(matches!(
        server::audit::verify(&ctx2.db).await.unwrap(),
        Verdict::Intact { .. }
    ));
    assert_eq!(
        server::audit::check_anchor(&ctx2.db, &anchor2)
            .await
            .unwrap(),
        AnchorVerdict::Differs { id: anchor2.id }
    );
    let _ = std::fs::remove_dir_all(&dir);
    ctx.finish().await;
    ctx2.finish().await;
}

/// What a careful tamperer would do: change row `from` and recompute every hash after it.
async fn rewrite_chain_from(db: &sea_orm::DatabaseConnection, from: i64, action: &str) {
    use sea_orm::{ActiveModelTrait, QueryOrder, Set};
    let rows = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await
        .unwrap();
    let mut prev = server::audit::GENESIS.to_string();
    for mut r in rows {
        if r.id == from {
            r.action = action.into();
        }
        if r.id >= from {
            r.prev_hash = prev.clone();
            r.hash = server::audit::row_hash(&r);
            let am = audit_log::ActiveModel {
                id: Set(r.id),
                action: Set(r.action.clone()),
                prev_hash: Set(r.prev_hash.clone()),
                hash: Set(r.hash.clone()),
                ..Default::default()
            };
            am.update(db).await.unwrap();
        }
        prev = r.hash;
    }
}

#[test]
fn anchor_codes_round_trip_and_bad_ones_are_refused() {
    let a = Anchor {
        id: 42,
        hash: "ab".repeat(32),
        at: None,
    };
    assert_eq!(Anchor::from_code(&a.code()), Some(a));
    for bad in ["42", "x:abcd", "42:xyz", &format!("42:{}", "a".repeat(63))] {
        assert_eq!(Anchor::from_code(bad), None, "{bad}");
    }
}
