//! Working without a connection, the server's side: the service worker (`sw.js`, written
//! by hand), filled in with this build's id and the files every page needs, served at
//! `/sw.js` so it controls the whole site. A new build is a new worker, which replaces the
//! cached set of files as a whole.

use std::path::Path;
use std::sync::Arc;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::LeptosOptions;

/// The worker's source, with `__XN_BUILD__` and `__XN_SHELL__` to fill in.
const TEMPLATE: &str = include_str!("sw.js");

/// Static files every page uses besides the build's JS, WASM and CSS.
const STATIC_FILES: &[&str] = &[
    "/xn.js",
    "/manifest.webmanifest",
    "/favicon.svg",
    "/icon.svg",
    "/icon-192.png",
    "/icon-512.png",
    "/icon-maskable-192.png",
    "/apple-touch-icon.png",
    "/offline",
];

/// The files of one build that the worker keeps as one set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shell {
    /// Changes with every build whose files change.
    pub build: String,
    /// Absolute paths.
    pub files: Vec<String>,
}

impl Shell {
    /// The build's files as Leptos names them: with content hashes from the hash file
    /// beside the binary (`cargo leptos build` with `hash-files`), else plain names and a
    /// build id of this process's start (so a restarted development server is a new build).
    pub fn of(options: &LeptosOptions) -> Shell {
        let hashes = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                let file = exe.parent()?.join(options.hash_file.as_ref());
                std::fs::read_to_string(file).ok()
            })
            .flatten();
        // A split build (`cargo leptos build --split`) also has lazy islands' chunks, listed
        // in the manifest beside the JS: they belong to the same set.
        let root = Path::new(options.site_root.as_ref());
        let manifest = hashes
            .as_deref()
            .and_then(|h| hash_of(h, "manifest"))
            .and_then(|m| {
                let file = root
                    .join(options.site_pkg_dir.as_ref())
                    .join(format!("__wasm_split_manifest.{m}.json"));
                std::fs::read_to_string(file).ok()
            });
        let mut shell = Shell::from_hashes(options, hashes.as_deref(), manifest.as_deref());
        // The unhashed files kept with the set (xn.js holds the outbox's store) change the
        // build too: a new xn.js with the old WASM would be a mismatched pair.
        let statics: Vec<u8> = STATIC_FILES
            .iter()
            .filter_map(|f| std::fs::read(root.join(f.trim_start_matches('/'))).ok())
            .flatten()
            .collect();
        if !statics.is_empty() {
            shell.build = format!("{}-{:016x}", shell.build, fnv1a(&statics));
        }
        shell
    }

    /// `manifest` is the split build's `__wasm_split_manifest.*.json`: each lazy island's
    /// chunks (hashed names without `.wasm`).
    fn from_hashes(options: &LeptosOptions, hashes: Option<&str>, manifest: Option<&str>) -> Shell {
        let hash = |kind: &str| hash_of(hashes?, kind);
        let name = options.output_name.as_ref();
        let pkg = Path::new("/").join(options.site_pkg_dir.as_ref());
        let file = |kind: &str, plain: &str| match hash(kind) {
            Some(h) => format!("{}/{name}.{h}.{kind}", pkg.display()),
            None => format!("{}/{plain}", pkg.display()),
        };
        let wasm_plain = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
            format!("{name}.wasm")
        } else {
            format!("{name}_bg.wasm")
        };
        let build = match (hash("js"), hash("wasm"), hash("css")) {
            (Some(js), Some(wasm), Some(css)) => match hash("split") {
                Some(split) => format!("{js}-{wasm}-{css}-{split}"),
                None => format!("{js}-{wasm}-{css}"),
            },
            _ => format!(
                "dev-{}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default()
            ),
        };
        let mut files = vec![
            file("js", &format!("{name}.js")),
            file("wasm", &wasm_plain),
            file("css", &format!("{name}.css")),
        ];
        if let Some(split) = hash("split") {
            files.push(format!("{}/__wasm_split.{split}.js", pkg.display()));
            files.extend(chunks(manifest).map(|c| format!("{}/{c}.wasm", pkg.display())));
        }
        files.extend(STATIC_FILES.iter().map(|s| s.to_string()));
        Shell { build, files }
    }

    /// Whether this is a split build (lazy islands in chunks of their own).
    pub fn is_split(&self) -> bool {
        self.files.iter().any(|f| f.contains("/__wasm_split."))
    }

    /// The worker's source for this build.
    pub fn script(&self) -> String {
        // JSON string and array literals are JavaScript literals; the names are ours.
        let build = serde_json::Value::from(self.build.as_str()).to_string();
        let files = serde_json::Value::from(self.files.clone()).to_string();
        TEMPLATE
            .replace("__XN_BUILD__", &build)
            .replace("__XN_SHELL__", &files)
    }
}

