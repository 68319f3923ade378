//! The foundation: organisation, accounts, sessions, sheets and day entries, sheet history,
//! idempotent saves and the hash-chained audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(from, col)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("departments")
                .col(pk_auto("id"))
                .col(string_uniq("name"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("areas")
                .col(pk_auto("id"))
                .col(string_uniq("name"))
                // The area chief; no foreign key because cadres reference areas too.
                .col(integer_null("chief_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("villages")
                .col(pk_auto("id"))
                .col(string_uniq("name"))
                .col(integer("area_id"))
                .foreign_key(&mut fk("villages", "area_id", "areas"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("cadres")
                .col(pk_auto("id"))
                .col(string_uniq("username"))
                .col(string("name"))
                .col(string("title"))
                .col(integer("department_id"))
                .col(integer_null("area_id"))
                .col(string("roles"))
                .col(string("password_hash"))
                .col(boolean("active"))
                .col(integer("failed_logins"))
                .col(timestamp_with_time_zone_null("last_failed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("cadres", "department_id", "departments"))
                .foreign_key(&mut fk("cadres", "area_id", "areas"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("supervisions")
                .col(pk_auto("id"))
                .col(integer("cadre_id"))
                .col(integer("supervisor_id"))
                .col(date("valid_from"))
                // Exclusive end; NULL while the assignment is current.
                .col(date_null("valid_to"))
                .foreign_key(&mut fk("supervisions", "cadre_id", "cadres"))
                .foreign_key(&mut fk("supervisions", "supervisor_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_supervisions_supervisor")
                .table("supervisions")
                .col("supervisor_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_supervisions_cadre")
                .table("supervisions")
                .col("cadre_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sessions")
                .col(string("token_hash").primary_key())
                .col(integer("cadre_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk("sessions", "cadre_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sheets")
                .col(pk_auto("id"))
                .col(integer("cadre_id"))
                .col(integer("year"))
                .col(integer("month"))
                .col(integer("dekad"))
                .col(string("status"))
                .col(boolean("late"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(timestamp_with_time_zone_null("reviewed_at"))
                .col(integer_null("reviewer_id"))
                .col(text_null("review_comment"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("sheets", "cadre_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_sheets_cadre_period")
                .table("sheets")
                .col("cadre_id")
                .col("year")
                .col("month")
                .col("dekad")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sheets_period")
                .table("sheets")
                .col("year")
                .col("month")
                .col("dekad")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("day_entries")
                .col(pk_auto("id"))
                .col(integer("sheet_id"))
                .col(date("day"))
                .col(text("work"))
                .col(text("outcome"))
                .col(string("place"))
                .col(integer_null("village_id"))
                .col(string_null("place_note"))
                .col(timestamp_with_time_zone("written_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("day_entries", "sheet_id", "sheets"))
                .foreign_key(&mut fk("day_entries", "village_id", "villages"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_day_entries_sheet_day")
                .table("day_entries")
                .col("sheet_id")
                .col("day")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("entry_saves")
                .col(string("client_id").primary_key())
                .col(integer("cadre_id"))
                .col(integer("entry_id"))
                .col(timestamp_with_time_zone("saved_at"))
                .foreign_key(&mut fk("entry_saves", "entry_id", "day_entries"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sheet_events")
                .col(pk_auto("id"))
                .col(integer("sheet_id"))
                .col(string("kind"))
                .col(integer("actor_id"))
                .col(timestamp_with_time_zone("at"))
                .col(text_null("note"))
                .col(text_null("snapshot"))
                .foreign_key(&mut fk("sheet_events", "sheet_id", "sheets"))
                .foreign_key(&mut fk("sheet_events", "actor_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sheet_events_sheet")
                .table("sheet_events")
                .col("sheet_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(integer_null("actor_id"))
                .col(string("action"))
                .col(string("entity"))
                .col(string_null("entity_id"))
                .col(string_null("before_digest"))
                .col(string_null("after_digest"))
                .col(string("prev_hash"))
                .col(string("hash"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_log",
            "sheet_events",
            "entry_saves",
            "day_entries",
            "sheets",
            "sessions",
            "supervisions",
            "cadres",
            "villages",
            "areas",
            "departments",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
