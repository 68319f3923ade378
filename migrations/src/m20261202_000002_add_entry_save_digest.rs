//! A save's client id remembers what it was sent with (a SHA-256 digest of the day and its
//! lines), so a reused client id with other content is refused (409) rather than answered
//! with the earlier entry as if the new text had been saved. Saves recorded before this
//! have no digest and are answered as before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("entry_saves")
                .add_column(string_null("request_digest"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("entry_saves")
                .drop_column("request_digest")
                .to_owned(),
        )
        .await
    }
}
