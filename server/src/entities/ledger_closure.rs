use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_closures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub period: String,
    pub closed_by: i32,
    pub closed_at: DateTimeUtc,
    pub lines: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
