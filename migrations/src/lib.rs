//! Schema migrations for Xiaoneng. One change per file, named `mYYYYMMDD_HHMMSS_verb_noun`.
//! Migrations use their own identifiers and never import the server's entities, so an old
//! migration keeps meaning what it meant when it was written.

pub use sea_orm_migration::prelude::*;

mod m20260401_000001_create_foundation;
mod m20261128_000001_create_evaluations;
mod m20261128_000002_create_rewards;
mod m20261201_000001_add_session_last_seen;
mod m20261201_000002_add_notice_audit_anchor;
mod m20261202_000001_add_sheet_first_submitted;
mod m20261202_000002_add_entry_save_digest;
mod m20261202_000003_create_api_tokens;
mod m20261203_000001_add_entry_version_device_time;

/// The ordered list of migrations, applied by `xiaoneng migrate` and at server start.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260401_000001_create_foundation::Migration),
            Box::new(m20261128_000001_create_evaluations::Migration),
            Box::new(m20261128_000002_create_rewards::Migration),
            Box::new(m20261201_000001_add_session_last_seen::Migration),
            Box::new(m20261201_000002_add_notice_audit_anchor::Migration),
            Box::new(m20261202_000001_add_sheet_first_submitted::Migration),
            Box::new(m20261202_000002_add_entry_save_digest::Migration),
            Box::new(m20261202_000003_create_api_tokens::Migration),
            Box::new(m20261203_000001_add_entry_version_device_time::Migration),
        ]
    }
}
