//! `xiaoneng`: the server binary. `serve` runs the web app; `migrate` brings the database up
//! to date; `demo` fills an empty database with the demo township; `backup` and `restore`
//! copy the SQLite database safely; `audit verify` checks the audit chain (also against
//! anchors kept elsewhere) and `audit anchor` records its head.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use app::policy::Policy;
use clap::{Parser, Subcommand};
use server::audit::{AnchorVerdict, Verdict};
use server::config::Config;
use server::service::{Service, SessionPolicy, system_clock};

#[derive(Parser)]
#[command(
    name = "xiaoneng",
    version,
    about = "Xiaoneng: township work records and evaluation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates first).
    Serve {
        /// Create the demo township if the database has no people yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Fill the (empty) configured database with the demo township, then exit.
    Demo,
    /// Write a consistent copy of the SQLite database to FILE (safe while the server runs),
    /// with FILE.manifest.json beside it (time, SHA-256, the audit chain's head).
    Backup { file: PathBuf },
    /// Replace the SQLite database by the backup FILE after checking it (the server must be
    /// stopped); the replaced database is kept beside it.
    Restore { file: PathBuf },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits 1 and names the first broken row if any. With --anchor,
    /// also check that the chain still holds the head recorded in a backup manifest, an
    /// anchor file or a notice's footer (`id:hash`) — so that removed newest rows, or a row
    /// rewritten and the chain recomputed after it, are found. Anchors in published notices
    /// are always checked.
    Verify {
        /// A manifest, an anchor file, or `id:hash`; may be given several times.
        #[arg(long)]
        anchor: Vec<String>,
    },
    /// Append the chain's current head to FILE (keep it away from the database).
    Anchor { file: PathBuf },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res = Result<ExitCode, Box<dyn std::error::Error>>;

async fn run(cmd: Command, config: Config) -> Res {
    let clock = match config.start_at {
        Some(start) => {
            let began = chrono::Utc::now();
            let c: server::service::Clock = Arc::new(move || {
                chrono::SubsecRound::trunc_subsecs(start + (chrono::Utc::now() - began), 3)
            });
            c
        }
        None => system_clock(),
    };
    // Restoring works on the file alone: it must not open (or migrate) the database first.
    if let Command::Restore { file } = &cmd {
        return restore(&config, file, clock()).await;
    }
    let db = server::db::connect_and_migrate(&config.database_url).await?;
    let policy = Policy::default();
    match cmd {
        Command::Migrate => {
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let s = server::demo::seed(&db, config.demo_seed, clock(), &policy).await?;
            println!(
                "demo township created: {} cadres, {} sheets, {} entries",
                s.cadres, s.sheets, s.entries
            );
            print_logins();
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            let m = server::backup::backup_sqlite(&db, &file, clock()).await?;
            println!(
                "backup written: {} ({} bytes, sha256 {}), audit chain {} rows, head {}",
                file.display(),
                m.bytes,
                m.sha256,
                m.audit_rows,
                m.audit_head.map(|h| h.code()).unwrap_or_else(|| "-".into())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { .. } => Ok(ExitCode::FAILURE),
        Command::Audit {
            command: AuditCommand::Verify { anchor },
        } => verify(&db, &anchor).await,
        Command::Audit {
            command: AuditCommand::Anchor { file },
        } => match server::audit::head(&db, clock()).await? {
            Some(a) => {
                server::audit::append_anchor(&file, &a)?;
                println!("anchor {} appended to {}", a.code(), file.display());
                Ok(ExitCode::SUCCESS)
            }
            None => {
                println!("the audit chain is empty: nothing to anchor");
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Serve { demo } => serve(config, db, policy, clock, demo).await,
    }
}

async fn restore(
    config: &Config,
    file: &std::path::Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Res {
    let Some(target) = server::backup::sqlite_path(&config.database_url) else {
        eprintln!(
            "restore works on SQLite databases; for PostgreSQL use pg_restore (see the README)"
        );
        return Ok(ExitCode::from(2));
    };
    match server::backup::restore_sqlite(file, &target, now).await {
        Ok(r) => {
            println!(
                "restored {} into {} (taken {}, audit chain {} rows, head {})",
                file.display(),
                target.display(),
                r.manifest.created_at.to_rfc3339(),
                r.manifest.audit_rows,
                r.manifest
                    .audit_head
                    .map(|h| h.code())
                    .unwrap_or_else(|| "-".into())
            );
            if let Some(p) = r.previous {
                println!("the replaced database was kept as {}", p.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("restore refused: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn verify(db: &sea_orm::DatabaseConnection, anchors: &[String]) -> Res {
    let rows = match server::audit::verify(db).await? {
        Verdict::Intact { rows } => rows,
        Verdict::Broken { id, reason } => {
            println!("audit chain BROKEN at row {id}: {reason}");
            return Ok(ExitCode::from(1));
        }
    };
    let mut list = server::service::published_anchors(db).await?;
    for a in anchors {
        match server::audit::Anchor::from_code(a) {
            Some(x) => list.push((format!("anchor {a}"), x)),
            None => match server::audit::read_anchors(std::path::Path::new(a)) {
                Ok(found) => list.extend(found.into_iter().map(|x| (a.clone(), x))),
                Err(e) => {
                    println!("cannot read the anchor {e}");
                    return Ok(ExitCode::from(2));
                }
            },
        }
    }
    let mut bad = 0;
    for (source, a) in &list {
        match server::audit::check_anchor(db, a).await? {
            AnchorVerdict::Matches => {}
            AnchorVerdict::Missing { id } => {
                bad += 1;
                println!("audit chain TRUNCATED: row {id} named by {source} is missing");
            }
            AnchorVerdict::Differs { id } => {
                bad += 1;
                println!("audit chain REWRITTEN: row {id} differs from {source}");
            }
        }
    }
    if bad > 0 {
        return Ok(ExitCode::from(1));
    }
    println!(
        "audit chain intact: {rows} rows, {} anchors match",
        list.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn serve(
    config: Config,
    db: sea_orm::DatabaseConnection,
    policy: Policy,
    clock: server::service::Clock,
    demo: bool,
) -> Res {
    // One server per SQLite database: its write lock is in this process.
    let _lock = match server::backup::sqlite_path(&config.database_url) {
        Some(p) => Some(server::backup::lock_database(&p)?),
        None => None,
    };
    if demo && server::service::count_cadres(&db).await? == 0 {
        println!("creating the demo township (first start)…");
        let s = server::demo::seed(&db, config.demo_seed, clock(), &policy).await?;
        println!(
            "demo township created: {} cadres, {} sheets, {} entries",
            s.cadres, s.sheets, s.entries
        );
    }
    let sessions = SessionPolicy {
        idle: config.session_idle,
        max: config.session_max,
    };
    let service = Arc::new(
        Service::new(db.clone(), policy, clock.clone()).with_limits(sessions, config.hash_threads),
    );
    let app = server::app_router_with(
        service,
        &config.site_root,
        server::web::WebSettings {
            secure_cookies: config.secure_cookies,
            public_origin: config.public_origin.clone(),
            client_ip_header: config.client_ip_header.clone(),
            request_timeout: config.request_timeout,
        },
    );
    spawn_housekeeping(&config, db, clock);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    println!("Xiaoneng is running at http://{}/", config.listen);
    if demo {
        print_logins();
    }
    server::net::serve(
        listener,
        app,
        server::net::Limits {
            max_connections: config.max_connections,
            header_timeout: config.header_timeout,
        },
        shutdown(),
    )
    .await?;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The daily backup (`XN_BACKUP_DIR`) and the hourly audit anchor (`XN_AUDIT_ANCHOR`).
fn spawn_housekeeping(
    config: &Config,
    db: sea_orm::DatabaseConnection,
    clock: server::service::Clock,
) {
    let backup = config.backup_dir.clone();
    let keep = config.backup_keep;
    let anchor = config.audit_anchor.clone();
    if backup.is_some() && server::backup::sqlite_path(&config.database_url).is_none() {
        tracing::warn!("XN_BACKUP_DIR is set but the database is not a SQLite file: use pg_dump");
    }
    let sqlite = server::backup::sqlite_path(&config.database_url).is_some();
    tokio::spawn(async move {
        let mut last_anchor: Option<server::audit::Anchor> = None;
        loop {
            if let (Some(dir), true) = (&backup, sqlite) {
                match server::backup::daily(&db, dir, keep, clock()).await {
                    Ok(Some(m)) => tracing::info!(file = %m.file, "daily backup written"),
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "daily backup failed"),
                }
            }
            if let Some(file) = &anchor {
                match server::audit::head(&db, clock()).await {
                    Ok(Some(a)) if last_anchor.as_ref().is_none_or(|l| l.id != a.id) => {
                        match server::audit::append_anchor(file, &a) {
                            Ok(()) => last_anchor = Some(a),
                            Err(e) => {
                                tracing::error!(error = %e, "writing the audit anchor failed")
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "reading the audit head failed"),
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}

fn print_logins() {
    println!("demo log-ins (password {}):", server::demo::DEMO_PASSWORD);
    for (user, what) in server::demo::DEMO_LOGINS {
        println!("  {user:<10} {what}");
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
