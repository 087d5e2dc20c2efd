//! The committer's view of a database: one transaction at a time, statements with
//! arguments, savepoints by name. Two engines implement it: sqlx's pool (PostgreSQL, and
//! any database the native engine cannot open) and [`super::native::NativeSqlite`], a
//! SQLite connection on the committer's own thread.

use super::unit::{bind, Arg};
use super::StoreResult;
use sqlx::{Any, AnyPool, Row as _};

/// Opens the committer's transactions.
pub(super) trait Engine {
    type Tx<'c>: Tx
    where
        Self: 'c;

    async fn begin(&mut self) -> StoreResult<Self::Tx<'_>>;
}

/// One open transaction. Dropped without [`Tx::commit`], it rolls back.
pub(super) trait Tx {
    /// Runs a statement (its prepared form cached by its text); returns the rows it changed.
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64>;
    /// Runs a statement that returns one integer per row (`RETURNING id`).
    async fn integers(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<i64>>;
    /// Runs statements without arguments and without caching them (savepoints, a text
    /// that differs every time).
    async fn batch(&mut self, sql: &str) -> StoreResult<()>;
    async fn commit(self) -> StoreResult<()>;
}

/// sqlx's engine: a transaction on a connection of the pool.
pub(super) struct Pooled(pub AnyPool);

impl Engine for Pooled {
    type Tx<'c> = sqlx::Transaction<'static, Any>;

    async fn begin(&mut self) -> StoreResult<Self::Tx<'_>> {
        Ok(self.0.begin().await?)
    }
}

impl Tx for sqlx::Transaction<'static, Any> {
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64> {
        Ok(bind(sqlx::query(sql), args).execute(&mut **self).await?.rows_affected())
    }

    async fn integers(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<i64>> {
        let rows = bind(sqlx::query(sql), args).fetch_all(&mut **self).await?;
        Ok(rows.iter().map(|row| row.try_get(0)).collect::<sqlx::Result<_>>()?)
    }

    async fn batch(&mut self, sql: &str) -> StoreResult<()> {
        sqlx::raw_sql(sql).execute(&mut **self).await?;
        Ok(())
    }

    async fn commit(self) -> StoreResult<()> {
        Ok(sqlx::Transaction::commit(self).await?)
    }
}
