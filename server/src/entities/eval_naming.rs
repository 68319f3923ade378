use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eval_namings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub result_id: i32,
    pub cadre_id: i32,
    pub kind: String,
    pub reason: String,
    pub citations: String,
    pub added_in: i32,
    pub removed_in: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
