//! Translations. Every user-facing string lives in `app/locales/<lang>.txt` as `key = text`
//! lines; code refers to keys only. Chinese (zh-CN) is the default; the choice is kept in the
//! `xn_lang` cookie and written into `<html lang>` so the browser side renders the same.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A supported UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

/// The cookie that remembers the language.
pub const LANG_COOKIE: &str = "xn_lang";

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.trim() {
            "zh-CN" | "zh" | "zh-Hans" => Some(Lang::Zh),
            "en" | "en-US" | "en-GB" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language chosen by the `xn_lang` cookie in a `Cookie` header, or the default.
    pub fn from_cookie_header(header: Option<&str>) -> Lang {
        Lang::from_request(header, None)
    }

    /// The language of a request: the `xn_lang` cookie when it names one, else the
    /// best-liked supported language of an `Accept-Language` header (by its q-values, the
    /// earlier one on a tie), else the default (Chinese).
    pub fn from_request(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        let chosen = cookie.and_then(|h| {
            h.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == LANG_COOKIE).then(|| Lang::from_tag(v)).flatten()
            })
        });
        chosen
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or_default()
    }

    /// The best-liked supported language of an `Accept-Language` value (`en-US,en;q=0.9`).
    fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            let Some(q) = q.filter(|q| *q > 0.0 && *q <= 1.0) else {
                continue;
            };
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "zh" => Lang::Zh,
                "en" => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

const ZH: &str = include_str!("../locales/zh-CN.txt");
const EN: &str = include_str!("../locales/en.txt");

fn parse(src: &'static str) -> HashMap<&'static str, &'static str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static ZH_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Zh => ZH_T.get_or_init(|| parse(ZH)),
        Lang::En => EN_T.get_or_init(|| parse(EN)),
    }
}

/// The text for `key` in `lang`; the key itself if missing (a test keeps that from happening).
pub fn t(lang: Lang, key: &str) -> String {
    table(lang)
        .get(key)
        .map(|s| (*s).to_string())
        .unwrap_or_else(|| key.to_string())
}

/// Whether `key` has a translation (the default language has every key).
pub fn has_key(key: &str) -> bool {
    table(Lang::Zh).contains_key(key)
}

/// Like [`t`], replacing `{name}` placeholders.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// All keys of a language file, for tests.
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let mut k: Vec<_> = table(lang).keys().copied().collect();
    k.sort_unstable();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        assert_eq!(keys(Lang::Zh), keys(Lang::En));
        assert!(keys(Lang::Zh).len() > 50);
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        // Scan the sources for literal keys passed to tr, t and tf.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let src = std::fs::read_to_string(&path).unwrap();
                let uses = ["tr(\"", "t(lang, \"", "tf(lang, \"", "t(other, \""]
                    .iter()
                    .flat_map(|p| src.match_indices(p).map(move |(i, _)| i + p.len()))
                    .collect::<Vec<_>>();
                for i in uses {
                    let rest = &src[i..];
                    if let Some(end) = rest.find('"') {
                        let key = &rest[..end];
                        if table(Lang::Zh).get(key).is_none() {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing translation keys: {missing:?}");
    }

    #[test]
    fn cookie_selects_language() {
        assert_eq!(Lang::from_cookie_header(Some("a=b; xn_lang=en")), Lang::En);
        assert_eq!(Lang::from_cookie_header(Some("xn_lang=xx")), Lang::Zh);
    }

    #[test]
    fn accept_language_counts_only_without_a_language_cookie() {
        let r = Lang::from_request;
        assert_eq!(r(None, Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(r(None, Some("fr;q=1, en;q=0.5, zh-CN;q=0.8")), Lang::Zh);
        assert_eq!(r(None, Some("de, fr")), Lang::Zh);
        assert_eq!(r(None, Some("en;q=0, zh;q=0.1")), Lang::Zh);
        assert_eq!(r(None, Some("zh-TW;q=0.2, EN-gb;q=0.3")), Lang::En);
        assert_eq!(r(None, Some("en;q=abc")), Lang::Zh);
        assert_eq!(r(Some("xn_lang=zh-CN"), Some("en")), Lang::Zh);
        assert_eq!(r(Some("other=1"), Some("en")), Lang::En);
        assert_eq!(r(None, None), Lang::Zh);
        assert_eq!(Lang::from_cookie_header(None), Lang::Zh);
    }
}
