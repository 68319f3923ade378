//! Every migration goes up, down and up again, on SQLite and (with `XN_TEST_PG`) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use migrations::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectionTrait, Database};

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let url = match std::env::var("XN_TEST_PG").ok().filter(|s| !s.is_empty()) {
        Some(base) => {
            let base = base.trim_end_matches('/').to_string();
            let admin = Database::connect(format!("{base}/postgres")).await.unwrap();
            let name = format!("xn_test_mig_{}", std::process::id());
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await
                .unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            format!("{base}/{name}")
        }
        None => "sqlite::memory:".to_string(),
    };
    let db = Database::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(&db).await.unwrap().len(),
        0
    );
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(&db).await.unwrap().len(),
        Migrator::migrations().len()
    );
}
