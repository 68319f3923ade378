//! Backups of the SQLite database and putting one back.
//!
//! Copying the live file is not a backup: with the write-ahead log, the newest saves may
//! sit in `-wal` beside it, and a copy taken mid-write is torn. A backup here is
//! `VACUUM INTO`, which writes a consistent snapshot through SQLite itself while the server
//! keeps running, then checked (`integrity_check`, the audit chain) and described by a
//! manifest beside it (`<file>.manifest.json`: time, size, SHA-256, the audit chain's head).
//! Restoring (server stopped) checks all of that again before the file replaces the
//! database; the database it replaces is kept beside it.
//!
//! PostgreSQL is backed up with `pg_dump` (see the README); `audit verify --anchor` checks
//! the restored chain against a saved head.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::{self, Anchor, Verdict};

/// What a backup is, written beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format of this manifest.
    pub format: u32,
    /// The backup file's name (in the same directory).
    pub file: String,
    pub created_at: DateTime<Utc>,
    pub bytes: u64,
    pub sha256: String,
    /// The audit chain's head in the backup (`None`: an empty chain).
    pub audit_head: Option<Anchor>,
    pub audit_rows: u64,
    /// The program that wrote it.
    pub app_version: String,
}

/// A backup or restore that did not happen, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// The manifest path of a backup file.
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".manifest.json");
    PathBuf::from(s)
}

/// The SQLite file behind a `sqlite://` URL (`None`: in memory, or not SQLite).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or_default();
    (!file.is_empty() && file != ":memory:" && !url.contains("mode=memory")).then(|| file.into())
}

fn sha256_file(path: &Path) -> Result<(u64, String), std::io::Error> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, hex::encode(h.finalize())))
}

/// `PRAGMA integrity_check` says "ok".
async fn integrity_ok(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .is_some_and(|s| s == "ok"))
}

/// Opens a SQLite file read-only and as immutable: no journal mode change, no `-wal` or
/// `-shm` beside it, not a byte of the file written (its SHA-256 must stay what the
/// manifest says).
async fn open_read_only(path: &Path) -> Result<DatabaseConnection, BackupError> {
    let mut opts = sea_orm::ConnectOptions::new(format!("sqlite://{}", path.display()));
    let file = path.to_path_buf();
    opts.sqlx_logging(false)
        .max_connections(1)
        .min_connections(1);
    opts.map_sqlx_sqlite_opts(move |o| {
        o.filename(&file)
            .read_only(true)
            .immutable(true)
            .create_if_missing(false)
    });
    Ok(sea_orm::Database::connect(opts).await?)
}

/// Checks a SQLite file: integrity and the audit chain; returns the chain's head and length.
async fn check_file(path: &Path, now: DateTime<Utc>) -> Result<(Option<Anchor>, u64), BackupError> {
    let db = open_read_only(path).await?;
    if !integrity_ok(&db).await? {
        return Err(BackupError::Refused(format!(
            "{}: integrity_check failed",
            path.display()
        )));
    }
    let rows = match audit::verify(&db).await? {
        Verdict::Intact { rows } => rows,
        Verdict::Broken { id, reason } => {
            return Err(BackupError::Refused(format!(
                "{}: audit chain broken at row {id}: {reason}",
                path.display()
            )));
        }
    };
    let head = audit::head(&db, now).await?;
    db.close().await?;
    Ok((head, rows))
}

/// Writes a consistent copy of the (running) SQLite database to `dest` and its manifest
/// beside it. `dest` must not exist yet.
pub async fn backup_sqlite(
    db: &DatabaseConnection,
    dest: &Path,
    now: DateTime<Utc>,
) -> Result<Manifest, BackupError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(BackupError::Refused(
            "backups of PostgreSQL are made with pg_dump (see the README)".into(),
        ));
    }
    if dest.exists() {
        return Err(BackupError::Refused(format!(
            "{} exists already",
            dest.display()
        )));
    }
    let name = dest
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| BackupError::Refused("the backup needs a file name".into()))?
        .to_string();
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&tmp);
    let target = tmp
        .to_str()
        .ok_or_else(|| BackupError::Refused("the backup path is not valid UTF-8".into()))?
        .replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await?;
    let checked = check_file(&tmp, now).await;
    let (audit_head, audit_rows) = match checked {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, dest)?;
    let (bytes, sha256) = sha256_file(dest)?;
    let manifest = Manifest {
        format: 1,
        file: name,
        created_at: now,
        bytes,
        sha256,
        audit_head,
        audit_rows,
        app_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    write_manifest(&manifest_path(dest), &manifest)?;
    Ok(manifest)
}

fn write_manifest(path: &Path, m: &Manifest) -> Result<(), BackupError> {
    let json = serde_json::to_vec_pretty(m).map_err(std::io::Error::other)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, json)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Reads and checks a backup against its manifest: size and SHA-256, integrity, the audit
