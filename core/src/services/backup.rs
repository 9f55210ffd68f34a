//! Backups: a consistent copy of a running SQLite database in one file. PostgreSQL is refused:
//! its own tools (`pg_dump`, `pg_restore`) do this better than Spine could.

use std::path::Path;

use crate::services::ServiceResult;
use crate::store::{RowCounts, Store};

/// Writes a consistent copy of the database to `into` (a file that must not exist yet) while
/// the server keeps serving, and returns what the copy holds. The copy is not synced to disk
/// and has no final name yet: the caller syncs it and renames it, so a copy cut short by a
/// crash never looks like a backup.
pub async fn copy_database(store: &Store, into: &Path) -> ServiceResult<RowCounts> {
    Ok(store.copy_into(into).await?)
}
