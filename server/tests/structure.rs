//! The shape of the code, checked like behaviour: no source file a reader cannot hold, no
//! function that long without a stated reason, and no import circles between the modules
//! of `app` (each feature is a room; the shared kernel never reaches into a room).
//!
//! The checks read the sources as rustfmt leaves them (items start at the left margin or
//! four spaces in, and end at a closing brace at the same indentation).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Most lines a source file may have, not counting its `#[cfg(test)]` module at the end.
const MAX_FILE_LINES: usize = 800;
/// Most lines a function may have (signature to closing brace).
const MAX_FN_LINES: usize = 80;

/// Files that are data rather than code.
const DATA_FILES: &[&str] = &["server/src/demo/content.rs"];

/// Functions allowed to be longer, each with its reason. The test also fails when one of
/// these has become short, so the list never outlives its reasons.
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server crate sits in the workspace")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, as (path relative to the workspace, lines).
fn sources(dir: &str) -> Vec<(String, Vec<String>)> {
    let root = workspace();
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("source folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(&root)
                    .expect("inside the workspace")
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(&p).expect("readable source");
                out.push((rel, text.lines().map(str::to_string).collect()));
            }
        }
    }
    out.sort();
    out
}

/// The lines before a file's trailing `#[cfg(test)]` module (or all of them).
fn code_lines(lines: &[String]) -> &[String] {
    let end = lines
        .iter()
        .position(|l| l == "#[cfg(test)]")
        .unwrap_or(lines.len());
    &lines[..end]
}

/// Functions as (name, first line, length), found at the left margin or one level in.
fn functions(lines: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let indent = l.len() - l.trim_start().len();
        if indent > 4 {
            continue;
        }
        let t = l.trim_start();
        let t = t
            .strip_prefix("pub ")
            .or_else(|| t.strip_prefix("pub(crate) "))
            .or_else(|| t.strip_prefix("pub(super) "))
            .or_else(|| t.strip_prefix("pub(in crate::service) "))
            .unwrap_or(t);
        let t = t.strip_prefix("async ").unwrap_or(t);
        let Some(rest) = t.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{}}}", " ".repeat(indent));
        // A declaration without a body (a trait method) ends at its `;`.
        let mut end = None;
        for (j, m) in lines.iter().enumerate().skip(i) {
            if j > i && *m == close {
                end = Some(j);
                break;
            }
            if m.trim_end().ends_with(';') && !lines[i..=j].iter().any(|x| x.contains('{')) {
                break;
            }
        }
        if let Some(end) = end {
            out.push((name, i + 1, end - i + 1));
        }
    }
    out
}

#[test]
fn no_source_file_is_longer_than_a_reader_can_hold() {
    let mut long = Vec::new();
    for dir in ["app/src", "server/src"] {
        for (path, lines) in sources(dir) {
            if DATA_FILES.contains(&path.as_str()) {
                continue;
            }
            let n = code_lines(&lines).len();
            if n > MAX_FILE_LINES {
                long.push(format!("{path}: {n} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines (tests not counted):\n{}",
        long.join("\n")
    );
}

#[test]
fn no_function_is_longer_than_a_reader_can_hold_without_a_reason() {
    let mut long = Vec::new();
    let mut allowed_seen = BTreeSet::new();
    for dir in ["app/src", "server/src"] {
        for (path, lines) in sources(dir) {
            if DATA_FILES.contains(&path.as_str()) {
                continue;
            }
            for (name, line, n) in functions(code_lines(&lines)) {
                if n <= MAX_FN_LINES {
                    continue;
                }
                if LONG_FUNCTIONS
                    .iter()
                    .any(|(p, f, _)| *p == path && *f == name)
                {
                    allowed_seen.insert((path.clone(), name));
                } else {
                    long.push(format!("{path}:{line} {name}: {n} lines"));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines without a reason in LONG_FUNCTIONS:\n{}",
        long.join("\n")
    );
    let stale: Vec<_> = LONG_FUNCTIONS
        .iter()
        .filter(|(p, f, _)| !allowed_seen.contains(&(p.to_string(), f.to_string())))
        .map(|(p, f, _)| format!("{p} {f}"))
        .collect();
    assert!(
        stale.is_empty(),
        "no longer long (or gone), remove from LONG_FUNCTIONS: {stale:?}"
    );
}

/// The top-level module of `app` a source file belongs to (`app/src/eval/pages.rs` → `eval`).
fn app_module(path: &str) -> Option<String> {
    let rel = path.strip_prefix("app/src/")?;
    let first = rel.split('/').next()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib").then(|| name.to_string())
}

/// Which top-level `app` modules a file refers to through `crate::`.
fn crate_refs(lines: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_use_group = false;
    for l in lines {
        let t = l.trim();
        if t.starts_with("//") {
            continue;
        }
        let mut rest = t;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
        // `use crate::{a, b::C};` spread over several lines.
        if t.starts_with("use crate::{") || t.starts_with("pub use crate::{") {
            in_use_group = !t.ends_with(';');
            for part in t.split(['{', ',']).skip(1) {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else if in_use_group {
            for part in t.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
            if t.ends_with(';') {
                in_use_group = false;
            }
        }
    }
    out
}

/// A cycle in `graph`, if there is one (as the list of modules around it).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| p == m).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0
            && let Some(c) = visit(n, graph, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn app_modules_import_each_other_without_circles() {
    let files = sources("app/src");
    let modules: BTreeSet<String> = files.iter().filter_map(|(p, _)| app_module(p)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, lines) in &files {
        let Some(from) = app_module(path) else {
            continue;
        };
        let refs = crate_refs(code_lines(lines));
        let entry = graph.entry(from.clone()).or_default();
        for to in refs {
            if to != from && modules.contains(&to) {
                entry.insert(to);
            }
        }
    }
    assert!(graph.len() > 5, "the scan found the modules: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle between app modules: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let g = |edges: &[(&str, &str)]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            m.entry(a.to_string()).or_default().insert(b.to_string());
            m.entry(b.to_string()).or_default();
        }
        m
    };
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let lines: Vec<String> = [
        "use crate::domain::Me;",
        "use crate::{error::AppError, i18n::t,",
        "    ui::Badge};",
        "let x = crate::eval::Month::parse(s);",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        crate_refs(&lines),
        ["domain", "error", "eval", "i18n", "ui"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    let f: Vec<String> = ["fn a() {", "    x", "}", "", "    pub async fn b(", "    ) {", "    }"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        functions(&f),
        vec![("a".to_string(), 1, 3), ("b".to_string(), 5, 3)]
    );
}
