use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sheets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cadre_id: i32,
    pub year: i32,
    pub month: i32,
    pub dekad: i32,
    pub status: String,
    pub late: bool,
    pub submitted_at: Option<DateTimeUtc>,
    /// The first hand-in; `submitted_at` is the latest.
    pub first_submitted_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub reviewer_id: Option<i32>,
    pub review_comment: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
