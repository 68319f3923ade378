//! Shared UI pieces: the language and translation helpers, time, period and day labels, the
//! query-string helper, the no-JavaScript flash line, the print button and textarea text.
//! The page frame is in [`layout`]; the browser-to-server form helpers in [`forms`].

pub mod forms;
pub mod layout;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::calendar::{Month, Quarter, SheetPeriod};
use crate::error::AppError;
use crate::i18n::{Lang, t, tf};
use crate::policy::Policy;

/// The language of the current request (server) or page (browser).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Translates `key` in the current language.
pub fn tr(key: &str) -> String {
    t(use_lang(), key)
}

/// Formats a UTC instant in the township's local time.
pub fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    let policy = Policy::default();
    t.with_timezone(&policy.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A moment in the township's time without the year, e.g. "12月3日 08:10" / "12/3 08:10".
pub fn moment_label(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let local = t.with_timezone(&Policy::default().tz());
    tf(
        use_lang(),
        "time.moment",
        &[
            ("m", &local.month().to_string()),
            ("d", &local.day().to_string()),
            ("hm", &format!("{:02}:{:02}", local.hour(), local.minute())),
        ],
    )
}

/// A period's human label, e.g. "2026年4月上旬" / "Apr 2026, days 1–10".
pub fn period_label(p: SheetPeriod) -> String {
    let lang = use_lang();
    tf(
        lang,
        &format!("period.label{}", p.dekad.number()),
        &[("y", &p.year.to_string()), ("m", &p.month.to_string())],
    )
}

/// A day's label with weekday, e.g. "4月12日 周日".
pub fn day_label(d: chrono::NaiveDate) -> String {
    day_label_in(use_lang(), d)
}

/// [`day_label`] in a given language (islands are handed theirs).
pub fn day_label_in(lang: Lang, d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let wd = d.weekday().num_days_from_monday();
    tf(
        lang,
        "day.label",
        &[
            ("m", &d.month().to_string()),
            ("d", &d.day().to_string()),
            ("w", &t(lang, &format!("weekday.{wd}"))),
        ],
    )
}

pub(crate) fn month_label(lang: Lang, m: Month) -> String {
    tf(
        lang,
        "month.label",
        &[("y", &m.year.to_string()), ("m", &m.month.to_string())],
    )
}

pub(crate) fn quarter_label(lang: Lang, q: Quarter) -> String {
    tf(
        lang,
        "quarter.label",
        &[("y", &q.year.to_string()), ("q", &q.quarter.to_string())],
    )
}

/// `2026-04` or `2026-Q2` as a label.
pub(crate) fn period_key_label(lang: Lang, key: &str) -> String {
    if let Ok(q) = Quarter::parse_key(key) {
        quarter_label(lang, q)
    } else if let Ok(m) = Month::parse_key(key) {
        month_label(lang, m)
    } else {
        key.to_string()
    }
}

pub(crate) fn query(key: &str) -> Option<String> {
    use_query_map()
        .get_untracked()
        .get(key)
        .filter(|v| !v.is_empty())
}

/// A message for a no-JavaScript form: `saved` or an error reason code from the query string
/// (codes only, never text to show; an unknown code shows nothing), or the refused save
/// (`refused`).
pub(crate) fn flash(refused: Option<&AppError>) -> impl IntoView + use<> {
    let saved = query("saved").is_some();
    view! {
        {saved.then(|| view! { <p class="ok" role="status">{tr("today.saved")}</p> })}
        {flash_error(refused)}
    }
}

/// Only the refusal part of [`flash`] (a page that shows "saved" where it saves).
pub(crate) fn flash_error(refused: Option<&AppError>) -> impl IntoView + use<> {
    let lang = use_lang();
    let known = |key: &str| crate::i18n::has_key(key).then(|| t(lang, key));
    let err = match refused {
        Some(e) => Some(e.message(lang)),
        None => query("error").and_then(|reason| {
            let msg = known(&format!("err.{reason}"))?;
            Some(
                match query("field").and_then(|f| known(&format!("field.{f}"))) {
                    Some(label) => format!("{label}: {msg}"),
                    None => msg,
                },
            )
        }),
    };
    err.map(|m| view! { <p class="error" role="alert">{m}</p> })
}

/// A button that opens the browser's print dialog. An island rather than an `onclick`
/// attribute: the pages' Content-Security-Policy allows no inline script at all.
#[island(lazy)]
pub fn PrintButton(lang: Lang, #[prop(optional)] class: Option<String>) -> impl IntoView {
    view! {
        <button type="button" class=class.unwrap_or_default()
            on:click=move |_| { let _ = window().print(); }>
            {t(lang, "print.print")}
        </button>
    }
}

/// The text to put between `<textarea>` and `</textarea>` in a `view!`.
///
/// Leptos treats a textarea's children as raw text (like `<script>`): it neither escapes
/// them on the server nor hydrates them in the browser. User text written there unescaped
/// would let `</textarea><svg onload=…>` out of the element, so every textarea's content
/// goes through this function: escaped when rendered on the server (the browser turns the
/// entities back into the text), as it is when built in the browser (a DOM text node).
/// A test over the sources keeps every `<textarea>` using it.
pub fn textarea_text(text: impl AsRef<str>) -> String {
    let text = text.as_ref();
    #[cfg(feature = "ssr")]
    {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out += "&amp;",
                '<' => out += "&lt;",
                '>' => out += "&gt;",
                c => out.push(c),
            }
        }
        out
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(feature = "ssr")]
    #[test]
    fn textarea_text_cannot_close_the_element() {
        let s = super::textarea_text("a</textarea><svg onload=alert(1)>&amp;");
        assert_eq!(s, "a&lt;/textarea&gt;&lt;svg onload=alert(1)&gt;&amp;amp;");
    }

    /// Every `<textarea>` in the UI sources is either empty or filled through
    /// `textarea_text`, so no user text reaches one unescaped.
    #[test]
    fn every_textarea_in_the_sources_uses_textarea_text() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = vec![std::path::PathBuf::from(dir)];
        let mut checked = 0;
        while let Some(p) = files.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).unwrap() {
                    files.push(e.unwrap().path());
                }
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") || p.ends_with("ui/mod.rs") {
                continue;
            }
            let src = std::fs::read_to_string(&p).unwrap();
            let mut rest = src.as_str();
            while let Some(i) = rest.find("<textarea") {
                let after = &rest[i..];
                let open_end = after.find('>').unwrap();
                // An attribute closure like `on:input=move |ev| …` may contain `>`: find
                // the end of the opening tag as the first `>` followed by `{` or `<`.
                let mut end = open_end;
                while !matches!(after[end + 1..].chars().next(), Some('{') | Some('<')) {
                    end += 1 + after[end + 1..].find('>').unwrap();
                }
                let content = &after[end + 1..after.find("</textarea>").unwrap()];
                assert!(
                    content.is_empty() || content.starts_with("{crate::ui::textarea_text("),
                    "{}: a <textarea> is filled without textarea_text: {content}",
                    p.display()
                );
                checked += 1;
                rest = &after[end..];
            }
        }
        assert!(checked >= 10, "found only {checked} textareas");
    }
}
