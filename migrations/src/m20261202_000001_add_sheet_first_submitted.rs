//! A sheet keeps the time it was first handed in: `submitted_at` moves with every
//! resubmission after a return, and whether the sheet was late is decided by the first.
//! Existing sheets take it from their earliest `submitted` event (else `submitted_at`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("sheets")
                .add_column(timestamp_with_time_zone_null("first_submitted_at"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE sheets SET first_submitted_at = COALESCE(\
                   (SELECT MIN(e.at) FROM sheet_events e \
                     WHERE e.sheet_id = sheets.id AND e.kind = 'submitted'), \
                   submitted_at)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("sheets")
                .drop_column("first_submitted_at")
                .to_owned(),
        )
        .await
    }
}
