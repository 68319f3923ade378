//! A day's entry keeps a version, counted up by every save, so that a save replayed from a
//! phone's outbox can say which version it last saw and never silently overwrites a newer
//! one; and the time its latest save was written on the device (`NULL`: the save carried
//! none, as every save before this did). When the save arrived stays in `updated_at`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, timestamp_with_time_zone_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        m.alter_table(
            Table::alter()
                .table("day_entries")
                .add_column(integer("version").default(1))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("day_entries")
                .add_column(timestamp_with_time_zone_null("device_written_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["device_written_at", "version"] {
            m.alter_table(
                Table::alter()
                    .table("day_entries")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
