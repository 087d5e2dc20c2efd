//! Server processes sharing one database. Each registers under a fresh id and keeps a
//! heartbeat; the outbox rows it writes are its own to publish. When a process stops
//! heartbeating for longer than the lease (it was killed), a live one adopts its rows.

use sqlx::AnyPool;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Records (or refreshes) the heartbeat of `id`.
pub(super) async fn beat(pool: &AnyPool, id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO instances (id, heartbeat_ms) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET heartbeat_ms = excluded.heartbeat_ms",
    )
    .bind(id.to_string())
    .bind(now_ms())
    .execute(pool)
    .await
    .map(|_| ())
}

/// The last heartbeat of `id`, if it is registered.
pub(super) async fn last_beat(pool: &AnyPool, id: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT heartbeat_ms FROM instances WHERE id = $1").bind(id.to_string()).fetch_optional(pool).await
}

/// Forgets processes silent for longer than the lease (their rows were adopted first).
pub(super) async fn forget_silent(pool: &AnyPool, cutoff_ms: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM instances WHERE heartbeat_ms < $1").bind(cutoff_ms).execute(pool).await.map(|_| ())
}

/// Leaves cleanly: unpublished rows become nobody's (the next process adopts them at once)
/// and the registration goes.
pub(super) async fn leave(pool: &AnyPool, id: &str) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE outbox SET owner = NULL WHERE owner = $1").bind(id.to_string()).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM instances WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
    tx.commit().await
}

pub(super) fn cutoff(lease: std::time::Duration) -> i64 {
    now_ms() - lease.as_millis() as i64
}
