//! The three rewards and penalties (三奖惩) on sea-orm: outcomes derived from published results,
//! talk / warning / rectification cases, notices (通报) and the bonus ledger with its exports.
//! The rules are the pure functions of `app::rewards`; this module loads what they need,
//! authorises every call on the record it touches and writes each change in one transaction
//! with its audit row.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use app::domain::*;
use app::error::AppError;
use app::eval::*;
use app::ports::Download;
use app::rewards::*;
use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::entities::{
    appeal, bonus_base, cadre, case, case_note, eval_naming, eval_result, ledger_closure, notice,
    outcome,
};
use crate::eval::Person;
use crate::service::{OrInternal, Service, clean_text};

const QUARTERLY: &str = "quarterly";
const MONTHLY: &str = "monthly";
const DRAFT: &str = "draft";
const PUBLISHED: &str = "published";
const MAX_NOTE_CHARS: usize = 2000;

fn quarter_of(r: &eval_result::Model) -> Quarter {
    Quarter {
        year: r.year,
        quarter: r.period as u32,
    }
}

fn key3(cadre: i32, result: i32, kind: &str) -> (i32, i32, String) {
    (cadre, result, kind.to_string())
}

/// What a closed period froze: its lines and the corrections it carried.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Frozen {
    rows: Vec<LedgerRow>,
    corrections: Vec<LedgerRow>,
}

/// One row of a ledger export (CSV and the XLSX detail sheet).
struct ExportItem<'a> {
    row: &'a LedgerRow,
    item: &'static str,
    amount: Money,
    pending: bool,
    reason: String,
    source: String,
}

fn adjustment_reason(a: &Adjustment) -> String {
    match a.kind {
        AdjustmentKind::Uplift => format!(
            "季度评定最好，上浮{}% / best of {}, +{}%",
            a.pct.unwrap_or(0),
            a.source,
            a.pct.unwrap_or(0)
        ),
        AdjustmentKind::Withholding => format!(
            "连续最差，停发当年奖金 / consecutive worst ({}), year's bonuses withheld",
            a.source
        ),
        AdjustmentKind::Correction => format!(
            "更正已结算期间 {} / correction of closed period {}",
            a.source, a.source
        ),
    }
}

fn adjustment_source(a: &Adjustment) -> String {
    match (a.kind, a.result) {
        (AdjustmentKind::Correction, Some(r)) => format!("{} (result #{r})", a.source),
        (AdjustmentKind::Correction, None) => a.source.clone(),
        (_, Some(r)) => format!("result #{r} ({})", a.source),
        (_, None) => a.source.clone(),
    }
}

fn export_items(rows: &[LedgerRow]) -> Vec<ExportItem<'_>> {
    let mut out = Vec::new();
    for row in rows {
        if let Some(base) = row.base {
            out.push(ExportItem {
                row,
                item: "base",
                amount: base,
                pending: false,
                reason: String::new(),
                source: String::new(),
            });
        }
        for a in &row.adjustments {
            out.push(ExportItem {
                row,
                item: a.kind.code(),
                amount: a.amount,
                pending: a.pending,
                reason: adjustment_reason(a),
                source: adjustment_source(a),
            });
        }
        out.push(ExportItem {
            row,
            item: "due",
            amount: row.due,
            pending: false,
            reason: String::new(),
            source: String::new(),
        });
    }
    out
}

/// The CSV export: one line per base, adjustment and amount due.
pub fn ledger_csv(rows: &[LedgerRow]) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let ie = |_| AppError::Internal {};
    w.write_record([
        "username",
        "name",
        "department",
        "period",
        "item",
        "amount",
        "pending",
        "reason",
        "source",
    ])
    .map_err(ie)?;
    // Text cells are neutralised against formula injection; amounts stay exact numbers
    // (a negative correction keeps its minus sign).
    let cell = crate::cells::spreadsheet_text;
    for it in export_items(rows) {
        w.write_record([
            &*cell(&it.row.username),
            &cell(&it.row.name),
            &cell(&it.row.department),
            &cell(&it.row.period),
            &cell(it.item),
            &it.amount.plain(),
            if it.pending { "yes" } else { "" },
            &cell(&it.reason),
            &cell(&it.source),
        ])
        .map_err(ie)?;
    }
    let mut bytes = vec![0xEF, 0xBB, 0xBF]; // BOM, so spreadsheet programs read UTF-8.
    bytes.extend(w.into_inner().map_err(|_| AppError::Internal {})?);
    Ok(bytes)
}

/// The XLSX export: a summary sheet (one row per cadre and period) and a detail sheet.
pub fn ledger_xlsx(period: &str, rows: &[LedgerRow]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let ie = |_| AppError::Internal {};
    let money = |m: Money| -> f64 { m.plain().parse().unwrap_or(0.0) };
    // Strings are never formulas in XLSX, but the same text is neutralised as in the CSV so
    // that a copy into another sheet or a re-save as CSV stays harmless.
    let cell = crate::cells::spreadsheet_text;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let num = Format::new().set_num_format("#,##0.00");
    {
        let ws = wb.add_worksheet();
        ws.set_name("汇总").map_err(ie)?;
        let head = [
            "账号", "姓名", "部门", "期间", "基数", "调整", "待定", "应发",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(ie)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            let counted: Money = r
                .adjustments
                .iter()
                .filter(|a| !a.pending)
                .map(|a| a.amount)
                .sum();
            let pending: Money = r
                .adjustments
                .iter()
                .filter(|a| a.pending)
                .map(|a| a.amount)
                .sum();
            ws.write_string(row, 0, cell(&r.username).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 1, cell(&r.name).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 2, cell(&r.department).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 3, cell(&r.period).as_ref())
                .map_err(ie)?;
            if let Some(b) = r.base {
                ws.write_number_with_format(row, 4, money(b), &num)
                    .map_err(ie)?;
            }
            ws.write_number_with_format(row, 5, money(counted), &num)
                .map_err(ie)?;
            ws.write_number_with_format(row, 6, money(pending), &num)
                .map_err(ie)?;
            ws.write_number_with_format(row, 7, money(r.due), &num)
                .map_err(ie)?;
        }
        let total = rows.len() as u32 + 1;
        ws.write_string_with_format(total, 0, "合计", &bold)
            .map_err(ie)?;
        ws.write_number_with_format(total, 7, money(rows.iter().map(|r| r.due).sum()), &num)
            .map_err(ie)?;
        ws.set_column_width(1, 10).map_err(ie)?;
        ws.set_column_width(2, 16).map_err(ie)?;
        for c in 4..=7 {
            ws.set_column_width(c, 14).map_err(ie)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("明细").map_err(ie)?;
        let head = [
            "账号", "姓名", "部门", "期间", "项目", "金额", "待定", "原因", "来源",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(ie)?;
        }
        for (i, it) in export_items(rows).into_iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, cell(&it.row.username).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 1, cell(&it.row.name).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 2, cell(&it.row.department).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 3, cell(&it.row.period).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 4, cell(it.item).as_ref())
                .map_err(ie)?;
            ws.write_number_with_format(row, 5, money(it.amount), &num)
                .map_err(ie)?;
            ws.write_string(row, 6, if it.pending { "是" } else { "" })
                .map_err(ie)?;
            ws.write_string(row, 7, cell(&it.reason).as_ref())
                .map_err(ie)?;
            ws.write_string(row, 8, cell(&it.source).as_ref())
                .map_err(ie)?;
        }
        ws.set_column_width(7, 50).map_err(ie)?;
        ws.set_column_width(8, 24).map_err(ie)?;
    }
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_title(format!("奖金台账 {period}")),
    );
    wb.save_to_buffer().map_err(ie)
}

/// The standalone HTML of a notice, for download and printing (A4). Every text in it is
/// escaped; its own policy allows no script at all, wherever the file is opened.
pub fn notice_html(n: &NoticeView) -> String {
    let esc = crate::cells::html_escape;
    let mut lines = String::new();
    for (i, l) in n.lines.iter().enumerate() {
        lines.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            esc(&l.name),
            esc(&l.department),
            esc(&l.reason)
        ));
    }
    let corrects = n
        .corrects
        .as_ref()
        .map(|(_, num)| format!("<p class=\"corrects\">本通报更正{}。</p>", esc(num)))
        .unwrap_or_default();
    let anchor = n
        .audit_anchor
        .as_ref()
        .map(|a| format!("<p class=\"anchor\">审计链锚点 {}</p>", esc(a)))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>{title}</title>
