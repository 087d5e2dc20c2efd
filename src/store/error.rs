//! What can go wrong in the store, as a type: the database's own errors, and the outcomes
//! the store decides itself (a guarded write that found its row changed, a record whose
//! position was already applied, a batch that failed as a whole), so callers can tell a
//! conflict from a broken connection without reading messages.

use std::sync::Arc;

/// An error of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or could not run a statement.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The committer's own SQLite connection refused or could not run a statement.
    #[error(transparent)]
    Native(rusqlite::Error),
    /// A guarded write changed no row: another writer changed it first (optimistic lock).
    #[error("optimistic lock: the row changed underneath")]
    Conflict,
    /// A record of the unit's batch was already applied (its position is behind the stored one).
    #[error("a record of this batch was already applied")]
    AlreadyApplied,
    /// The outbox insert returned another number of ids than rows inserted.
    #[error("{ids} outbox ids for {rows} rows")]
    OutboxIds { ids: usize, rows: usize },
    /// An earlier unit of the same entity, handed over before this one, failed to commit:
    /// this one was computed on its effects and is refused unapplied.
    #[error("refused: an earlier unit of this entity failed to commit")]
    Fenced,
    /// The batch this unit was committed in failed as a whole.
    #[error("batch commit failed: {0}")]
    Batch(#[source] Arc<StoreError>),
    /// The committer's thread could not be started.
    #[error("starting the group committer: {0}")]
    Committer(std::io::Error),
    /// The committer task is gone (the process is stopping).
    #[error("the committer stopped")]
    Closed,
    /// A database URL of neither supported engine.
    #[error("unsupported database URL (expected postgres:// or sqlite://): {0}")]
    UnsupportedUrl(String),
    /// Connecting to the database failed.
    #[error("connecting to {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    /// A migration failed.
    #[error("migration {name}: {source}")]
    Migration { name: String, source: sqlx::Error },
    /// The directory of the SQLite file could not be created.
    #[error("creating {path}: {source}")]
    Directory { path: String, source: std::io::Error },
}

/// The store's result.
pub type StoreResult<T> = Result<T, StoreError>;
