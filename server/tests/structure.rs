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

/// Files that are data rather than code: the demo township's content and its scripted
/// history (read top to bottom like a story), and test modules kept in their own files.
fn is_data(path: &str) -> bool {
    path.starts_with("server/src/demo/") || path.ends_with("/tests.rs")
}

/// Functions allowed to be longer, each with its reason. The test also fails when one of
/// these has become short, so the list never outlives its reasons.
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "server/src/openapi.rs",
        "operations",
        "the API's table of contents: one entry per endpoint",
    ),
    (
        "server/src/config.rs",
        "from_env",
        "one block per setting, in the README's order",
    ),
    (
        "server/src/web.rs",
        "router",
        "the route table: one line per route and layer",
    ),
];

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
            if path == "server/src/demo/content.rs" {
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
            if is_data(&path) {
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

/// The module a source file of `app` is (`app/src/eval/pages.rs` → `eval::pages`,
/// `app/src/eval/mod.rs` → `eval`); `None` for the crate root.
fn app_module(path: &str) -> Option<String> {
    let rel = path.strip_prefix("app/src/")?.trim_end_matches(".rs");
    let rel = rel.strip_suffix("/mod").unwrap_or(rel);
    (rel != "lib").then(|| rel.replace('/', "::"))
}

/// The paths a file names through `crate::` and `super::` (groups spelled out), as
/// `::`-separated paths from the crate root.
fn referenced_paths(module: &str, lines: &[String]) -> Vec<String> {
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p).to_string();
    let text: String = lines
        .iter()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", String::new()), ("super::", parent)] {
        let mut rest = text.as_str();
        while let Some(i) = rest.find(prefix) {
            // `crate::` inside a longer word (`$crate::`) is not a path of ours.
            let before = rest[..i].chars().last();
            let after = &rest[i + prefix.len()..];
            rest = after;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                continue;
            }
            let join = |tail: &str| {
                let tail = tail.trim().trim_end_matches("::");
                if base.is_empty() {
                    tail.to_string()
                } else {
                    format!("{base}::{tail}")
                }
            };
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let p: String = part.trim().chars().take_while(|c| ident(*c)).collect();
                    if !p.is_empty() {
                        out.push(join(&p));
                    }
                }
            } else {
                let p: String = after.chars().take_while(|c| ident(*c)).collect();
                if !p.is_empty() {
                    out.push(join(&p));
                }
            }
        }
    }
    out
}

/// The longest module of `modules` that `path` starts with.
fn owning_module(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| modules.contains(m))
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

/// Module-to-module imports of `app`: between files, and between the top-level rooms.
fn app_graphs() -> (
    BTreeMap<String, BTreeSet<String>>,
    BTreeMap<String, BTreeSet<String>>,
) {
    let files = sources("app/src");
    let modules: BTreeSet<String> = files.iter().filter_map(|(p, _)| app_module(p)).collect();
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut by_room: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let room = |m: &str| m.split("::").next().unwrap_or(m).to_string();
    for (path, lines) in &files {
        let Some(from) = app_module(path) else {
            continue;
        };
        for p in referenced_paths(&from, code_lines(lines)) {
            let Some(to) = owning_module(&p, &modules) else {
                continue;
            };
            if to != from && !from.starts_with(&format!("{to}::")) {
                by_file.entry(from.clone()).or_default().insert(to.clone());
            }
            // The server-only port sees every room's types by design (it is the one trait
            // the server implements); rooms reach it for `authed()`. It is left out of the
            // room-level picture, and still checked file by file.
            let (rf, rt) = (room(&from), room(&to));
            if rf != rt && rf != "ports" && rt != "ports" {
                by_room.entry(rf).or_default().insert(rt);
            }
        }
    }
    (by_file, by_room)
}

#[test]
fn app_modules_import_each_other_without_circles() {
    let (by_file, by_room) = app_graphs();
    assert!(
        by_room.len() > 5 && by_file.len() > by_room.len(),
        "the scan found the modules: {by_room:?}"
    );
    assert!(
        by_room.get("rewards").is_some_and(|t| t.contains("eval")),
        "rewards builds on eval: {by_room:?}"
    );
    if let Some(cycle) = find_cycle(&by_room) {
        panic!("import circle between app rooms: {}", cycle.join(" → "));
    }
    if let Some(cycle) = find_cycle(&by_file) {
        panic!("import circle between app modules: {}", cycle.join(" → "));
    }
    // The shared kernel never reaches into a room.
    for kernel in ["domain", "calendar", "policy", "error", "i18n", "ui"] {
        for to in by_room.get(kernel).into_iter().flatten() {
            assert!(
                [
                    "domain", "calendar", "policy", "error", "i18n", "ui", "ssr_util"
                ]
                .contains(&to.as_str()),
                "kernel module {kernel} imports the room {to}"
            );
        }
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
        "use super::rules::check;",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        referenced_paths("eval::pages", &lines),
        [
            "domain::Me",
            "error::AppError",
            "i18n::t",
            "ui::Badge",
            "eval::Month::parse",
            "eval::rules::check"
        ]
    );
    let modules: BTreeSet<String> = ["eval", "eval::rules"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        owning_module("eval::rules::check", &modules).as_deref(),
        Some("eval::rules")
    );
    assert_eq!(
        owning_module("eval::Month", &modules).as_deref(),
        Some("eval")
    );
    let f: Vec<String> = [
        "fn a() {",
        "    x",
        "}",
        "",
        "    pub async fn b(",
        "    ) {",
        "    }",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        functions(&f),
        vec![("a".to_string(), 1, 3), ("b".to_string(), 5, 3)]
    );
}

/// Values that arrive as text are parsed at the edge (in the server functions and the
/// download handlers); the ports take them typed. A port parameter with one of these names
/// and a `String` type means the parsing has crept back into the service.
#[test]
fn ports_take_parsed_values() {
    const PARSED: [&str; 10] = [
        "month", "quarter", "period", "kind", "format", "amount", "held_on", "deadline", "day",
        "from",
    ];
    let src = std::fs::read_to_string(workspace().join("app/src/ports.rs")).expect("ports.rs");
    let mut text = Vec::new();
    for line in src.lines() {
        let line = line.trim();
        for name in PARSED {
            if let Some(ty) = line
                .strip_prefix(name)
                .and_then(|r| r.strip_prefix(": "))
                .or_else(|| line.split(&format!(" {name}: ")).nth(1))
                && (ty.starts_with("String") || ty.starts_with("Option<String>"))
            {
                text.push(line.to_string());
            }
        }
    }
    assert!(text.is_empty(), "ports taking text to parse: {text:?}");
}