/// One entry of cargo-leptos's `hash.txt` (`kind: hash` lines).
fn hash_of(hashes: &str, kind: &str) -> Option<String> {
    hashes.lines().find_map(|l| {
        let (k, v) = l.trim().split_once(':')?;
        (k.trim() == kind).then(|| v.trim().to_string())
    })
}

/// Every chunk a split build's manifest names, once each, in order. A manifest that does not
/// read names none (the worker then fetches those chunks from the network when asked).
fn chunks(manifest: Option<&str>) -> impl Iterator<Item = String> {
    let map: std::collections::BTreeMap<String, Vec<String>> = manifest
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    let all: std::collections::BTreeSet<String> = map
        .into_values()
        .flatten()
        .filter(|c| {
            // Our own build's names: letters, digits, `_`, `-` and `.` only.
            !c.is_empty()
                && c.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
        })
        .collect();
    all.into_iter()
}

/// A 64-bit FNV-1a hash (a build id, not a secret).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Answers `/sw.js`: always revalidated, so a new build's worker is found on the next visit;
/// its policy lets it fetch from this site only.
pub async fn serve(script: Arc<String>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            // A worker's own policy governs what it fetches: this site only.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; base-uri 'none'; frame-ancestors 'none'",
                ),
            ),
        ],
        script.as_str().to_owned(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("xiaoneng")
            .site_pkg_dir("pkg")
            .build()
    }

    #[test]
    fn a_hashed_build_names_its_three_files_and_its_id_changes_with_them() {
        let a = Shell::from_hashes(&options(), Some("js: aa1\nwasm: bb2\ncss: cc3\n"), None);
        assert_eq!(a.build, "aa1-bb2-cc3");
        assert_eq!(
            &a.files[..3],
            [
                "/pkg/xiaoneng.aa1.js",
                "/pkg/xiaoneng.bb2.wasm",
                "/pkg/xiaoneng.cc3.css"
            ]
        );
        assert!(a.files.contains(&"/offline".to_string()));
        let b = Shell::from_hashes(&options(), Some("js: aa1\nwasm: bb9\ncss: cc3\n"), None);
        assert_ne!(a.build, b.build);
        assert!(!a.is_split());
        let script = a.script();
        assert!(script.contains(r#"const BUILD = "aa1-bb2-cc3";"#));
        assert!(script.contains(r#""/pkg/xiaoneng.bb2.wasm""#));
        assert!(!script.contains("__XN_BUILD__") && !script.contains("__XN_SHELL__"));
    }

    #[test]
    fn a_split_build_keeps_its_loader_and_every_chunk_once_in_the_set() {
        let hashes = "js: aa1\nwasm: bb2\ncss: cc3\nmanifest: mm4\nsplit: ss5\n";
        let manifest = r#"{"pick_form_loader_1":["chunk_1.h1","split_pick_form_loader_1.h2"],
            "policy_form_loader_2":["chunk_1.h1","chunk_2.h3"]}"#;
        let s = Shell::from_hashes(&options(), Some(hashes), Some(manifest));
        assert_eq!(s.build, "aa1-bb2-cc3-ss5");
        assert!(s.is_split());
        let pkg: Vec<&str> = s
            .files
            .iter()
            .map(String::as_str)
            .filter(|f| f.starts_with("/pkg/"))
            .collect();
        assert_eq!(
            pkg,
            [
                "/pkg/xiaoneng.aa1.js",
                "/pkg/xiaoneng.bb2.wasm",
                "/pkg/xiaoneng.cc3.css",
                "/pkg/__wasm_split.ss5.js",
                "/pkg/chunk_1.h1.wasm",
                "/pkg/chunk_2.h3.wasm",
                "/pkg/split_pick_form_loader_1.h2.wasm",
            ]
        );
        // A name that is not a plain file name is not fetched.
        let odd = Shell::from_hashes(
            &options(),
            Some(hashes),
            Some(r#"{"x":["../../etc/passwd","ok.h1"]}"#),
        );
        assert!(odd.files.iter().any(|f| f == "/pkg/ok.h1.wasm"));
        assert!(!odd.files.iter().any(|f| f.contains("passwd")));
    }
}
