//! A published notice records the audit chain's head at its publication (`id:hash`),
//! printed in its footer: an anchor kept on paper, outside the database.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("notices")
                .add_column(ColumnDef::new("audit_anchor").text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("notices")
                .drop_column("audit_anchor")
                .to_owned(),
        )
        .await
    }
}
