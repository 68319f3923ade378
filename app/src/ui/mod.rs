//! Shared UI pieces.

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
