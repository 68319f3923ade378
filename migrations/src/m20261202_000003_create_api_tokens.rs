//! API tokens for server-to-server clients: named by the office, each acting as one account
//! with one of its roles until it expires or is revoked. Only the SHA-256 of the secret is
//! kept (the secret is shown once, at creation); its first characters identify it in lists.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(col: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_api_tokens_{col}"))
        .from("api_tokens", col)
        .to("cadres", "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(pk_auto("id"))
                .col(text("name"))
                .col(integer("cadre_id"))
                .col(text("role"))
                .col(text("secret_hash").unique_key())
                .col(text("prefix"))
                .col(integer("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(integer_null("revoked_by"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .foreign_key(&mut fk("cadre_id"))
                .foreign_key(&mut fk("created_by"))
                .foreign_key(&mut fk("revoked_by"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("api_tokens").to_owned())
            .await
    }
}
