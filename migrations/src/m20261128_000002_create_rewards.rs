//! The three rewards and penalties (三奖惩): outcomes derived from published quarterly
//! results, the talk / warning / rectification cases with their append-only notes, notices
//! (通报), and the bonus ledger (base amounts, closed periods with their frozen lines).
//! Outcome rules live in the evaluation policy (`policy_versions`), so there is no separate
//! policy table: every outcome records the policy version it was derived under.

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outcomes")
                .col(pk_auto("id"))
                .col(integer("cadre_id"))
                .col(integer("result_id"))
                .col(integer_null("naming_id"))
                .col(text("quarter"))
                .col(integer("year"))
                .col(text("kind"))
                .col(text("status"))
                .col(integer("policy_version"))
                .col(text("basis"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("activated_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(text_null("withdrawn_reason"))
                .foreign_key(&mut fk("outcomes", "cadre_id", "cadres"))
                .foreign_key(&mut fk("outcomes", "result_id", "eval_results"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_outcomes_result",
            "outcomes",
            &["result_id"],
            false,
        ))
        .await?;
        m.create_index(index("ix_outcomes_cadre", "outcomes", &["cadre_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("cases")
                .col(pk_auto("id"))
                .col(integer("outcome_id"))
                .col(integer("cadre_id"))
                .col(text("kind"))
                .col(integer("owner_id"))
                .col(timestamp_with_time_zone("opened_at"))
                .col(date("due_on"))
                .col(text("state"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(integer_null("closed_by"))
                .foreign_key(&mut fk("cases", "outcome_id", "outcomes"))
                .foreign_key(&mut fk("cases", "cadre_id", "cadres"))
                .foreign_key(&mut fk("cases", "owner_id", "cadres"))
                .to_owned(),
        )
        .await?;
        // One case per outcome, even under concurrent recomputation.
        m.create_index(index("ux_cases_outcome", "cases", &["outcome_id"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("case_notes")
                .col(pk_auto("id"))
                .col(integer("case_id"))
                .col(integer_null("author_id"))
                .col(text("kind"))
                .col(text("body"))
                .col(text_null("response"))
                .col(date_null("held_on"))
                .col(date_null("deadline"))
                .col(boolean_null("met"))
                .col(integer_null("owner_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("case_notes", "case_id", "cases"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_case_notes_case",
            "case_notes",
            &["case_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("notices")
                .col(pk_auto("id"))
                .col(text("kind"))
                .col(integer("result_id"))
                .col(text("quarter"))
                .col(integer("year"))
                .col(integer_null("seq"))
                .col(text_null("number"))
                .col(text("title"))
                .col(text("preamble"))
                .col(text("issuer"))
                .col(text("lines"))
                .col(text("status"))
                .col(integer_null("corrects_id"))
                .col(integer("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer_null("published_by"))
                .col(timestamp_with_time_zone_null("published_at"))
                .foreign_key(&mut fk("notices", "result_id", "eval_results"))
                .foreign_key(&mut fk("notices", "corrects_id", "notices"))
                .to_owned(),
        )
        .await?;
        // Notice numbers run per year; drafts have none yet.
        m.create_index(index(
            "ux_notices_number",
            "notices",
            &["year", "seq"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("bonus_bases")
                .col(pk_auto("id"))
                .col(integer("cadre_id"))
                .col(text("period"))
                .col(big_integer("amount_fen"))
                .col(text("source"))
                .col(integer("entered_by"))
                .col(timestamp_with_time_zone("entered_at"))
                .foreign_key(&mut fk("bonus_bases", "cadre_id", "cadres"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_bonus_bases_period",
            "bonus_bases",
            &["period", "cadre_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("ledger_closures")
                .col(pk_auto("id"))
                .col(text("period"))
                .col(integer("closed_by"))
                .col(timestamp_with_time_zone("closed_at"))
                .col(text("lines"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_ledger_closures_period",
            "ledger_closures",
            &["period"],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "ledger_closures",
            "bonus_bases",
            "notices",
            "case_notes",
            "cases",
            "outcomes",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
