//! The ledger's files for finance: CSV and XLSX.

use super::*;

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
