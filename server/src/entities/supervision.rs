use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cadre_id: i32,
    pub supervisor_id: i32,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
