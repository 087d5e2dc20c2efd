//! Per-entity record positions: the last offset each entity applied from each partition.

use super::{StoreError, StoreResult};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::collections::HashMap;

/// Which entity a position belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntityRef {
    pub tenant: uuid::Uuid,
    pub kind: &'static str,
    pub id: String,
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// The positions one entity has applied, by (topic, partition).
#[derive(Debug, Clone, Default)]
pub struct Positions(HashMap<(String, i32), i64>);

impl Positions {
    /// True when the record at `position` was already applied.
    pub fn covers(&self, position: &Position) -> bool {
        self.0.get(&(position.topic.clone(), position.partition)).is_some_and(|applied| position.offset <= *applied)
    }

    pub fn advance(&mut self, position: &Position) {
        let applied = self.0.entry((position.topic.clone(), position.partition)).or_insert(i64::MIN);
        *applied = (*applied).max(position.offset);
    }
}

const LOAD: &str = "SELECT topic, partition_id, record_offset FROM entity_positions \
     WHERE tenant_id = $1 AND entity_kind = $2 AND entity_id = $3";

pub(super) async fn load(pool: &AnyPool, entity: &EntityRef) -> sqlx::Result<Positions> {
    let rows =
        sqlx::query(LOAD).bind(entity.tenant.hyphenated().to_string()).bind(entity.kind).bind(entity.id.clone()).fetch_all(pool).await?;
    let mut positions = HashMap::new();
    for row in rows {
        let partition: i64 = row.try_get(1)?;
        positions.insert((row.try_get(0)?, partition as i32), row.try_get(2)?);
    }
    Ok(Positions(positions))
}

/// Saves the positions of distinct entities, a chunk per statement (see [`super::chunks`]).
/// A position only moves forward: when two processes apply the same record (a partition
/// moved while it was in flight), the second commit changes no row and fails, as does the
/// whole call.
pub(super) async fn save_all(tx: &mut Transaction<'_, Any>, positions: &[(EntityRef, Position)]) -> StoreResult<()> {
    let mut rest = positions;
    for size in super::chunks::sizes(positions.len()) {
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = i * 6;
                format!("(${}, ${}, ${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6)
            })
            .collect();
        let sql = format!(
            "INSERT INTO entity_positions (tenant_id, entity_kind, entity_id, topic, partition_id, record_offset) \
             VALUES {} ON CONFLICT (tenant_id, entity_kind, entity_id, topic, partition_id) \
             DO UPDATE SET record_offset = excluded.record_offset \
             WHERE entity_positions.record_offset < excluded.record_offset",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (entity, position) in chunk {
            query = query
                .bind(entity.tenant.hyphenated().to_string())
                .bind(entity.kind)
                .bind(entity.id.clone())
                .bind(position.topic.clone())
                .bind(i64::from(position.partition))
                .bind(position.offset);
        }
        let result = query.execute(&mut **tx).await?;
        if result.rows_affected() < chunk.len() as u64 {
            return Err(StoreError::AlreadyApplied);
        }
    }
    Ok(())
}
