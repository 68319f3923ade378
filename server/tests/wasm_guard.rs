//! The browser build must never contain a database crate or tokio: `cargo tree` of `app`
//! for wasm32 with `hydrate` must not find them.

#[test]
fn no_database_crate_or_tokio_in_the_wasm_build() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--manifest-path",
            manifest,
            "-p",
            "app",
            "--no-default-features",
            "--features",
            "hydrate",
        ])
        .args([
            "--target",
            "wasm32-unknown-unknown",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        tree.contains("leptos v0.8"),
        "the tree should list leptos: {tree}"
    );
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for banned in [
        "sea-orm",
        "sea-query",
        "sqlx",
        "sqlx-core",
        "tokio",
        "mio",
        "argon2",
        "libsqlite3-sys",
    ] {
        assert!(
            !names.contains(&banned),
            "{banned} found in the wasm dependency tree"
        );
    }
}
