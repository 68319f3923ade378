//! `xiaoneng`: the server binary. `serve` runs the web app; `migrate` brings the database up
//! to date; `demo` fills an empty database with the demo township; `audit verify` checks the
//! audit chain.

use std::process::ExitCode;
use std::sync::Arc;

use app::domain::Policy;
use clap::{Parser, Subcommand};
use server::config::Config;
use server::service::{Service, system_clock};

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
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits non-zero and names the first broken row if any.
    Verify,
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

async fn run(cmd: Command, config: Config) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let db = server::db::connect_and_migrate(&config.database_url).await?;
    let policy = Policy::default();
    let clock = match config.start_at {
        Some(start) => {
            let began = chrono::Utc::now();
            let c: server::service::Clock = Arc::new(move || start + (chrono::Utc::now() - began));
            c
        }
        None => system_clock(),
    };
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
        Command::Audit {
            command: AuditCommand::Verify,
        } => match server::audit::verify(&db).await? {
            server::audit::Verdict::Intact { rows } => {
                println!("audit chain intact: {rows} rows");
                Ok(ExitCode::SUCCESS)
            }
            server::audit::Verdict::Broken { id, reason } => {
                println!("audit chain BROKEN at row {id}: {reason}");
                Ok(ExitCode::from(1))
            }
        },
        Command::Serve { demo } => {
            if demo && server::service::count_cadres(&db).await? == 0 {
                println!("creating the demo township (first start)…");
                let s = server::demo::seed(&db, config.demo_seed, clock(), &policy).await?;
                println!(
                    "demo township created: {} cadres, {} sheets, {} entries",
                    s.cadres, s.sheets, s.entries
                );
            }
            let service = Arc::new(Service::new(db, policy, clock));
            let app = server::app_router(service, &config.site_root, config.secure_cookies);
            let listener = tokio::net::TcpListener::bind(config.listen).await?;
            println!("Xiaoneng is running at http://{}/", config.listen);
            if demo {
                print_logins();
            }
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await?;
            println!("stopped");
            Ok(ExitCode::SUCCESS)
        }
    }
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
