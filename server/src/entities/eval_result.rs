use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eval_results")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub scope: String,
    pub kind: String,
    pub year: i32,
    pub period: i32,
    pub owner_id: Option<i32>,
    pub policy_version: i32,
    pub made_by: i32,
    pub made_at: DateTimeUtc,
    pub late: bool,
    pub published_at: Option<DateTimeUtc>,
    pub revision: i32,
    pub missing_confirmed: bool,
    pub missing_sheets: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
