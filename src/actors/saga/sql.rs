//! Storage of sagas: one row each, the state as JSON (spec 40 §11).

use super::SagaState;
use crate::store::{Store, Write};
use crate::write_sql;
use sqlx::Row;
use uuid::Uuid;

/// Why stored sagas could not be read back: a row written by another version (or damaged)
/// is told apart from a database that failed.
#[derive(Debug, thiserror::Error)]
pub enum SagaRowError {
    /// The query failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A stored saga document does not decode.
    #[error("a stored saga does not decode: {0}")]
    Document(#[from] serde_json::Error),
    /// A stored tenant or transaction id is not a UUID.
    #[error("a stored saga id is not a uuid: {0}")]
    Id(#[from] uuid::Error),
}

/// Inserts a new saga row, or updates the row only if it still has the version this actor
/// read (`$7`); the update bumps it. A guarded write: zero rows changed fails the unit.
const UPSERT: &str = "INSERT INTO sagas (tenant_id, transaction_id, status, saga_data, timeout_at_us, updated_at_us, version) \
     VALUES ($1, $2, $3, $4, $5, $6, $7 + 1) ON CONFLICT (tenant_id, transaction_id) DO UPDATE SET status = excluded.status, \
     saga_data = excluded.saga_data, timeout_at_us = excluded.timeout_at_us, updated_at_us = excluded.updated_at_us, \
     version = sagas.version + 1 WHERE sagas.version = $7";
const SELECT: &str = "SELECT saga_data, version FROM sagas WHERE tenant_id = $1 AND transaction_id = $2";
const ACTIVE_OF_TENANT: &str = "SELECT saga_data FROM sagas WHERE tenant_id = $1 AND status = 'active' ORDER BY transaction_id";
const ACTIVE: &str = "SELECT tenant_id, transaction_id FROM sagas WHERE status = 'active'";

/// Saves a saga read at `version` (0 for a new one).
pub fn save(tenant: Uuid, state: &SagaState, version: i64) -> Write {
    write_sql!(
        UPSERT,
        tenant,
        state.transaction_id,
        state.status.as_str(),
        serde_json::to_string(state).unwrap_or_default(),
        state.deadline.timestamp_micros(),
        chrono::Utc::now().timestamp_micros(),
        version
    )
    .guarded()
}

/// A saga and the version of its row.
pub async fn load(store: &Store, tenant: Uuid, id: Uuid) -> Result<Option<(SagaState, i64)>, SagaRowError> {
    let rows = store.fetch(write_sql!(SELECT, tenant, id)).await?;
    match rows.first() {
        Some(row) => Ok(Some((serde_json::from_str(&row.try_get::<String, _>(0)?)?, row.try_get(1)?))),
        None => Ok(None),
    }
}

/// The tenant's active sagas (committed state), for REST.
pub async fn active_of(store: &Store, tenant: Uuid) -> Result<Vec<SagaState>, SagaRowError> {
    let rows = store.fetch(write_sql!(ACTIVE_OF_TENANT, tenant)).await?;
    rows.iter().map(|row| Ok(serde_json::from_str(&row.try_get::<String, _>(0)?)?)).collect()
}

/// Every active saga, to activate at start-up (one query).
pub async fn active(store: &Store) -> Result<Vec<(Uuid, Uuid)>, SagaRowError> {
    let rows = sqlx::query(ACTIVE).fetch_all(store.pool()).await?;
    rows.iter().map(|row| Ok((row.try_get::<String, _>(0)?.parse()?, row.try_get::<String, _>(1)?.parse()?))).collect()
}
