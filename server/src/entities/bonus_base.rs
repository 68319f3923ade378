use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_bases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cadre_id: i32,
    pub period: String,
    pub amount_fen: i64,
    pub source: String,
    pub entered_by: i32,
    pub entered_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
