use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "day_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub sheet_id: i32,
    pub day: Date,
    pub work: String,
    pub outcome: String,
    pub place: String,
    pub village_id: Option<i32>,
    pub place_note: Option<String>,
    pub written_at: DateTimeUtc,
    /// When the latest save arrived.
    pub updated_at: DateTimeUtc,
    /// Counted up by every save (1 for the first).
    pub version: i32,
    /// When the latest save was written on the device, if it said.
    pub device_written_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