/// chain and its head.
pub async fn check_backup(file: &Path, now: DateTime<Utc>) -> Result<Manifest, BackupError> {
    let mpath = manifest_path(file);
    let text = std::fs::read_to_string(&mpath).map_err(|e| {
        BackupError::Refused(format!(
            "{}: the manifest cannot be read: {e}",
            mpath.display()
        ))
    })?;
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| BackupError::Refused(format!("{}: {e}", mpath.display())))?;
    let (bytes, sha) = sha256_file(file)?;
    if bytes != m.bytes || sha != m.sha256 {
        return Err(BackupError::Refused(format!(
            "{}: the file does not match its manifest (size or SHA-256 differ)",
            file.display()
        )));
    }
    let (head, rows) = check_file(file, now).await?;
    if head.as_ref().map(|h| (h.id, &h.hash)) != m.audit_head.as_ref().map(|h| (h.id, &h.hash))
        || rows != m.audit_rows
    {
        return Err(BackupError::Refused(format!(
            "{}: the audit chain does not end where the manifest says",
            file.display()
        )));
    }
    Ok(m)
}

/// Holds the database's lock file while a server runs, so that a restore (or a second
/// server) cannot touch the database under it. Released when dropped (or the process ends).
pub struct DbLock {
    _file: std::fs::File,
}

/// The lock file of a SQLite database.
fn lock_path(db_file: &Path) -> PathBuf {
    let mut s = db_file.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// Takes the database's lock (see [`DbLock`]); refuses if a server holds it.
pub fn lock_database(db_file: &Path) -> Result<DbLock, BackupError> {
    if let Some(dir) = db_file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(db_file))?;
    match file.try_lock() {
        Ok(()) => Ok(DbLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(BackupError::Refused(format!(
            "{} is in use by a running xiaoneng server; stop it first",
            db_file.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub manifest: Manifest,
    /// Where the database that was replaced now is (if there was one).
    pub previous: Option<PathBuf>,
}

/// Puts a checked backup in place of the SQLite database at `db_file`. The server must be
/// stopped (its lock is taken here). The replaced database and its `-wal`/`-shm` files are
/// moved aside (`<db>.before-restore-<time>`), never deleted.
pub async fn restore_sqlite(
    backup: &Path,
    db_file: &Path,
    now: DateTime<Utc>,
) -> Result<Restored, BackupError> {
    let _lock = lock_database(db_file)?;
    let manifest = check_backup(backup, now).await?;
    let dir = db_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = db_file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| BackupError::Refused("the database path has no file name".into()))?;
    let tmp = dir.join(format!(".{name}.restoring"));
    std::fs::copy(backup, &tmp)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    let stamp = now.format("%Y%m%d-%H%M%S");
    let mut previous = None;
    // A stale write-ahead log of the old database must never be applied to the new file.
    for suffix in ["", "-wal", "-shm"] {
        let from = dir.join(format!("{name}{suffix}"));
        if from.exists() {
            let to = dir.join(format!("{name}.before-restore-{stamp}{suffix}"));
            std::fs::rename(&from, &to)?;
            if suffix.is_empty() {
                previous = Some(to);
            }
        }
    }
    std::fs::rename(&tmp, db_file)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(Restored { manifest, previous })
}

/// Takes the daily backup into `dir` if the newest there is older than a day, then keeps
/// the newest `keep`. Returns the new backup's manifest, if one was taken.
pub async fn daily(
    db: &DatabaseConnection,
    dir: &Path,
    keep: usize,
    now: DateTime<Utc>,
) -> Result<Option<Manifest>, BackupError> {
    std::fs::create_dir_all(dir)?;
    let mut taken: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("xiaoneng-") && n.ends_with(".db"))
        })
        .collect();
    taken.sort();
    let newest = taken
        .last()
        .and_then(|p| std::fs::read_to_string(manifest_path(p)).ok())
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok());
    let due = newest.is_none_or(|m| now - m.created_at >= chrono::Duration::hours(24));
    let mut made = None;
    if due {
        let file = dir.join(format!("xiaoneng-{}.db", now.format("%Y%m%d-%H%M%S")));
        made = Some(backup_sqlite(db, &file, now).await?);
        taken.push(file);
    }
    while taken.len() > keep.max(1) {
        let old = taken.remove(0);
        std::fs::remove_file(&old)?;
        let _ = std::fs::remove_file(manifest_path(&old));
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_come_from_the_url() {
        assert_eq!(
            sqlite_path("sqlite://data/xiaoneng.db?mode=rwc"),
            Some(PathBuf::from("data/xiaoneng.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
        assert_eq!(
            manifest_path(Path::new("/b/x.db")),
            PathBuf::from("/b/x.db.manifest.json")
        );
    }
}
