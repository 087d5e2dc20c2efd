//! The transactional outbox: produced records are written with the state change that
//! caused them and published from here, so a crash between commit and publish loses
//! nothing.

use crate::contracts::tenant::Tenant;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};

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

const INSERT: &str = "INSERT INTO outbox \
     (topic, record_key, value, tenant_id, region, major_version, minor_version, trace) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

const PENDING: &str = "SELECT id, topic, record_key, value, tenant_id, region, major_version, \
     minor_version, trace FROM outbox ORDER BY id";

pub(super) async fn insert(tx: &mut Transaction<'_, Any>, output: Output) -> sqlx::Result<OutboxRow> {
    let trace = serde_json::to_string(&output.trace).unwrap_or_else(|_| "[]".into());
    let row = sqlx::query(INSERT)
        .bind(output.topic.clone())
        .bind(output.key.map(i64::from))
        .bind(output.value.clone())
        .bind(output.tenant.id.hyphenated().to_string())
        .bind(output.tenant.region.clone())
        .bind(i64::from(output.tenant.major))
        .bind(i64::from(output.tenant.minor))
        .bind(trace)
        .fetch_one(&mut **tx)
        .await?;
    Ok(OutboxRow { id: row.try_get(0)?, output })
}

pub(super) async fn pending(pool: &AnyPool) -> sqlx::Result<Vec<OutboxRow>> {
    let rows = sqlx::query(PENDING).fetch_all(pool).await?;
    rows.iter().map(decode).collect()
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

pub(super) async fn delete(pool: &AnyPool, ids: &[i64]) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    // Ids are integers we generated, so inlining them is safe and avoids a bind per id.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    sqlx::query(&format!("DELETE FROM outbox WHERE id IN ({list})")).execute(pool).await.map(|_| ())
}