<style>@page{{size:A4;margin:30mm 26mm 28mm 28mm}}body{{font-family:"FangSong","STFangsong","Noto Serif CJK SC",serif;font-size:16pt;line-height:1.8;max-width:170mm;margin:0 auto;color:#000}}
h1{{font-family:"SimHei","Noto Sans CJK SC",sans-serif;text-align:center;font-size:22pt;font-weight:normal;margin:0 0 .5em}}.number{{text-align:center;margin:0 0 1.5em}}
table{{width:100%;border-collapse:collapse;font-size:13pt}}td,th{{border:1px solid #000;padding:4px 6px;text-align:left}}.issuer{{text-align:right;margin-top:3em}}.date{{text-align:right}}p{{text-indent:2em;margin:.4em 0}}.issuer,.date,.number,.anchor{{text-indent:0}}.anchor{{margin-top:3em;font:8pt monospace;word-break:break-all;color:#444}}</style></head>
<body><h1>{title}</h1><p class="number">{number}</p>{corrects}<p>{preamble}</p>
<table><thead><tr><th>序号</th><th>姓名</th><th>单位</th><th>事由</th></tr></thead><tbody>{lines}</tbody></table>
<p class="issuer">{issuer}</p><p class="date">{date}</p>{anchor}</body></html>"#,
        title = esc(&n.title),
        number = esc(n.number.as_deref().unwrap_or("（草稿 / draft）")),
        corrects = corrects,
        preamble = esc(&n.preamble),
        lines = lines,
        issuer = esc(&n.issuer),
        date = n
            .issued_on
            .map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
            .unwrap_or_default(),
        anchor = anchor,
    )
}

/// The audit anchors printed on published notices, for `audit verify`.
pub async fn published_anchors<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(String, audit::Anchor)>, sea_orm::DbErr> {
    Ok(notice::Entity::find()
        .filter(notice::Column::AuditAnchor.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|n| {
            let a = audit::Anchor::from_code(n.audit_anchor.as_deref()?)?;
            Some((format!("notice {}", n.number.unwrap_or_default()), a))
        })
        .collect())
}

/// Columns of the bonus CSV: `username,period,amount` with a header line.
const BASE_COLUMNS: [&str; 3] = ["username", "period", "amount"];

/// Rows one bonus import may hold (a year of five periods for a few hundred people).
pub const MAX_BASE_ROWS: usize = 5_000;

impl Service {
    fn may_see_rewards(me: &Me) -> bool {
        me.has(Role::Principal) || me.has(Role::Committee) || me.has(Role::Office)
    }

    fn may_draft_notices(me: &Me) -> bool {
        me.has(Role::Principal) || me.has(Role::Office)
    }

    /// The principal who owns new cases: the first active principal (the Party secretary in
    /// the demo), if any.
    async fn default_owner<C: ConnectionTrait>(&self, db: &C) -> Result<Option<i32>, AppError> {
        let people = self.people(db).await?;
        let mut ids: Vec<i32> = people
            .iter()
            .filter(|(_, p)| p.active && p.roles.contains(&Role::Principal))
            .map(|(id, _)| *id)
            .collect();
        ids.sort();
        Ok(ids.first().copied())
    }

    /// Derives every outcome from the published results and brings the stored outcomes and
    /// cases in line: new outcomes are added, pending ones activated (opening their cases),
    /// active ones held while an appeal is open, and outcomes whose naming is gone withdrawn
    /// (their open cases too), each with an audit row. Running it again changes nothing.
    pub(crate) async fn recompute_in<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: Option<i32>,
    ) -> Result<RecomputeReport, AppError> {
        let now = self.now();
        let today = self.today();
        let results: Vec<eval_result::Model> = eval_result::Entity::find()
            .filter(eval_result::Column::PublishedAt.is_not_null())
            .all(db)
            .await
            .ie()?
            .into_iter()
            .filter(|r| r.published_at.is_some_and(|p| p <= now))
            .collect();
        let ids: Vec<i32> = results.iter().map(|r| r.id).collect();
        let namings = eval_naming::Entity::find()
            .filter(eval_naming::Column::ResultId.is_in(ids))
            .filter(eval_naming::Column::RemovedIn.is_null())
            .all(db)
            .await
            .ie()?;
        let open: HashSet<i32> = appeal::Entity::find()
            .filter(appeal::Column::Status.eq(AppealStatus::Open.code()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|a| a.naming_id)
            .collect();
        let mut policies: HashMap<i32, OutcomePolicy> = HashMap::new();
        for r in &results {
            if let std::collections::hash_map::Entry::Vacant(e) = policies.entry(r.policy_version) {
                e.insert(self.eval_policy_at(db, r.policy_version).await?.outcomes);
            }
        }
        let mut quarters = Vec::new();
        let mut monthly = Vec::new();
        for r in &results {
            let names = namings.iter().filter(|n| n.result_id == r.id);
            if r.kind == QUARTERLY {
                quarters.push(QuarterFinal {
                    quarter: quarter_of(r),
                    result: ResultId(r.id),
                    policy_version: r.policy_version,
                    policy: policies.get(&r.policy_version).cloned().unwrap_or_default(),
                    names: names
                        .filter_map(|n| {
                            Some(FinalNaming {
                                cadre: CadreId(n.cadre_id),
                                naming: NamingId(n.id),
                                kind: PickKind::from_code(&n.kind)?,
                                pending: open.contains(&n.id),
                            })
                        })
                        .collect(),
                });
            } else if r.kind == MONTHLY {
                for n in names.filter(|n| n.kind == PickKind::Worst.code()) {
                    monthly.push(MonthlyWorst {
                        month: Month {
                            year: r.year,
                            month: r.period as u32,
                        },
                        cadre: CadreId(n.cadre_id),
                        pending: open.contains(&n.id),
                    });
                }
            }
        }
        let derived = derive_outcomes(&quarters, &monthly);

        let mut existing: BTreeMap<(i32, i32, String), outcome::Model> = outcome::Entity::find()
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .order_by_asc(outcome::Column::Id)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|o| (key3(o.cadre_id, o.result_id, &o.kind), o))
            .collect();
        let mut report = RecomputeReport::default();
        let mut owner: Option<Option<i32>> = None;
        for d in derived {
            let status = if d.pending {
                OutcomeStatus::Pending
            } else {
                OutcomeStatus::Active
            };
            let key = key3(d.cadre.0, d.result.0, d.kind.code());
            let row = match existing.remove(&key) {
                Some(row) if row.status == status.code() => row,
                Some(row) => {
                    let mut am: outcome::ActiveModel = row.clone().into();
                    am.status = Set(status.code().into());
                    if status == OutcomeStatus::Active && row.activated_at.is_none() {
                        am.activated_at = Set(Some(now));
                    }
                    let row = am.update(db).await.ie()?;
                    let action = if status == OutcomeStatus::Active {
                        report.activated += 1;
                        "outcome.activated"
                    } else {
                        report.made_pending += 1;
                        "outcome.held"
                    };
                    self.audit_as(db, actor, action, "outcome", row.id, None)
                        .await?;
                    row
                }
                None => {
                    let row = outcome::ActiveModel {
                        cadre_id: Set(d.cadre.0),
                        result_id: Set(d.result.0),
                        naming_id: Set(d.naming.map(|n| n.0)),
                        quarter: Set(d.quarter.key()),
                        year: Set(d.quarter.year),
                        kind: Set(d.kind.code().into()),
                        status: Set(status.code().into()),
                        policy_version: Set(d.policy_version),
                        basis: Set(serde_json::to_string(&d.basis).unwrap_or_else(|_| "[]".into())),
                        created_at: Set(now),
                        activated_at: Set((status == OutcomeStatus::Active).then_some(now)),
                        withdrawn_at: Set(None),
                        withdrawn_reason: Set(None),
                        ..Default::default()
                    }
                    .insert(db)
                    .await
                    .ie()?;
                    report.created += 1;
                    self.audit_as(
                        db,
                        actor,
                        "outcome.created",
                        "outcome",
                        row.id,
                        Some(audit::digest_of(&d)),
                    )
                    .await?;
                    row
                }
            };
            if status == OutcomeStatus::Active && d.kind.is_case() {
                let has_case = case::Entity::find()
                    .filter(case::Column::OutcomeId.eq(row.id))
                    .one(db)
                    .await
                    .ie()?
                    .is_some();
                if !has_case {
                    if owner.is_none() {
                        owner = Some(self.default_owner(db).await?);
                    }
                    let Some(Some(owner_id)) = owner else {
                        continue;
                    };
                    let policy = policies.get(&d.policy_version).cloned().unwrap_or_default();
                    let days = if d.kind == OutcomeKind::Rectification {
                        policy.rectification_days
                    } else {
                        policy.talk_due_days
                    };
                    let c = case::ActiveModel {
                        outcome_id: Set(row.id),
                        cadre_id: Set(row.cadre_id),
                        kind: Set(row.kind.clone()),
                        owner_id: Set(owner_id),
                        opened_at: Set(now),
                        due_on: Set(today + Duration::days(i64::from(days))),
                        state: Set(CaseState::Open.code().into()),
                        closed_at: Set(None),
                        closed_by: Set(None),
                        ..Default::default()
                    }
                    .insert(db)
                    .await
                    .ie()?;
                    report.cases_opened += 1;
                    self.audit_as(db, actor, "case.opened", "case", c.id, None)
                        .await?;
                }
            }
        }
        for (_, row) in existing {
            let id = row.id;
            let mut am: outcome::ActiveModel = row.into();
            am.status = Set(OutcomeStatus::Withdrawn.code().into());
            am.withdrawn_at = Set(Some(now));
            am.withdrawn_reason = Set(Some("result_changed".into()));
            am.update(db).await.ie()?;
            report.withdrawn += 1;
            self.audit_as(db, actor, "outcome.withdrawn", "outcome", id, None)
                .await?;
            let cases = case::Entity::find()
                .filter(case::Column::OutcomeId.eq(id))
                .filter(case::Column::State.eq(CaseState::Open.code()))
                .all(db)
                .await
                .ie()?;
            for c in cases {
                let cid = c.id;
                let mut cm: case::ActiveModel = c.into();
                cm.state = Set(CaseState::Withdrawn.code().into());
                cm.closed_at = Set(Some(now));
                cm.update(db).await.ie()?;
                case_note::ActiveModel {
                    case_id: Set(cid),
                    author_id: Set(actor),
                    kind: Set(NoteKind::Withdrawn.code().into()),
                    body: Set("复评改变了评定结果，本事项撤销 / withdrawn after an appeal changed the result".into()),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await
                .ie()?;
                report.cases_withdrawn += 1;
                self.audit_as(db, actor, "case.withdrawn", "case", cid, None)
                    .await?;
            }
        }
        Ok(report)
    }

    fn outcome_view(
        o: &outcome::Model,
        people: &HashMap<i32, Person>,
        reasons: &HashMap<i32, String>,
        cases: &HashMap<i32, i32>,
    ) -> OutcomeView {
        let p = people.get(&o.cadre_id).cloned().unwrap_or_default();
        let basis: Vec<String> = serde_json::from_str(&o.basis).unwrap_or_default();
        let kind = OutcomeKind::from_code(&o.kind).unwrap_or(OutcomeKind::Commendation);
        let reason = if basis.is_empty() {
            o.naming_id
                .and_then(|n| reasons.get(&n).cloned())
                .unwrap_or_default()
        } else {
            criticism_reason(&basis)
        };
        OutcomeView {
            id: OutcomeId(o.id),
            cadre: CadreId(o.cadre_id),
            name: p.name,
            department: p.department,
            result: ResultId(o.result_id),
            quarter: o.quarter.clone(),
            kind,
            status: OutcomeStatus::from_code(&o.status),
            policy_version: o.policy_version,
            basis,
            reason,
            created_at: o.created_at,
            activated_at: o.activated_at,
            withdrawn_at: o.withdrawn_at,
            withdrawn_reason: o.withdrawn_reason.clone(),
            case: cases.get(&o.id).map(|c| CaseId(*c)),
        }
    }

    async fn naming_reasons<C: ConnectionTrait>(
        &self,
        db: &C,
        outcomes: &[outcome::Model],
    ) -> Result<HashMap<i32, String>, AppError> {
        let ids: Vec<i32> = outcomes.iter().filter_map(|o| o.naming_id).collect();
        Ok(eval_naming::Entity::find()
            .filter(eval_naming::Column::Id.is_in(ids))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|n| (n.id, n.reason))
            .collect())
    }

    async fn outcome_views<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: &[outcome::Model],
        people: &HashMap<i32, Person>,
    ) -> Result<Vec<OutcomeView>, AppError> {
        let reasons = self.naming_reasons(db, rows).await?;
        let ids: Vec<i32> = rows.iter().map(|o| o.id).collect();
        let cases: HashMap<i32, i32> = case::Entity::find()
            .filter(case::Column::OutcomeId.is_in(ids))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| (c.outcome_id, c.id))
            .collect();
        Ok(rows
            .iter()
            .map(|o| Self::outcome_view(o, people, &reasons, &cases))
            .collect())
    }

    async fn case_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        c: &case::Model,
        people: &HashMap<i32, Person>,
        with_notes: bool,
    ) -> Result<CaseView, AppError> {
        let o = outcome::Entity::find_by_id(c.outcome_id)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        let reasons = self.naming_reasons(db, std::slice::from_ref(&o)).await?;
        let state = CaseState::from_code(&c.state);
        let kind = OutcomeKind::from_code(&c.kind).unwrap_or(OutcomeKind::Talk);
        let on_hold = o.status == OutcomeStatus::Pending.code();
        let notes = if with_notes {
            case_note::Entity::find()
                .filter(case_note::Column::CaseId.eq(c.id))
                .order_by_asc(case_note::Column::Id)
                .all(db)
                .await
                .ie()?
                .into_iter()
                .map(|n| CaseNoteView {
                    kind: NoteKind::from_code(&n.kind).unwrap_or(NoteKind::FollowUp),
                    author: n
                        .author_id
                        .and_then(|a| people.get(&a).map(|p| p.name.clone()))
                        .unwrap_or_default(),
                    body: n.body,
                    response: n.response,
                    held_on: n.held_on,
                    deadline: n.deadline,
                    met: n.met,
                    at: n.created_at,
                })
                .collect()
        } else {
            Vec::new()
        };
        let open = state == CaseState::Open && !on_hold;
        let principal = me.has(Role::Principal);
        let owner = c.owner_id == me.id.0;
        let may_note: Vec<NoteKind> = if !open {
            Vec::new()
        } else {
            [
                NoteKind::Talk,
                NoteKind::Warning,
                NoteKind::Plan,
                NoteKind::FollowUp,
                NoteKind::Closure,
            ]
            .into_iter()
            .filter(|k| note_allowed(kind, *k))
            .filter(|k| principal || (owner && !matches!(k, NoteKind::Talk | NoteKind::Warning)))
            .collect()
        };
        let mut owners: Vec<(CadreId, String)> = if open && principal {
            people
                .iter()
                .filter(|(_, p)| p.active && p.roles.contains(&Role::Principal))
                .map(|(id, p)| (CadreId(*id), p.name.clone()))
                .collect()
        } else {
            Vec::new()
        };
        owners.sort();
        let p = people.get(&c.cadre_id).cloned().unwrap_or_default();
        Ok(CaseView {
            id: CaseId(c.id),
            outcome: OutcomeId(o.id),
            cadre: CadreId(c.cadre_id),
            name: p.name,
            department: p.department,
            kind,
            quarter: o.quarter.clone(),
            result: ResultId(o.result_id),
            reason: o
                .naming_id
                .and_then(|n| reasons.get(&n).cloned())
                .unwrap_or_default(),
            owner: CadreId(c.owner_id),
            owner_name: people
                .get(&c.owner_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            opened_at: c.opened_at,
            due: c.due_on,
            state,
            overdue: !on_hold && case_overdue(state, c.due_on, self.today()),
            on_hold,
            closed_at: c.closed_at,
            notes,
            may_note,
            may_assign: open && principal,
            owners,
            today: self.today(),
        })
    }

    /// A case the viewer may see: principals, committee, office, its owner and its cadre.
    async fn visible_case<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        id: CaseId,
    ) -> Result<case::Model, AppError> {
        let c = case::Entity::find_by_id(id.0)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if Self::may_see_rewards(me) || c.owner_id == me.id.0 || c.cadre_id == me.id.0 {
            Ok(c)
        } else {
            Err(AppError::NotFound {})
        }
    }

    async fn notice_view<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        n: &notice::Model,
    ) -> Result<NoticeView, AppError> {
        let corrects = match n.corrects_id {
            Some(id) => notice::Entity::find_by_id(id)
                .one(db)
                .await
                .ie()?
                .map(|o| (NoticeId(o.id), o.number.unwrap_or_default())),
            None => None,
        };
        let corrected_by = notice::Entity::find()
            .filter(notice::Column::CorrectsId.eq(n.id))
            .filter(notice::Column::Status.eq(PUBLISHED))
            .one(db)
            .await
            .ie()?
            .map(|o| (NoticeId(o.id), o.number.unwrap_or_default()));
        let published = n.status == PUBLISHED;
        Ok(NoticeView {
            id: NoticeId(n.id),
            kind: NoticeKind::from_code(&n.kind).unwrap_or(NoticeKind::Commendation),
            result: ResultId(n.result_id),
            quarter: n.quarter.clone(),
            number: n.number.clone(),
            title: n.title.clone(),
            preamble: n.preamble.clone(),
            issuer: n.issuer.clone(),
            lines: serde_json::from_str(&n.lines).unwrap_or_default(),
            published,
            issued_on: n
                .published_at
                .map(|t| t.with_timezone(&self.policy.tz()).date_naive()),
            corrects,
            may_edit: Self::may_draft_notices(me) && (!published || corrected_by.is_none()),
            stale: self.notice_stale(db, n, corrected_by.is_some()).await?,
            corrected_by,
            audit_anchor: n.audit_anchor.clone(),
        })
    }

    async fn visible_notice<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
        id: NoticeId,
    ) -> Result<notice::Model, AppError> {
        let n = notice::Entity::find_by_id(id.0)
            .one(db)
            .await
            .ie()?
            .ok_or(AppError::NotFound {})?;
        if n.status == PUBLISHED || Self::may_draft_notices(me) {
            Ok(n)
        } else {
            Err(AppError::NotFound {})
        }
    }

    /// Whether a published, uncorrected notice no longer names the people its result's
    /// outcomes name now (an appeal changed them after publication): it needs a correction.
    async fn notice_stale<C: ConnectionTrait>(
        &self,
        db: &C,
        n: &notice::Model,
        corrected: bool,
    ) -> Result<bool, AppError> {
        if n.status != PUBLISHED || corrected {
            return Ok(false);
        }
        let Some(kind) = NoticeKind::from_code(&n.kind) else {
            return Ok(false);
        };
        let now: BTreeSet<i32> = outcome::Entity::find()
            .filter(outcome::Column::ResultId.eq(n.result_id))
            .filter(outcome::Column::Kind.eq(kind.outcome().code()))
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|o| o.cadre_id)
            .collect();
        let lines: Vec<NoticeLine> = serde_json::from_str(&n.lines).unwrap_or_default();
        let then: BTreeSet<i32> = lines.iter().map(|l| l.cadre.0).collect();
        Ok(now != then)
    }

    async fn notice_summaries<C: ConnectionTrait>(
        &self,
        db: &C,
        me: &Me,
    ) -> Result<Vec<NoticeSummary>, AppError> {
        let all = notice::Entity::find()
            .order_by_desc(notice::Column::Id)
            .all(db)
            .await
            .ie()?;
        let corrected: HashMap<i32, i32> = all
            .iter()
            .filter(|n| n.status == PUBLISHED)
            .filter_map(|n| n.corrects_id.map(|c| (c, n.id)))
            .collect();
        let mut out = Vec::new();
        for n in all
            .iter()
            .filter(|n| n.status == PUBLISHED || Self::may_draft_notices(me))
        {
            let corrected_by = corrected.get(&n.id).map(|i| NoticeId(*i));
            out.push(NoticeSummary {
                id: NoticeId(n.id),
                kind: NoticeKind::from_code(&n.kind).unwrap_or(NoticeKind::Commendation),
                quarter: n.quarter.clone(),
                number: n.number.clone(),
                title: n.title.clone(),
                published: n.status == PUBLISHED,
                published_at: n.published_at,
                corrects: n.corrects_id.map(NoticeId),
                stale: self.notice_stale(db, n, corrected_by.is_some()).await?,
                corrected_by,
            });
        }
        Ok(out)
    }

    // ----- ledger ---------------------------------------------------------------------------

    /// The latest base amount of every cadre and period.
    async fn bases<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<(i32, String), Money>, AppError> {
        Ok(bonus_base::Entity::find()
            .order_by_asc(bonus_base::Column::Id)
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|b| ((b.cadre_id, b.period), Money::from_fen(b.amount_fen)))
            .collect())
    }

    /// Uplift and withholding outcomes (active or pending) per cadre.
    async fn ledger_outcomes<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, Vec<LedgerOutcome>>, AppError> {
        let rows = outcome::Entity::find()
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .filter(
                outcome::Column::Kind
                    .is_in([OutcomeKind::Uplift.code(), OutcomeKind::Withholding.code()]),
            )
            .all(db)
            .await
            .ie()?;
        let mut pct: HashMap<i32, u32> = HashMap::new();
        let mut out: HashMap<i32, Vec<LedgerOutcome>> = HashMap::new();
        for o in rows {
            if let std::collections::hash_map::Entry::Vacant(e) = pct.entry(o.policy_version) {
                e.insert(
                    self.eval_policy_at(db, o.policy_version)
                        .await?
                        .outcomes
                        .best_uplift_pct,
                );
            }
            let Ok(quarter) = Quarter::parse_key(&o.quarter) else {
                continue;
            };
            out.entry(o.cadre_id).or_default().push(LedgerOutcome {
                outcome: OutcomeId(o.id),
                result: ResultId(o.result_id),
                quarter,
                kind: OutcomeKind::from_code(&o.kind).unwrap_or(OutcomeKind::Uplift),
                pending: o.status == OutcomeStatus::Pending.code(),
                uplift_pct: pct.get(&o.policy_version).copied().unwrap_or(20),
            });
        }
        Ok(out)
    }

    async fn closures<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<BTreeMap<LedgerPeriod, (ledger_closure::Model, Frozen)>, AppError> {
        Ok(ledger_closure::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .filter_map(|c| {
                let p = LedgerPeriod::parse_key(&c.period).ok()?;
                let f: Frozen = serde_json::from_str(&c.lines).unwrap_or_default();
                Some((p, (c, f)))
            })
            .collect())
    }

    /// The live lines of a period for every cadre with a base or an outcome touching it.
    async fn live_rows<C: ConnectionTrait>(
        &self,
        db: &C,
        period: LedgerPeriod,
    ) -> Result<Vec<LedgerRow>, AppError> {
        let bases = self.bases(db).await?;
        let outcomes = self.ledger_outcomes(db).await?;
        let key = period.key();
        let mut cadres: BTreeSet<i32> = bases
            .keys()
            .filter(|(_, p)| *p == key)
            .map(|(c, _)| *c)
            .collect();
        for (c, list) in &outcomes {
            if list.iter().any(|o| {
                o.quarter.year == period.year
                    && (period.is_year_end()
                        || o.kind == OutcomeKind::Withholding
                        || LedgerPeriod::quarter(o.quarter) == period)
            }) {
                cadres.insert(*c);
            }
        }
        let info = self.cadre_info(db).await?;
        let mut rows: Vec<LedgerRow> = cadres
            .into_iter()
            .map(|c| {
                let line = ledger_line(
                    CadreId(c),
                    period,
                    bases.get(&(c, key.clone())).copied(),
                    outcomes.get(&c).map(Vec::as_slice).unwrap_or(&[]),
                );
                let (username, name, department) = info.get(&c).cloned().unwrap_or_default();
                LedgerRow {
                    cadre: CadreId(c),
                    username,
                    name,
                    department,
                    period: key.clone(),
                    base: line.base,
                    adjustments: line.adjustments,
                    due: line.due,
                }
            })
            .collect();
        rows.sort_by(|a, b| (&a.department, &a.username).cmp(&(&b.department, &b.username)));
        Ok(rows)
    }

    async fn cadre_info<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<HashMap<i32, (String, String, String)>, AppError> {
        let depts = self.department_names(db).await?;
        Ok(cadre::Entity::find()
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|c| {
                (
                    c.id,
                    (
                        c.username,
                        c.name,
                        depts.get(&c.department_id).cloned().unwrap_or_default(),
                    ),
                )
            })
            .collect())
    }

    /// Changes to closed periods that the open `period` carries: for every closed period whose
    /// first open successor is `period`, each cadre's amount due now less what was frozen and
    /// less corrections already carried by later closed periods.
    async fn corrections_for<C: ConnectionTrait>(
        &self,
        db: &C,
        period: LedgerPeriod,
        closures: &BTreeMap<LedgerPeriod, (ledger_closure::Model, Frozen)>,
    ) -> Result<Vec<LedgerRow>, AppError> {
        let mut out = Vec::new();
        for (closed, (_, frozen)) in closures.range(..period) {
            let mut next = closed.next();
            while closures.contains_key(&next) {
                next = next.next();
            }
            if next != period {
                continue;
            }
            let live = self.live_rows(db, *closed).await?;
            let ckey = closed.key();
            let mut cadres: BTreeSet<i32> = frozen.rows.iter().map(|r| r.cadre.0).collect();
            cadres.extend(live.iter().map(|r| r.cadre.0));
            for c in cadres {
                let now_row = live.iter().find(|r| r.cadre.0 == c);
                let then_row = frozen.rows.iter().find(|r| r.cadre.0 == c);
                // A change still under appeal waits: pending adjustments count as if upheld.
                let now_due = now_row.map(settled_due).unwrap_or(Money::ZERO);
                let frozen_due = then_row.map(|r| r.due).unwrap_or(Money::ZERO);
                let carried: Money = closures
                    .range(closed.next()..)
                    .flat_map(|(_, (_, f))| f.corrections.iter())
                    .filter(|r| r.cadre.0 == c)
                    .flat_map(|r| r.adjustments.iter())
                    .filter(|a| a.kind == AdjustmentKind::Correction && a.source == ckey)
                    .map(|a| a.amount)
                    .sum();
                let Some(diff) = correction(now_due, frozen_due, carried) else {
                    continue;
                };
                // The result behind the change: an adjustment that appeared or disappeared.
                let ids =
                    |r: Option<&LedgerRow>| -> Vec<(Option<OutcomeId>, Option<ResultId>, bool)> {
                        r.map(|r| {
                            r.adjustments
                                .iter()
                                .map(|a| (a.outcome, a.result, a.pending))
                                .collect()
                        })
                        .unwrap_or_default()
                    };
                let (a, b) = (ids(now_row), ids(then_row));
                let result = a
                    .iter()
                    .find(|x| !b.contains(x))
                    .or_else(|| b.iter().find(|x| !a.contains(x)))
                    .and_then(|x| x.1);
                let base = now_row.or(then_row);
                out.push(LedgerRow {
                    cadre: CadreId(c),
                    username: base.map(|r| r.username.clone()).unwrap_or_default(),
                    name: base.map(|r| r.name.clone()).unwrap_or_default(),
                    department: base.map(|r| r.department.clone()).unwrap_or_default(),
                    period: period.key(),
                    base: None,
                    adjustments: vec![Adjustment {
                        kind: AdjustmentKind::Correction,
                        amount: diff,
                        pending: false,
                        outcome: None,
                        result,
                        source: ckey.clone(),
                        pct: None,
                    }],
                    due: diff,
                });
            }
        }
        Ok(out)
    }

    /// The rows and carried corrections of a period: frozen if closed, live if open.
    async fn period_lines<C: ConnectionTrait>(
        &self,
        db: &C,
        period: LedgerPeriod,
    ) -> Result<(Frozen, Option<ledger_closure::Model>), AppError> {
        let closures = self.closures(db).await?;
        if let Some((c, f)) = closures.get(&period) {
            return Ok((f.clone(), Some(c.clone())));
        }
        let rows = self.live_rows(db, period).await?;
        let corrections = self.corrections_for(db, period, &closures).await?;
        Ok((Frozen { rows, corrections }, None))
    }

    fn default_period(&self) -> LedgerPeriod {
        LedgerPeriod::quarter(Month::containing(self.today()).quarter().prev())
    }

    fn period_ended(&self, p: LedgerPeriod) -> bool {
        let today = self.today();
        if p.is_year_end() {
            today.year() > p.year
        } else {
            let q = Quarter {
                year: p.year,
                quarter: p.slot,
            };
            today > q.last_month().last_day()
        }
    }
}

