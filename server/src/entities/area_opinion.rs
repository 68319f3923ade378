use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "area_opinions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cadre_id: i32,
    pub author_id: i32,
    pub year: i32,
    pub month: i32,
    pub text: String,
    pub rating: Option<i32>,
    pub late: bool,
    pub written_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
