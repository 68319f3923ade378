use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outcomes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cadre_id: i32,
    pub result_id: i32,
    pub naming_id: Option<i32>,
    pub quarter: String,
    pub year: i32,
    pub kind: String,
    pub status: String,
    pub policy_version: i32,
    pub basis: String,
    pub created_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