/// What a line comes to if every pending adjustment is upheld.
fn settled_due(r: &LedgerRow) -> Money {
    (r.base.unwrap_or(Money::ZERO) + r.adjustments.iter().map(|a| a.amount).sum::<Money>())
        .max(Money::ZERO)
}

fn criticism_reason(basis: &[String]) -> String {
    format!("连续{}次被评为最差（{}）", basis.len(), basis.join("、"))
}

fn parse_day(field: &str, s: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid(field, "bad_date")),
    }
}

#[async_trait::async_trait]
impl app::ports::Rewards for Service {
    async fn rewards_board(&self, me: &Me) -> Result<RewardsBoard, AppError> {
        if !Self::may_see_rewards(me) {
            return Err(AppError::Forbidden {});
        }
        let db = &self.db;
        let now = self.now();
        let people = self.people(db).await?;
        let results = eval_result::Entity::find()
            .filter(eval_result::Column::Kind.eq(QUARTERLY))
            .filter(eval_result::Column::PublishedAt.is_not_null())
            .order_by_desc(eval_result::Column::Year)
            .order_by_desc(eval_result::Column::Period)
            .all(db)
            .await
            .ie()?;
        let open_results: HashSet<i32> = appeal::Entity::find()
            .filter(appeal::Column::Status.eq(AppealStatus::Open.code()))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .map(|a| a.result_id)
            .collect();
        let mut quarters = Vec::new();
        for r in results
            .iter()
            .filter(|r| r.published_at.is_some_and(|p| p <= now))
        {
            let rows = outcome::Entity::find()
                .filter(outcome::Column::ResultId.eq(r.id))
                .order_by_asc(outcome::Column::Id)
                .all(db)
                .await
                .ie()?;
            quarters.push(QuarterOutcomes {
                result: ResultId(r.id),
                quarter: quarter_of(r).key(),
                published_at: r.published_at,
                under_appeal: open_results.contains(&r.id),
                outcomes: self.outcome_views(db, &rows, &people).await?,
            });
        }
        let mut cases = Vec::new();
        for c in case::Entity::find()
            .order_by_asc(case::Column::DueOn)
            .all(db)
            .await
            .ie()?
        {
            cases.push(self.case_view(db, me, &c, &people, false).await?);
        }
        cases.sort_by_key(|c| (c.state != CaseState::Open, !c.overdue, c.due));
        let (version, policy) = self.eval_policy(db).await?;
        Ok(RewardsBoard {
            quarters,
            cases,
            notices: self.notice_summaries(db, me).await?,
            policy_version: version,
            policy: policy.outcomes,
            may_draft: Self::may_draft_notices(me),
        })
    }

