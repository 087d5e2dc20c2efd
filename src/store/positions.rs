//! Per-entity record positions: the last offset each entity applied from each partition.

use super::engine::Tx;
use super::unit::{Arg, Rows};
use super::{StoreError, StoreResult};
use sqlx::{AnyPool, Row};
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
pub(super) async fn save_all(tx: &mut impl Tx, positions: &[(EntityRef, Position)]) -> StoreResult<()> {
    let mut rest = positions;
    for size in super::chunks::sizes(positions.len()) {
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let mut args = Vec::with_capacity(chunk.len() * SAVE.arity);
        for (entity, position) in chunk {
            args.extend([
                Arg::from(entity.tenant),
                Arg::from(entity.kind),
                Arg::from(entity.id.clone()),
                Arg::from(position.topic.clone()),
                Arg::from(i64::from(position.partition)),
                Arg::from(position.offset),
            ]);
        }
        if tx.execute(&SAVE.sql(chunk.len()), args).await? < chunk.len() as u64 {
            return Err(StoreError::AlreadyApplied);
        }
    }
    Ok(())
}

/// Moves positions forward only: a row whose stored offset is not behind is left as it is
/// (and counts as not changed).
const SAVE: Rows = Rows {
    head: "INSERT INTO entity_positions (tenant_id, entity_kind, entity_id, topic, partition_id, record_offset) VALUES ",
    arity: 6,
    tail: " ON CONFLICT (tenant_id, entity_kind, entity_id, topic, partition_id) \
           DO UPDATE SET record_offset = excluded.record_offset \
           WHERE entity_positions.record_offset < excluded.record_offset",
};
