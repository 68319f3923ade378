//! Making user-written text safe where it leaves the app: HTML written by hand (the
//! downloadable notice, plain answer pages) and spreadsheet cells (CSV and XLSX exports).

/// Escapes text for HTML element content and quoted attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A text cell for a spreadsheet: text that a spreadsheet program would take for a formula
/// (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe,
/// so it shows as the text it is (OWASP "CSV injection"). Amounts are written as numbers
/// elsewhere and never pass through here.
pub fn spreadsheet_text(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(
            html_escape(r#"</textarea><svg onload="x">'&"#),
            "&lt;/textarea&gt;&lt;svg onload=&quot;x&quot;&gt;&#39;&amp;"
        );
        assert_eq!(html_escape("两行字"), "两行字");
    }

    #[test]
    fn formula_like_cells_are_neutralised_and_others_kept() {
        for (input, out) in [
            (
                r#"=HYPERLINK("http://evil.example","点此")"#,
                r#"'=HYPERLINK("http://evil.example","点此")"#,
            ),
            ("+86 123", "'+86 123"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("党政办", "党政办"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_text(input), out, "{input:?}");
        }
    }
}
