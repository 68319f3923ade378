use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eval_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub result_id: i32,
    pub revision: i32,
    pub by_id: i32,
    pub at: DateTimeUtc,
    pub note: String,
    pub appeal_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
