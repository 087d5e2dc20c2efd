//! The group committer's SQLite connection, used synchronously on the committer's own
//! thread. Through sqlx every statement is a round trip to the driver's worker thread (a
//! channel send, a wake-up, the answer back): a batch of a few hundred units is a chain of
//! tens of such hops, and the committer spent most of its time waiting on them rather
//! than in SQLite. Here a statement is a function call.
//!
//! Statements keep the engine-neutral `$N` parameters of [`super::Write`]; they are
//! rewritten to SQLite's `?N`, whose index is N itself, so arguments bind by position
//! without looking parameter names up.

use super::engine::{Engine, Tx};
use super::unit::Arg;
use super::{StoreError, StoreResult};
use rusqlite::{params_from_iter, Connection, OpenFlags, ToSql};

/// Prepared statements kept per connection: the committer's texts are a few dozen (each
/// table's multi-row statements in their chunk sizes, the domains' fixed writes).
const CACHED_STATEMENTS: usize = 256;

/// A SQLite connection of the committer's own.
pub struct NativeSqlite(Connection);

impl NativeSqlite {
    /// Opens the database file of `url` (`sqlite://path?…` or `sqlite:path`), which the
    /// store's pool has created and migrated; `None` for an in-memory database, which only
    /// the pool's connections can share.
    pub(super) fn open(url: &str) -> Option<StoreResult<NativeSqlite>> {
        let path = super::sqlite_path(url)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Some(Self::configure(Connection::open_with_flags(path, flags)).map_err(StoreError::Native))
    }

    fn configure(connection: rusqlite::Result<Connection>) -> rusqlite::Result<NativeSqlite> {
        let connection = connection?;
        // The same session settings as the pool's connections (see `store::open`).
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
        Ok(NativeSqlite(connection))
    }
}

/// `$N` parameters as `?N`.
fn numbered(sql: &str) -> String {
    let mut text = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let parameter = c == '$' && chars.peek().is_some_and(char::is_ascii_digit);
        text.push(if parameter { '?' } else { c });
    }
    text
}

impl ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Int(v) => v.to_sql(),
            Arg::Text(v) => v.to_sql(),
            Arg::Null => Ok(rusqlite::types::ToSqlOutput::Owned(rusqlite::types::Value::Null)),
        }
    }
}

/// A transaction of [`NativeSqlite`].
pub(super) struct NativeTx<'c>(rusqlite::Transaction<'c>);

impl Engine for NativeSqlite {
    type Tx<'c> = NativeTx<'c>;

    async fn begin(&mut self) -> StoreResult<NativeTx<'_>> {
        // Immediate: the write lock is taken at `BEGIN`, so a reader's lock is waited for
        // there (busy timeout) rather than failing the batch at its first write.
        let tx = self.0.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(StoreError::Native)?;
        Ok(NativeTx(tx))
    }
}

impl Tx for NativeTx<'_> {
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
        let mut statement = self.0.prepare_cached(&numbered(sql)).map_err(StoreError::Native)?;
        let changed = statement.execute(params_from_iter(args.iter())).map_err(StoreError::Native)?;
        Ok(changed as u64)
    }

    async fn integers(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<i64>> {
        let mut statement = self.0.prepare_cached(&numbered(sql)).map_err(StoreError::Native)?;
        let rows = statement.query_map(params_from_iter(args.iter()), |row| row.get::<_, i64>(0)).map_err(StoreError::Native)?;
        rows.collect::<rusqlite::Result<_>>().map_err(StoreError::Native)
    }

    async fn batch(&mut self, sql: &str) -> StoreResult<()> {
        self.0.execute_batch(sql).map_err(StoreError::Native)
    }

    async fn commit(self) -> StoreResult<()> {
        self.0.commit().map_err(StoreError::Native)
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn parameters_keep_their_numbers() {
        assert_eq!(numbered("UPDATE t SET a = $4 WHERE b = $1 AND c = $12"), "UPDATE t SET a = ?4 WHERE b = ?1 AND c = ?12");
        assert_eq!(numbered("SELECT '$' || x FROM t"), "SELECT '$' || x FROM t", "a dollar not before a digit stays");
    }
}
