use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appeals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub result_id: i32,
    pub naming_id: i32,
    pub cadre_id: i32,
    pub ground: String,
    pub policy_version: i32,
    pub filed_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<i32>,
    pub answered_at: Option<DateTimeUtc>,
    pub replacement_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