    async fn recompute_outcomes(&self, me: &Me) -> Result<RecomputeReport, AppError> {
        if !(me.has(Role::Office) || me.has(Role::Principal)) {
            return Err(AppError::Forbidden {});
        }
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let report = self.recompute_in(&tx, Some(me.id.0)).await?;
        tx.commit().await.ie()?;
        Ok(report)
    }

    async fn case(&self, me: &Me, id: CaseId) -> Result<CaseView, AppError> {
        let c = self.visible_case(&self.db, me, id).await?;
        let people = self.people(&self.db).await?;
        self.case_view(&self.db, me, &c, &people, true).await
    }

    async fn add_case_note(
        &self,
        me: &Me,
        case_id: CaseId,
        kind: String,
        body: String,
        response: Option<String>,
        held_on: Option<String>,
        deadline: Option<String>,
        met: Option<bool>,
    ) -> Result<CaseView, AppError> {
        let kind = NoteKind::from_code(&kind)
            .filter(|k| !matches!(k, NoteKind::Owner | NoteKind::Withdrawn))
            .ok_or_else(|| AppError::invalid("kind", "bad_kind"))?;
        let today = self.today();
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let c = self.visible_case(&tx, me, case_id).await?;
        let case_kind = OutcomeKind::from_code(&c.kind).unwrap_or(OutcomeKind::Talk);
        let principal = me.has(Role::Principal);
        let owner = c.owner_id == me.id.0;
        // Only principals record talks and warnings; the owner follows the rectification.
        let allowed = match kind {
            NoteKind::Talk | NoteKind::Warning => principal,
            _ => principal || owner,
        };
        if !allowed {
            return Err(AppError::Forbidden {});
        }
        if !note_allowed(case_kind, kind) {
            return Err(AppError::invalid("kind", "not_for_case"));
        }
        if c.state != CaseState::Open.code() {
            return Err(AppError::conflict("case_closed"));
        }
        let o = outcome::Entity::find_by_id(c.outcome_id)
            .one(&tx)
            .await
            .ie()?
            .ok_or(AppError::Internal {})?;
        if o.status == OutcomeStatus::Pending.code() {
            return Err(AppError::conflict("appeal_pending"));
        }
        let body = required_text("body", &body)?;
        let response = clean_text(
            "response",
            response.as_deref().unwrap_or(""),
            MAX_NOTE_CHARS,
        )?;
        let held_on = parse_day("held_on", held_on.as_deref())?;
        let deadline = parse_day("deadline", deadline.as_deref())?;
        let mut cm: case::ActiveModel = c.clone().into();
        match kind {
            NoteKind::Talk => {
                let day = held_on.ok_or_else(|| AppError::invalid("held_on", "required"))?;
                if day > today {
                    return Err(AppError::invalid("held_on", "future_day"));
                }
                cm.state = Set(CaseState::Done.code().into());
                cm.closed_at = Set(Some(now));
                cm.closed_by = Set(Some(me.id.0));
            }
            NoteKind::Warning => {
                cm.state = Set(CaseState::Done.code().into());
                cm.closed_at = Set(Some(now));
                cm.closed_by = Set(Some(me.id.0));
            }
            NoteKind::Plan => {
                let day = deadline.ok_or_else(|| AppError::invalid("deadline", "required"))?;
                if day < today {
                    return Err(AppError::invalid("deadline", "past_day"));
                }
                cm.due_on = Set(day);
            }
            NoteKind::Closure => {
                let met = met.ok_or_else(|| AppError::invalid("met", "required"))?;
                cm.state = Set(if met {
                    CaseState::Met
                } else {
                    CaseState::NotMet
                }
                .code()
                .into());
                cm.closed_at = Set(Some(now));
                cm.closed_by = Set(Some(me.id.0));
            }
            _ => {}
        }
        let c = cm.update(&tx).await.ie()?;
        let note = case_note::ActiveModel {
            case_id: Set(c.id),
            author_id: Set(Some(me.id.0)),
            kind: Set(kind.code().into()),
            body: Set(body),
            response: Set(response),
            held_on: Set(held_on.filter(|_| kind == NoteKind::Talk)),
            deadline: Set(deadline.filter(|_| kind == NoteKind::Plan)),
            met: Set(met.filter(|_| kind == NoteKind::Closure)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        self.audit_as(
            &tx,
            Some(me.id.0),
            &format!("case.{}", kind.code()),
            "case",
            c.id,
            Some(audit::digest_of(&(note.id, &note.body, &c.state))),
        )
        .await?;
        let people = self.people(&tx).await?;
        let view = self.case_view(&tx, me, &c, &people, true).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn assign_case(
        &self,
        me: &Me,
        case_id: CaseId,
        owner: CadreId,
    ) -> Result<CaseView, AppError> {
        Self::require(me, Role::Principal)?;
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let c = self.visible_case(&tx, me, case_id).await?;
        if c.state != CaseState::Open.code() {
            return Err(AppError::conflict("case_closed"));
        }
        let people = self.people(&tx).await?;
        let ok = people
            .get(&owner.0)
            .is_some_and(|p| p.active && p.roles.contains(&Role::Principal));
        if !ok {
            return Err(AppError::invalid("owner", "not_principal"));
        }
        if c.owner_id == owner.0 {
            return Err(AppError::conflict("unchanged"));
        }
        let mut cm: case::ActiveModel = c.into();
        cm.owner_id = Set(owner.0);
        let c = cm.update(&tx).await.ie()?;
        case_note::ActiveModel {
            case_id: Set(c.id),
            author_id: Set(Some(me.id.0)),
            kind: Set(NoteKind::Owner.code().into()),
            body: Set(people
                .get(&owner.0)
                .map(|p| p.name.clone())
                .unwrap_or_default()),
            owner_id: Set(Some(owner.0)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        self.audit_as(
            &tx,
            Some(me.id.0),
            "case.assigned",
            "case",
            c.id,
            Some(audit::digest_of(&owner.0)),
        )
        .await?;
        let view = self.case_view(&tx, me, &c, &people, true).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn notice(&self, me: &Me, id: NoticeId) -> Result<NoticeView, AppError> {
        let n = self.visible_notice(&self.db, me, id).await?;
        self.notice_view(&self.db, me, &n).await
    }

    async fn draft_notice(
        &self,
        me: &Me,
        result: ResultId,
        kind: NoticeKind,
        corrects: Option<NoticeId>,
    ) -> Result<NoticeView, AppError> {
        if !Self::may_draft_notices(me) {
            return Err(AppError::Forbidden {});
        }
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let r = eval_result::Entity::find_by_id(result.0)
            .one(&tx)
            .await
            .ie()?
            .filter(|r| r.kind == QUARTERLY && r.published_at.is_some_and(|p| p <= now))
            .ok_or(AppError::NotFound {})?;
        let q = quarter_of(&r);
        let same = notice::Entity::find()
            .filter(notice::Column::ResultId.eq(r.id))
            .filter(notice::Column::Kind.eq(kind.code()))
            .all(&tx)
            .await
            .ie()?;
        if same.iter().any(|n| n.status == DRAFT) {
            return Err(AppError::conflict("notice_draft_exists"));
        }
        let old = match corrects {
            None => {
                if same.iter().any(|n| n.status == PUBLISHED) {
                    return Err(AppError::conflict("notice_exists"));
                }
                None
            }
            Some(id) => {
                let old = same
                    .iter()
                    .find(|n| n.id == id.0 && n.status == PUBLISHED)
                    .cloned()
                    .ok_or_else(|| AppError::invalid("corrects", "not_a_notice"))?;
                if same
                    .iter()
                    .any(|n| n.corrects_id == Some(old.id) && n.status == PUBLISHED)
                {
                    return Err(AppError::conflict("notice_corrected"));
                }
                Some(old)
            }
        };
        let rows = outcome::Entity::find()
            .filter(outcome::Column::ResultId.eq(r.id))
            .filter(outcome::Column::Kind.eq(kind.outcome().code()))
            .filter(outcome::Column::Status.ne(OutcomeStatus::Withdrawn.code()))
            .order_by_asc(outcome::Column::Id)
            .all(&tx)
            .await
            .ie()?;
        if rows
            .iter()
            .any(|o| o.status == OutcomeStatus::Pending.code())
        {
            return Err(AppError::conflict("outcomes_pending"));
        }
        if rows.is_empty() && old.is_none() {
            return Err(AppError::conflict("notice_empty"));
        }
        let people = self.people(&tx).await?;
        let views = self.outcome_views(&tx, &rows, &people).await?;
        let lines: Vec<NoticeLine> = views
            .into_iter()
            .map(|v| NoticeLine {
                cadre: v.cadre,
                name: v.name,
                department: v.department,
                reason: v.reason,
            })
            .collect();
        let (_, policy) = self
            .eval_policy_at_or_current(&tx, r.policy_version)
            .await?;
        let qname = format!("{}年第{}季度", q.year, q.quarter);
        let (title, preamble) = match (&old, kind) {
            (Some(o), _) => (
                format!("关于更正{}的通报", o.number.clone().unwrap_or_default()),
                format!(
                    "{}因复评结果调整，现予更正，以本通报为准。{}名单如下：",
                    o.number.clone().unwrap_or_default(),
                    qname
                ),
            ),
            (None, NoticeKind::Commendation) => (
                format!("关于对{qname}工作表现最好同志予以通报表扬的通报"),
                format!(
                    "根据“一记三评三奖惩”工作机制，经镇党委、镇政府{qname}评议，以下同志工作表现突出，现予通报表扬，并按规定上浮当季度奖金和年终奖金{}%。希望受表扬的同志再接再厉，全体干部以先进为榜样，学比赶超。",
                    policy.outcomes.best_uplift_pct
                ),
            ),
            (None, NoticeKind::Criticism) => (
                format!("关于对{qname}连续被评为最差同志予以通报批评的通报"),
                format!(
                    "根据“一记三评三奖惩”工作机制，以下同志连续{}次被评为最差，现予通报批评，当年季度奖金和年终奖金停发，只发基本工资。望其深刻反思，限期整改。",
                    policy.outcomes.worst_streak
                ),
            ),
        };
        let n = notice::ActiveModel {
            kind: Set(kind.code().into()),
            result_id: Set(r.id),
            quarter: Set(q.key()),
            year: Set(q.year),
            seq: Set(None),
            number: Set(None),
            title: Set(title),
            preamble: Set(preamble),
            issuer: Set("镇党委　镇人民政府".into()),
            lines: Set(serde_json::to_string(&lines).unwrap_or_else(|_| "[]".into())),
            status: Set(DRAFT.into()),
            corrects_id: Set(old.map(|o| o.id)),
            created_by: Set(me.id.0),
            created_at: Set(now),
            published_by: Set(None),
            published_at: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        self.audit_as(
            &tx,
            Some(me.id.0),
            "notice.drafted",
            "notice",
            n.id,
            Some(audit::digest_of(&n.lines)),
        )
        .await?;
        let view = self.notice_view(&tx, me, &n).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn update_notice(
        &self,
        me: &Me,
        id: NoticeId,
        title: String,
        preamble: String,
        issuer: String,
    ) -> Result<NoticeView, AppError> {
        if !Self::may_draft_notices(me) {
            return Err(AppError::Forbidden {});
        }
        let title = clean_text("title", &title, 200)?
            .ok_or_else(|| AppError::invalid("title", "required"))?;
        let preamble = clean_text("preamble", &preamble, MAX_NOTE_CHARS)?
            .ok_or_else(|| AppError::invalid("preamble", "required"))?;
        let issuer = clean_text("issuer", &issuer, 100)?
            .ok_or_else(|| AppError::invalid("issuer", "required"))?;
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let n = self.visible_notice(&tx, me, id).await?;
        if n.status != DRAFT {
            return Err(AppError::conflict("notice_published"));
        }
        let mut am: notice::ActiveModel = n.into();
        am.title = Set(title);
        am.preamble = Set(preamble);
        am.issuer = Set(issuer);
        let n = am.update(&tx).await.ie()?;
        self.audit_as(
            &tx,
            Some(me.id.0),
            "notice.edited",
            "notice",
            n.id,
            Some(audit::digest_of(&(&n.title, &n.preamble, &n.issuer))),
        )
        .await?;
        let view = self.notice_view(&tx, me, &n).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn publish_notice(&self, me: &Me, id: NoticeId) -> Result<NoticeView, AppError> {
        if !Self::may_draft_notices(me) {
            return Err(AppError::Forbidden {});
        }
        let now = self.now();
        let year = self.today().year();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let n = self.visible_notice(&tx, me, id).await?;
        if n.status != DRAFT {
            return Err(AppError::conflict("notice_published"));
        }
        let seq = notice::Entity::find()
            .filter(notice::Column::Year.eq(year))
            .filter(notice::Column::Seq.is_not_null())
            .all(&tx)
            .await
            .ie()?
            .iter()
            .filter_map(|n| n.seq)
            .max()
            .unwrap_or(0)
            + 1;
        // The chain's head goes into the notice's footer: printed and filed, it is an
        // anchor outside the database (`audit verify --anchor id:hash`).
        let anchor = audit::head(&tx, now).await.ie()?.map(|a| a.code());
        let mut am: notice::ActiveModel = n.into();
        am.audit_anchor = Set(anchor);
        am.status = Set(PUBLISHED.into());
        am.year = Set(year);
        am.seq = Set(Some(seq));
        am.number = Set(Some(notice_number(year, seq)));
        am.published_by = Set(Some(me.id.0));
        am.published_at = Set(Some(now));
        let n = am
            .update(&tx)
            .await
            .map_err(|_| AppError::conflict("notice_published"))?;
        self.audit_as(
            &tx,
            Some(me.id.0),
            "notice.published",
            "notice",
            n.id,
            Some(audit::digest_of(&(
                &n.number,
                &n.title,
                &n.preamble,
                &n.lines,
            ))),
        )
        .await?;
        let view = self.notice_view(&tx, me, &n).await?;
        tx.commit().await.ie()?;
        Ok(view)
    }

    async fn notice_download(&self, me: &Me, id: NoticeId) -> Result<Download, AppError> {
        let view = self.notice(me, id).await?;
        let name = view
            .number
            .clone()
            .map(|_| format!("notice-{}-{}.html", view.quarter, view.id))
            .unwrap_or_else(|| format!("notice-draft-{}.html", view.id));
        Ok(Download {
            filename: name,
            content_type: "text/html; charset=utf-8",
            bytes: notice_html(&view).into_bytes(),
        })
    }

    async fn ledger(&self, me: &Me, period: Option<String>) -> Result<LedgerView, AppError> {
        if !(me.has(Role::Office) || me.has(Role::Principal)) {
            return Err(AppError::Forbidden {});
        }
        let period = match period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => LedgerPeriod::parse_key(p)?,
            None => self.default_period(),
        };
        let (frozen, closure) = self.period_lines(&self.db, period).await?;
        let bases = self.bases(&self.db).await?;
        let key = period.key();
        let active_rows = cadre::Entity::find()
            .filter(cadre::Column::Active.eq(true))
            .all(&self.db)
            .await
            .ie()?;
        let active: Vec<i32> = active_rows.iter().map(|c| c.id).collect();
        let mut people: Vec<(CadreId, String, String)> = if me.has(Role::Office) {
            active_rows
                .iter()
                .map(|c| (CadreId(c.id), c.name.clone(), c.username.clone()))
                .collect()
        } else {
            Vec::new()
        };
        people.sort_by(|a, b| a.2.cmp(&b.2));
        let missing = active
            .iter()
            .filter(|c| !bases.contains_key(&(**c, key.clone())))
            .count() as u32;
        let this_year = self.today().year();
        let mut periods = Vec::new();
        for y in [this_year - 1, this_year] {
            periods.extend(LedgerPeriod::of_year(y).map(LedgerPeriod::key));
        }
        Ok(LedgerView {
            period: key,
            periods,
            closed: closure.is_some(),
            closed_at: closure.map(|c| c.closed_at),
            total_base: frozen.rows.iter().filter_map(|r| r.base).sum(),
            total_due: frozen
                .rows
                .iter()
                .chain(frozen.corrections.iter())
                .map(|r| r.due)
                .sum(),
            rows: frozen.rows,
            corrections: frozen.corrections,
            missing_bases: missing,
            people,
        })
    }

    async fn set_base(
        &self,
        me: &Me,
        cadre_id: CadreId,
        period: String,
        amount: String,
    ) -> Result<BaseReport, AppError> {
        Self::require(me, Role::Office)?;
        let period = LedgerPeriod::parse_key(&period)?;
        let amount = Money::parse("amount", &amount)?;
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        cadre::Entity::find_by_id(cadre_id.0)
            .one(&tx)
            .await
            .ie()?
            .ok_or_else(|| AppError::invalid("cadre", "unknown_cadre"))?;
        let closures = self.closures(&tx).await?;
        if closures.contains_key(&period) {
            return Err(AppError::conflict("period_closed"));
        }
        let bases = self.bases(&tx).await?;
        if bases.get(&(cadre_id.0, period.key())) == Some(&amount) {
            return Ok(BaseReport {
                saved: 0,
                unchanged: 1,
            });
        }
        let row = bonus_base::ActiveModel {
            cadre_id: Set(cadre_id.0),
            period: Set(period.key()),
            amount_fen: Set(amount.fen()),
            source: Set("entered".into()),
            entered_by: Set(me.id.0),
            entered_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .ie()?;
        self.audit_as(
            &tx,
            Some(me.id.0),
            "bonus.base_set",
            "bonus_base",
            row.id,
            Some(audit::digest_of(&(
                row.cadre_id,
                &row.period,
                row.amount_fen,
            ))),
        )
        .await?;
        tx.commit().await.ie()?;
        Ok(BaseReport {
            saved: 1,
            unchanged: 0,
        })
    }

    async fn import_bases(&self, me: &Me, csv_text: String) -> Result<BaseReport, AppError> {
        Self::require(me, Role::Office)?;
        let text = csv_text.trim_start_matches('\u{feff}');
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|_| AppError::invalid("csv", "bad_csv"))?
            .clone();
        let mut idx = [0usize; 3];
        for (i, col) in BASE_COLUMNS.iter().enumerate() {
            idx[i] = headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(col))
                .ok_or_else(|| AppError::invalid("csv", "missing_column"))?;
        }
        let now = self.now();
        let _guard = self.write.lock().await;
        let tx = self.db.begin().await.ie()?;
        let users: HashMap<String, i32> = cadre::Entity::find()
            .all(&tx)
            .await
            .ie()?
            .into_iter()
            .map(|c| (c.username, c.id))
            .collect();
        let closures = self.closures(&tx).await?;
        let bases = self.bases(&tx).await?;
        let mut errors = Vec::new();
        let mut seen: HashSet<(i32, String)> = HashSet::new();
        let mut rows: Vec<(i32, String, Money)> = Vec::new();
        for (n, rec) in rdr.records().enumerate() {
            if n >= MAX_BASE_ROWS {
                return Err(AppError::invalid("csv", "too_many_rows"));
            }
            let line = n as u32 + 2;
            let err = |field: &str, reason: &str| ImportRowError {
                line,
                field: field.into(),
                reason: reason.into(),
            };
            let Ok(rec) = rec else {
                errors.push(err("csv", "bad_csv"));
                continue;
            };
            if rec.iter().all(str::is_empty) {
                continue;
            }
            let get = |i: usize| rec.get(idx[i]).unwrap_or("").to_string();
            let Some(&cid) = users.get(&get(0)) else {
                errors.push(err("username", "unknown_cadre"));
                continue;
            };
            let period = match LedgerPeriod::parse_key(&get(1)) {
                Ok(p) => p,
                Err(_) => {
                    errors.push(err("period", "bad_period"));
                    continue;
                }
            };
            if closures.contains_key(&period) {
                errors.push(err("period", "period_closed"));
                continue;
            }
            let amount = match Money::parse("amount", &get(2)) {
                Ok(a) => a,
                Err(AppError::Invalid { reason, .. }) => {
                    errors.push(err("amount", &reason));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !seen.insert((cid, period.key())) {
                errors.push(err("username", "duplicate_row"));
                continue;
            }
            rows.push((cid, period.key(), amount));
        }
        if !errors.is_empty() {
            return Err(AppError::RowErrors { errors });
        }
        if rows.is_empty() {
            return Err(AppError::invalid("csv", "empty_file"));
        }
        let mut report = BaseReport {
            saved: 0,
            unchanged: 0,
        };
        for (cid, period, amount) in &rows {
            if bases.get(&(*cid, period.clone())) == Some(amount) {
                report.unchanged += 1;
                continue;
            }
            bonus_base::ActiveModel {
                cadre_id: Set(*cid),
                period: Set(period.clone()),
                amount_fen: Set(amount.fen()),
                source: Set("import".into()),
                entered_by: Set(me.id.0),
                entered_at: Set(now),
                ..Default::default()
            }
            .insert(&tx)
            .await
            .ie()?;
            report.saved += 1;
        }
        let digest: Vec<(i32, &str, i64)> = rows
            .iter()
            .map(|(c, p, a)| (*c, p.as_str(), a.fen()))
            .collect();
        self.audit_as(
            &tx,
            Some(me.id.0),
            "bonus.imported",
            "bonus_base",
            report.saved,
            Some(audit::digest_of(&digest)),
        )
        .await?;
        tx.commit().await.ie()?;
        Ok(report)
    }

    async fn close_period(&self, me: &Me, period: String) -> Result<LedgerView, AppError> {
        Self::require(me, Role::Office)?;
        let p = LedgerPeriod::parse_key(&period)?;
        if !self.period_ended(p) {
            return Err(AppError::conflict("period_not_over"));
        }
        let now = self.now();
        {
            let _guard = self.write.lock().await;
            let tx = self.db.begin().await.ie()?;
            let (frozen, closure) = self.period_lines(&tx, p).await?;
            if closure.is_some() {
                return Err(AppError::conflict("period_closed"));
            }
            let lines = serde_json::to_string(&frozen).map_err(|_| AppError::Internal {})?;
            let row = ledger_closure::ActiveModel {
                period: Set(p.key()),
                closed_by: Set(me.id.0),
                closed_at: Set(now),
                lines: Set(lines),
                ..Default::default()
            }
            .insert(&tx)
            .await
            .map_err(|_| AppError::conflict("period_closed"))?;
            self.audit_as(
                &tx,
                Some(me.id.0),
                "ledger.closed",
                "ledger",
                p.key(),
                Some(audit::digest_of(&row.lines)),
            )
            .await?;
            tx.commit().await.ie()?;
        }
        self.ledger(me, Some(p.key())).await
    }

    async fn export_ledger(
        &self,
        me: &Me,
        period: String,
        format: String,
    ) -> Result<Download, AppError> {
        Self::require(me, Role::Office)?;
        let p = LedgerPeriod::parse_key(&period)?;
        let view = self.ledger(me, Some(p.key())).await?;
        let mut rows = view.rows;
        rows.extend(view.corrections);
        let (bytes, content_type, ext) = match format.as_str() {
            "xlsx" => (
                ledger_xlsx(&p.key(), &rows)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            "csv" => (ledger_csv(&rows)?, "text/csv; charset=utf-8", "csv"),
            _ => return Err(AppError::invalid("format", "bad_format")),
        };
        // Finance-relevant: every export leaves an audit row with the file's digest.
        {
            let _guard = self.write.lock().await;
            let tx = self.db.begin().await.ie()?;
            let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
            self.audit_as(
                &tx,
                Some(me.id.0),
                "ledger.exported",
                "ledger",
                p.key(),
                Some(digest),
            )
            .await?;
            tx.commit().await.ie()?;
        }
        Ok(Download {
            filename: format!("ledger-{}.{ext}", p.key()),
            content_type,
            bytes,
        })
    }

    async fn my_rewards(&self, me: &Me) -> Result<MyRewards, AppError> {
        use app::ports::Evaluations;
        let results = self.my_results(me).await?;
        let db = &self.db;
        let people = self.people(db).await?;
        let rows = outcome::Entity::find()
            .filter(outcome::Column::CadreId.eq(me.id.0))
            .order_by_desc(outcome::Column::Id)
            .all(db)
            .await
            .ie()?;
        let outcomes = self.outcome_views(db, &rows, &people).await?;
        let mut cases = Vec::new();
        for c in case::Entity::find()
            .filter(case::Column::CadreId.eq(me.id.0))
            .order_by_desc(case::Column::Id)
            .all(db)
            .await
            .ie()?
        {
            cases.push(self.case_view(db, me, &c, &people, true).await?);
        }
        // Every period with a base or an outcome of mine, in payment order.
        let mut periods: BTreeSet<LedgerPeriod> = bonus_base::Entity::find()
            .filter(bonus_base::Column::CadreId.eq(me.id.0))
            .all(db)
            .await
            .ie()?
            .into_iter()
            .filter_map(|b| LedgerPeriod::parse_key(&b.period).ok())
            .collect();
        for o in &rows {
            if let Ok(q) = Quarter::parse_key(&o.quarter) {
                periods.insert(LedgerPeriod::quarter(q));
                periods.insert(LedgerPeriod::year_end(q.year));
            }
        }
        let closures = self.closures(db).await?;
        // Closed periods, and the open periods that carry their corrections.
        for closed in closures.keys() {
            periods.insert(*closed);
            let mut next = closed.next();
            while closures.contains_key(&next) {
                next = next.next();
            }
            periods.insert(next);
        }
        let mut ledger = Vec::new();
        for p in periods {
            let (frozen, _) = self.period_lines(db, p).await?;
            ledger.extend(
                frozen
                    .rows
                    .into_iter()
                    .chain(frozen.corrections)
                    .filter(|r| r.cadre == me.id),
            );
        }
        Ok(MyRewards {
            results,
            outcomes,
            cases,
            ledger,
        })
    }
}

impl Service {
    async fn eval_policy_at_or_current<C: ConnectionTrait>(
        &self,
        db: &C,
        version: i32,
    ) -> Result<(i32, EvalPolicy), AppError> {
        Ok((version, self.eval_policy_at(db, version).await?))
    }

    /// Reminders about cases: overdue ones for the principals, open ones for their owner.
    pub(crate) async fn case_reminders(&self, me: &Me) -> Result<Vec<Reminder>, AppError> {
        let principal = me.has(Role::Principal);
        let open = case::Entity::find()
            .filter(case::Column::State.eq(CaseState::Open.code()))
            .all(&self.db)
            .await
            .ie()?;
        let held: HashSet<i32> = outcome::Entity::find()
            .filter(outcome::Column::Status.eq(OutcomeStatus::Pending.code()))
            .all(&self.db)
            .await
            .ie()?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let today = self.today();
        let live: Vec<&case::Model> = open
            .iter()
            .filter(|c| !held.contains(&c.outcome_id))
            .collect();
        let mut out = Vec::new();
        let overdue: Vec<&&case::Model> = live
            .iter()
            .filter(|c| case_overdue(CaseState::Open, c.due_on, today))
            .collect();
        if principal && !overdue.is_empty() {
            let due = overdue.iter().map(|c| c.due_on).min().unwrap_or(today);
            out.push(Reminder {
                what: "cases_overdue".into(),
                period: String::new(),
                due: end_of_local_day(due, &self.policy),
                overdue: true,
                count: overdue.len() as u32,
                href: "/rewards#cases".into(),
            });
        }
        let mine: Vec<&&case::Model> = live.iter().filter(|c| c.owner_id == me.id.0).collect();
        if !mine.is_empty() {
            let due = mine.iter().map(|c| c.due_on).min().unwrap_or(today);
            out.push(Reminder {
                what: "cases_mine".into(),
                period: String::new(),
                due: end_of_local_day(due, &self.policy),
                overdue: mine.iter().any(|c| c.due_on < today),
                count: mine.len() as u32,
                href: "/rewards#cases".into(),
            });
        }
        Ok(out)
    }
}
