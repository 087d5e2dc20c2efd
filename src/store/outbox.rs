//! The transactional outbox: produced records are written with the state change that
//! caused them and published from here, so a crash between commit and publish loses
//! nothing.

use super::engine::Tx;
use super::unit::{Arg, Rows};
use super::{StoreError, StoreResult};
use crate::contracts::tenant::Tenant;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// A record an entity emits.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub topic: String,
    /// The Atlas key id (encoded as 8 bytes on the wire).
    pub key: Option<u32>,
    pub value: String,
    pub tenant: Tenant,
    /// Trace context headers copied from the causing record.
    pub trace: Vec<(String, String)>,
}

/// An output stored in the outbox, waiting for the broker's acknowledgement.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub output: Output,
}

const COLUMNS: &str = "id, topic, record_key, value, tenant_id, region, major_version, minor_version, trace";

/// Writes many outputs owned by `owner`, a chunk per statement (see [`super::chunks`]);
/// returns their rows in the given order. Ids are assigned in the order of the VALUES list
/// (a sequence or an autoincrement key, called row by row), so ascending ids map back to
/// that order.
pub(super) async fn insert_all(tx: &mut impl Tx, outputs: Vec<Output>, owner: &str) -> StoreResult<Vec<OutboxRow>> {
    let mut rows = Vec::with_capacity(outputs.len());
    let mut outputs = outputs.into_iter();
    for size in super::chunks::sizes(outputs.len()) {
        let chunk: Vec<Output> = outputs.by_ref().take(size).collect();
        let mut args = Vec::with_capacity(chunk.len() * INSERT.arity);
        for output in &chunk {
            args.extend([
                Arg::from(output.topic.clone()),
                Arg::from(output.key.map(i64::from)),
                Arg::from(output.value.clone()),
                Arg::from(output.tenant.id),
                Arg::from(output.tenant.region.clone()),
                Arg::from(i64::from(output.tenant.major)),
                Arg::from(i64::from(output.tenant.minor)),
                Arg::from(serde_json::to_string(&output.trace).unwrap_or_else(|_| "[]".into())),
                Arg::from(owner),
            ]);
        }
        let mut ids = tx.integers(&INSERT.sql(chunk.len()), args).await?;
        if ids.len() != chunk.len() {
            return Err(StoreError::OutboxIds { ids: ids.len(), rows: chunk.len() });
        }
        ids.sort_unstable();
        rows.extend(ids.into_iter().zip(chunk).map(|(id, output)| OutboxRow { id, output }));
    }
    Ok(rows)
}

const INSERT: Rows = Rows {
    head: "INSERT INTO outbox (topic, record_key, value, tenant_id, region, major_version, minor_version, trace, owner) VALUES ",
    arity: 9,
    tail: " RETURNING id",
};

/// The rows `owner` has not published yet, oldest first.
pub(super) async fn pending(pool: &AnyPool, owner: &str) -> sqlx::Result<Vec<OutboxRow>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE owner = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(owner.to_string()).fetch_all(pool).await?;
    rows.iter().map(decode).collect()
}

/// Makes `owner` the owner of the rows nobody owns and of the rows of processes whose
/// heartbeat is older than `cutoff_ms`, and returns them oldest first. Concurrent adopters
/// cannot both take a row: the update locks it, and the loser re-reads a live owner.
pub(super) async fn adopt(pool: &AnyPool, owner: &str, cutoff_ms: i64) -> sqlx::Result<Vec<OutboxRow>> {
    let sql = format!(
        "UPDATE outbox SET owner = $1 WHERE owner IS NULL OR (owner <> $1 AND owner NOT IN \
         (SELECT id FROM instances WHERE heartbeat_ms >= $2)) RETURNING {COLUMNS}"
    );
    let rows = sqlx::query(&sql).bind(owner.to_string()).bind(cutoff_ms).fetch_all(pool).await?;
    let mut rows = rows.iter().map(decode).collect::<sqlx::Result<Vec<_>>>()?;
    rows.sort_by_key(|row| row.id);
    Ok(rows)
}

/// The other processes that own unpublished rows.
pub(super) async fn other_owners(pool: &AnyPool, owner: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT owner FROM outbox WHERE owner IS NOT NULL AND owner <> $1")
        .bind(owner.to_string())
        .fetch_all(pool)
        .await
}

fn decode(row: &AnyRow) -> sqlx::Result<OutboxRow> {
    let tenant_id: String = row.try_get(4)?;
    let key: Option<i64> = row.try_get(2)?;
    let major: i64 = row.try_get(6)?;
    let minor: i64 = row.try_get(7)?;
    let trace: String = row.try_get(8)?;
    Ok(OutboxRow {
        id: row.try_get(0)?,
        output: Output {
            topic: row.try_get(1)?,
            key: key.map(|k| k as u32),
            value: row.try_get(3)?,
            tenant: Tenant {
                id: tenant_id.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                region: row.try_get(5)?,
                major: major as u16,
                minor: minor as u16,
            },
            trace: serde_json::from_str(&trace).unwrap_or_default(),
        },
    })
}

/// Deletes the rows `ids` (acknowledged by the broker).
pub(super) async fn delete(tx: &mut impl Tx, ids: &[i64]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    // Ids are integers we generated, so inlining them is safe and avoids a bind per id. The
    // text differs every time: not cached, so it pushes no reused statement out.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    tx.batch(&format!("DELETE FROM outbox WHERE id IN ({list})")).await
}
