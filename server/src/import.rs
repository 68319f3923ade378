//! The CSV imports' one table reader ([`read_table`]), and the cadre file on it:
//! `username,name,title,department,roles,supervisor,password` with a header line. Each row
//! becomes an account or a row error with its line number. The bonus bases file
//! (`username,period,amount`) is read by the same reader in the ledger.

use app::domain::Role;
use app::error::AppError;
use app::org::NewAccount;

/// Columns the header must name (in any order).
pub const COLUMNS: [&str; 7] = [
    "username",
    "name",
    "title",
    "department",
    "roles",
    "supervisor",
    "password",
];

/// Rows one account import may hold (the township has about a hundred people; each row's
/// password takes ~25 ms to hash).
pub const MAX_ROWS: usize = 500;

/// A parsed row: its line number and the account, or the failing field and reason key.
pub type Row = (u32, Result<NewAccount, (String, String)>);

/// One line of a CSV table: its line number in the file and its cells in the order the
/// columns were asked for, or `None` when the line is not well-formed CSV.
pub type TableLine<const N: usize> = (u32, Option<[String; N]>);

/// Reads a CSV table with a header line the way every import takes it: a byte-order mark is
/// dropped, cells are trimmed, the needed `columns` are found by name (any order and letter
/// case; a missing one refuses the file), blank lines are skipped, and a file with more
/// than `max_rows` lines refuses as a whole (`too_many_rows`).
pub fn read_table<const N: usize>(
    text: &str,
    columns: [&str; N],
    max_rows: usize,
) -> Result<Vec<TableLine<N>>, AppError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|_| AppError::invalid("csv", "bad_csv"))?
        .clone();
    let mut idx = [0usize; N];
    for (i, col) in columns.iter().enumerate() {
        idx[i] = headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(col))
            .ok_or_else(|| AppError::invalid("csv", "missing_column"))?;
    }
    let mut out = Vec::new();
    for (n, rec) in rdr.records().enumerate() {
        if out.len() >= max_rows {
            return Err(AppError::invalid("csv", "too_many_rows"));
        }
        let line = n as u32 + 2;
        let Ok(rec) = rec else {
            out.push((line, None));
            continue;
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let cells = idx.map(|i| rec.get(i).unwrap_or("").to_string());
        out.push((line, Some(cells)));
    }
    Ok(out)
}

/// Parses the whole cadre file; a file without the needed header is refused as a whole.
pub fn parse_csv(text: &str) -> Result<Vec<Row>, AppError> {
    let mut out = Vec::new();
    for (line, cells) in read_table(text, COLUMNS, MAX_ROWS)? {
        let Some(cells) = cells else {
            out.push((line, Err(("csv".into(), "bad_csv".into()))));
            continue;
        };
        let get = |i: usize| cells[i].clone();
        let roles = match Role::parse_list(&get(4)) {
            Ok(r) => r,
            Err(_) => {
                out.push((line, Err(("roles".into(), "bad_role".into()))));
                continue;
            }
        };
        let account = NewAccount {
            username: get(0),
            name: get(1),
            title: get(2),
            department: get(3),
            roles,
            supervisor_username: Some(get(5)).filter(|s| !s.is_empty()),
            password: get(6),
        };
        out.push((
            line,
            account.validate().map_err(|e| match e {
                AppError::Invalid { field, reason } => (field, reason),
                _ => ("csv".into(), "bad_csv".into()),
            }),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_parsed_with_line_numbers_and_errors() {
        let csv = "username,name,title,department,roles,supervisor,password\n\
                   zhang3,张三,科员,党政办,cadre,lead1,secret123\n\
                   x,李四,科员,党政办,cadre,,secret123\n\
                   wang5,王五,科员,党政办,boss,,secret123\n";
        let rows = parse_csv(csv).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, 2);
        assert!(rows[0].1.is_ok());
        assert_eq!(
            rows[1].1.clone().unwrap_err(),
            ("username".into(), "bad_username".into())
        );
        assert_eq!(
            rows[2].1.clone().unwrap_err(),
            ("roles".into(), "bad_role".into())
        );
    }

    #[test]
    fn a_file_over_the_row_limit_is_refused_as_a_whole() {
        let mut csv = String::from("username,name,title,department,roles,supervisor,password\n");
        for i in 0..=MAX_ROWS {
            csv.push_str(&format!(
                "u{i:04},张{i},科员,党政办,cadre,,secret-{i}-pass\n"
            ));
        }
        assert_eq!(
            parse_csv(&csv).unwrap_err(),
            AppError::invalid("csv", "too_many_rows")
        );
    }

    #[test]
    fn a_file_without_the_header_is_refused() {
        assert!(parse_csv("a,b\n1,2\n").is_err());
    }
}
