use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: String,
    pub result_id: i32,
    pub quarter: String,
    pub year: i32,
    pub seq: Option<i32>,
    pub number: Option<String>,
    pub title: String,
    pub preamble: String,
    pub issuer: String,
    pub lines: String,
    pub status: String,
    pub corrects_id: Option<i32>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub published_by: Option<i32>,
    pub published_at: Option<DateTimeUtc>,
    /// The audit chain's head at publication, `id:hash`.
    pub audit_anchor: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
