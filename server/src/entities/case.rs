use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub outcome_id: i32,
    pub cadre_id: i32,
    pub kind: String,
    pub owner_id: i32,
    pub opened_at: DateTimeUtc,
    pub due_on: Date,
    pub state: String,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
