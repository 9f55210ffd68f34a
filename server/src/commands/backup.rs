//! `spine backup --output FILE`: a consistent copy of the SQLite database, taken while the server
//! keeps serving. Written under a temporary name in FILE's folder, synced, then renamed, so a
//! backup cut short never has the final name. PostgreSQL is pointed to pg_dump.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use spine_core::Store;
use spine_core::store::{Backend, backend_of, sqlite_file_of};

use super::{Refused, redact};
use crate::cli::BackupArgs;

/// What `spine backup` answers on PostgreSQL.
const POSTGRES_HINT: &str = "spine backup copies SQLite databases; back up PostgreSQL with its own tools: \
     pg_dump -Fc \"$DATABASE_URL\" -f spine.dump (restore into an empty database with \
     pg_restore --no-owner -d \"$DATABASE_URL\" spine.dump)";

pub async fn run(database_url: &str, args: BackupArgs) -> anyhow::Result<()> {
    // Decided from the URL alone: the hint is worth giving even when the server is down.
    if backend_of(database_url)? == Backend::Postgres {
        return Err(Refused(POSTGRES_HINT.to_owned()).into());
    }
    let Some(source) = sqlite_file_of(database_url)? else {
        return Err(Refused("an in-memory database has nothing to back up".to_owned()).into());
    };
    // Connecting would create an empty database at a mistyped path, and back that up.
    if !source.is_file() {
        bail!(
            "no database at {} (from {}): check DATABASE_URL",
            source.display(),
            redact(database_url)
        );
    }
    let output = args.output;
    let (folder, temp) = temporary_name(&output)?;
    if !folder.is_dir() {
        bail!("no folder {} to write the backup in", folder.display());
    }
    if same_file(&source, &output) {
        return Err(Refused(format!(
            "{} is the database itself: write the backup elsewhere",
            output.display()
        ))
        .into());
    }
    if !args.force && output.exists() {
        return Err(exists(&output).into());
    }

    // Not `super::open`: no migration. A backup is what one takes before upgrading, so it must
    // be the database as it is.
    let store = Store::connect(database_url)
        .await
        .with_context(|| format!("database {}", redact(database_url)))?;
    // Left by an earlier run that had our process id and was killed: `vacuum into` writes
    // only to a file that does not exist.
    let _ = std::fs::remove_file(&temp);
    let started = Instant::now();
    let copied = spine_core::services::backup::copy_database(&store, &temp).await;
    store.close().await;
    let finished = copied.map_err(anyhow::Error::from).and_then(|counts| {
        publish(&temp, &folder, &output, args.force)?;
        Ok(counts)
    });
    let counts = match finished {
        Ok(counts) => counts,
        Err(e) => {
            // Ours alone (its name has our process id); a failure to remove it changes nothing.
            let _ = std::fs::remove_file(&temp);
            return Err(e.context(format!("backing up to {}", output.display())));
        }
    };
    let elapsed = started.elapsed();
    let bytes = std::fs::metadata(&output)
        .with_context(|| format!("reading the size of {}", output.display()))?
        .len();
    println!(
        "Backed up {} to {}: {} in {:.2}s ({} profiles, {} interactions, {} audit entries).",
        source.display(),
        output.display(),
        human_size(bytes),
        elapsed.as_secs_f64(),
        counts.customers,
        counts.interactions,
        counts.audit_entries
    );
    Ok(())
}

/// The folder the backup goes in, and the name it is written under until it is complete:
/// `.FILE.partial-PID` beside FILE, so the rename stays within one file system.
fn temporary_name(output: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let Some(name) = output.file_name() else {
        bail!("--output {} does not name a file", output.display());
    };
    let folder = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(format!(".partial-{}", std::process::id()));
    Ok((folder.clone(), folder.join(temp)))
}

/// Syncs the copy to disk, then gives it its final name and syncs the folder, so after a crash
/// FILE is either absent (or the old one, with --force) or the complete copy.
fn publish(temp: &Path, folder: &Path, output: &Path, force: bool) -> anyhow::Result<()> {
    std::fs::File::open(temp)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("syncing {} to disk", temp.display()))?;
    // Checked again: the copy took a while, and another process may have written FILE since.
    if !force && output.exists() {
        return Err(exists(output).into());
    }
    std::fs::rename(temp, output)
        .with_context(|| format!("renaming {} to {}", temp.display(), output.display()))?;
    std::fs::File::open(folder)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("syncing the folder {}", folder.display()))?;
    Ok(())
}

fn exists(output: &Path) -> Refused {
    Refused(format!(
        "{} already exists: choose another name, or pass --force to replace it",
        output.display()
    ))
}

/// Whether the two paths are one file (both must exist to be).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Bytes in the largest unit that keeps a whole number in front: "812 B", "3.4 MB".
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1000.0;
    let mut unit = 0;
    while size >= 1000.0 && unit + 1 < UNITS.len() {
        size /= 1000.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{human_size, temporary_name};

    #[test]
    fn backup_is_written_beside_its_final_name() {
        let pid = std::process::id();
        let cases = [
            (
                "backups/spine.db",
                "backups",
                format!("backups/.spine.db.partial-{pid}"),
            ),
            ("spine.db", ".", format!("./.spine.db.partial-{pid}")),
            (
                "/tmp/x/a b.sqlite",
                "/tmp/x",
                format!("/tmp/x/.a b.sqlite.partial-{pid}"),
            ),
        ];
        for (output, folder, temp) in cases {
            let (got_folder, got_temp) = temporary_name(Path::new(output)).expect(output);
            assert_eq!(got_folder, PathBuf::from(folder), "{output}");
            assert_eq!(got_temp, PathBuf::from(temp), "{output}");
        }
    }

    #[test]
    fn output_naming_no_file_is_refused() {
        for output in ["/", "backups/.."] {
            assert!(temporary_name(Path::new(output)).is_err(), "{output}");
        }
    }

    #[test]
    fn sizes_read_in_the_largest_fitting_unit() {
        let cases = [
            (0, "0 B"),
            (999, "999 B"),
            (1_000, "1.0 KB"),
            (3_400_000, "3.4 MB"),
            (12_500_000_000, "12.5 GB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(human_size(bytes), text);
        }
    }
}
