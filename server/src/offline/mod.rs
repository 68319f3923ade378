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
        let mut shell = Shell::from_hashes(options, hashes.as_deref());
        // The unhashed files kept with the set (xn.js holds the outbox's store) change the
        // build too: a new xn.js with the old WASM would be a mismatched pair.
        let root = Path::new(options.site_root.as_ref());
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

    fn from_hashes(options: &LeptosOptions, hashes: Option<&str>) -> Shell {
        let hash = |kind: &str| {
            hashes?.lines().find_map(|l| {
                let (k, v) = l.trim().split_once(':')?;
                (k.trim() == kind).then(|| v.trim().to_string())
            })
        };
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
            (Some(js), Some(wasm), Some(css)) => format!("{js}-{wasm}-{css}"),
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
        files.extend(STATIC_FILES.iter().map(|s| s.to_string()));
        Shell { build, files }
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
        let a = Shell::from_hashes(&options(), Some("js: aa1\nwasm: bb2\ncss: cc3\n"));
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
        let b = Shell::from_hashes(&options(), Some("js: aa1\nwasm: bb9\ncss: cc3\n"));
        assert_ne!(a.build, b.build);
        let script = a.script();
        assert!(script.contains(r#"const BUILD = "aa1-bb2-cc3";"#));
        assert!(script.contains(r#""/pkg/xiaoneng.bb2.wasm""#));
        assert!(!script.contains("__XN_BUILD__") && !script.contains("__XN_SHELL__"));
    }
}
