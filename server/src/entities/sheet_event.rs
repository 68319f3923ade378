use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sheet_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub sheet_id: i32,
    pub kind: String,
    pub actor_id: i32,
    pub at: DateTimeUtc,
    pub note: Option<String>,
    pub snapshot: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
