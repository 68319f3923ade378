//! The three evaluations (三评): versioned evaluation policy, area-chief opinions, monthly
//! picks and quarterly results with their namings and revisions, principals' choices and
//! appeals. Nothing here is ever updated in place except state columns that the history
//! tables also record.

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

fn index(
    name: &'static str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// Version 1 of the evaluation policy: the defaults of DOMAIN.md as they stood when this
/// migration was written. Later versions are added by the general office.
const POLICY_V1: &str = r#"{"monthly_best":1,"monthly_worst":1,"opinion_due_day":3,"pick_due_day":5,"rating_max":5,"quarterly_best":5,"quarterly_worst":3,"quarter_due_day":15,"deciding_role":"principal","confirmations_required":2,"appeal_window_days":10,"appeal_answer_days":5,"appeal_working_days":false}"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("policy_versions")
                .col(pk_auto("id"))
                .col(text("settings"))
                .col(text("note"))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("policy_versions", "created_by", "cadres"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("policy_versions")
                .columns(["settings", "note", "created_at"])
                .values_panic([
                    Expr::val(POLICY_V1),
                    Expr::val("默认政策 / defaults"),
                    Expr::cust("'2026-04-01 00:00:00+00:00'"),
                ])
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("area_opinions")
                .col(pk_auto("id"))
                .col(integer("cadre_id"))
                .col(integer("author_id"))
                .col(integer("year"))
                .col(integer("month"))
                .col(text("text"))
                .col(integer_null("rating"))
                .col(boolean("late"))
                .col(timestamp_with_time_zone("written_at"))
                .foreign_key(&mut fk("area_opinions", "cadre_id", "cadres"))
                .foreign_key(&mut fk("area_opinions", "author_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_area_opinions_month",
            "area_opinions",
            &["year", "month"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("eval_results")
                .col(pk_auto("id"))
                // `m:2026-04:<leader id>` or `q:2026-Q2`: one result per scope.
                .col(string_uniq("scope"))
                .col(string("kind"))
                .col(integer("year"))
                .col(integer("period"))
                .col(integer_null("owner_id"))
                .col(integer("policy_version"))
                .col(integer("made_by"))
                .col(timestamp_with_time_zone("made_at"))
                .col(boolean("late"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(integer("revision"))
                .col(boolean("missing_confirmed"))
                .col(integer("missing_sheets"))
                .foreign_key(&mut fk("eval_results", "owner_id", "cadres"))
                .foreign_key(&mut fk("eval_results", "made_by", "cadres"))
                .foreign_key(&mut fk("eval_results", "policy_version", "policy_versions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_eval_results_period",
            "eval_results",
            &["kind", "year", "period"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("eval_namings")
                .col(pk_auto("id"))
                .col(integer("result_id"))
                .col(integer("cadre_id"))
                .col(string("kind"))
                .col(text("reason"))
                // JSON array of cited day-entry ids.
                .col(text("citations"))
                .col(integer("added_in"))
                .col(integer_null("removed_in"))
                .foreign_key(&mut fk("eval_namings", "result_id", "eval_results"))
                .foreign_key(&mut fk("eval_namings", "cadre_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_eval_namings_result",
            "eval_namings",
            &["result_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_eval_namings_cadre",
            "eval_namings",
            &["cadre_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("eval_revisions")
                .col(pk_auto("id"))
                .col(integer("result_id"))
                .col(integer("revision"))
                .col(integer("by_id"))
                .col(timestamp_with_time_zone("at"))
                .col(text("note"))
                .col(integer_null("appeal_id"))
                .foreign_key(&mut fk("eval_revisions", "result_id", "eval_results"))
                .foreign_key(&mut fk("eval_revisions", "by_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_eval_revisions",
            "eval_revisions",
            &["result_id", "revision"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("quarter_choices")
                .col(pk_auto("id"))
                .col(integer("year"))
                .col(integer("quarter"))
                .col(integer("principal_id"))
                .col(boolean("confirm"))
                .col(text("best"))
                .col(text("worst"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .foreign_key(&mut fk("quarter_choices", "principal_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_quarter_choices",
            "quarter_choices",
            &["year", "quarter"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("appeals")
                .col(pk_auto("id"))
                .col(integer("result_id"))
                .col(integer("naming_id"))
                .col(integer("cadre_id"))
                .col(text("ground"))
                .col(integer("policy_version"))
                .col(timestamp_with_time_zone("filed_at"))
                .col(timestamp_with_time_zone("due_at"))
                .col(string("status"))
                .col(text_null("answer"))
                .col(integer_null("answered_by"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(integer_null("replacement_id"))
                .foreign_key(&mut fk("appeals", "result_id", "eval_results"))
                .foreign_key(&mut fk("appeals", "naming_id", "eval_namings"))
                .foreign_key(&mut fk("appeals", "cadre_id", "cadres"))
                .foreign_key(&mut fk("appeals", "answered_by", "cadres"))
                .foreign_key(&mut fk("appeals", "replacement_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_appeals_result", "appeals", &["result_id"], false))
            .await?;
        // One appeal per naming.
        m.create_index(index("ux_appeals_naming", "appeals", &["naming_id"], true))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "appeals",
            "quarter_choices",
            "eval_revisions",
            "eval_namings",
            "eval_results",
            "area_opinions",
            "policy_versions",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
