//! The ledger's files for finance: CSV and XLSX.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

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
    let ie = |_| AppError::Internal {};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let num = Format::new().set_num_format("#,##0.00");
    write_summary_sheet(wb.add_worksheet(), rows, &bold, &num).map_err(ie)?;
    write_detail_sheet(wb.add_worksheet(), rows, &bold, &num).map_err(ie)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new().set_title(format!("奖金台账 {period}")),
    );
    wb.save_to_buffer().map_err(ie)
}

/// A text cell of the XLSX export.
fn xlsx_text(s: &str) -> std::borrow::Cow<'_, str> {
    // Strings are never formulas in XLSX, but the same text is neutralised as in the CSV so
    // that a copy into another sheet or a re-save as CSV stays harmless.
    crate::cells::spreadsheet_text(s)
}

/// An amount as an XLSX number (formatted with two decimals by the sheet).
fn xlsx_money(m: Money) -> f64 {
    m.plain().parse().unwrap_or(0.0)
}

/// A sheet's first row: the column titles in bold.
fn write_header(ws: &mut Worksheet, head: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
    }
    Ok(())
}

/// The summary sheet (汇总): per cadre and period the base, the counted and the pending
/// adjustments and the amount due, then the total due.
fn write_summary_sheet(
    ws: &mut Worksheet,
    rows: &[LedgerRow],
    bold: &Format,
    num: &Format,
) -> Result<(), XlsxError> {
    ws.set_name("汇总")?;
    let head = [
        "账号", "姓名", "部门", "期间", "基数", "调整", "待定", "应发",
    ];
    write_header(ws, &head, bold)?;
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
        ws.write_string(row, 0, xlsx_text(&r.username).as_ref())?;
        ws.write_string(row, 1, xlsx_text(&r.name).as_ref())?;
        ws.write_string(row, 2, xlsx_text(&r.department).as_ref())?;
        ws.write_string(row, 3, xlsx_text(&r.period).as_ref())?;
        if let Some(b) = r.base {
            ws.write_number_with_format(row, 4, xlsx_money(b), num)?;
        }
        ws.write_number_with_format(row, 5, xlsx_money(counted), num)?;
        ws.write_number_with_format(row, 6, xlsx_money(pending), num)?;
        ws.write_number_with_format(row, 7, xlsx_money(r.due), num)?;
    }
    let total = rows.len() as u32 + 1;
    ws.write_string_with_format(total, 0, "合计", bold)?;
    ws.write_number_with_format(total, 7, xlsx_money(rows.iter().map(|r| r.due).sum()), num)?;
    ws.set_column_width(1, 10)?;
    ws.set_column_width(2, 16)?;
    for c in 4..=7 {
        ws.set_column_width(c, 14)?;
    }
    Ok(())
}

/// The detail sheet (明细): one row per base, adjustment and amount due, as in the CSV.
fn write_detail_sheet(
    ws: &mut Worksheet,
    rows: &[LedgerRow],
    bold: &Format,
    num: &Format,
) -> Result<(), XlsxError> {
    ws.set_name("明细")?;
    let head = [
        "账号", "姓名", "部门", "期间", "项目", "金额", "待定", "原因", "来源",
    ];
    write_header(ws, &head, bold)?;
    for (i, it) in export_items(rows).into_iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, xlsx_text(&it.row.username).as_ref())?;
        ws.write_string(row, 1, xlsx_text(&it.row.name).as_ref())?;
        ws.write_string(row, 2, xlsx_text(&it.row.department).as_ref())?;
        ws.write_string(row, 3, xlsx_text(&it.row.period).as_ref())?;
        ws.write_string(row, 4, xlsx_text(it.item).as_ref())?;
        ws.write_number_with_format(row, 5, xlsx_money(it.amount), num)?;
        ws.write_string(row, 6, if it.pending { "是" } else { "" })?;
        ws.write_string(row, 7, xlsx_text(&it.reason).as_ref())?;
        ws.write_string(row, 8, xlsx_text(&it.source).as_ref())?;
    }
    ws.set_column_width(7, 50)?;
    ws.set_column_width(8, 24)?;
    Ok(())
}
