//! Group commit: units of work from many actors are committed together in one
//! transaction, so the database does one commit per batch instead of one per record. A
//! unit that fails is refused alone (see [`commit_batch`]); no unit is answered before the
//! batch's commit succeeded. Deleting published outbox rows rides along in the same
//! transactions, so the committer is the only writer on the hot path (SQLite has one
//! writer at a time; a second one would wait in its busy handler).

use super::{outbox, positions, EntityRef, OutboxRow, Output, Position, StoreError, StoreResult, Write};
use sqlx::{Any, AnyPool, Transaction};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most units committed in one transaction.
const BATCH: usize = 256;

/// One entity's state writes, the position of the record that caused them, and its outputs.
pub(super) struct Unit {
    pub writes: Vec<Write>,
    pub position: Option<(EntityRef, Position)>,
    pub outputs: Vec<Output>,
    pub reply: oneshot::Sender<StoreResult<Vec<OutboxRow>>>,
}

/// Outbox rows the broker acknowledged, to delete.
pub(super) struct Forget {
    pub ids: Vec<i64>,
    pub reply: oneshot::Sender<StoreResult<()>>,
}

pub(super) enum Job {
    Unit(Unit),
    Forget(Forget),
}

/// Starts the committer on a thread of its own. Outbox rows are written owned by
/// `instance`.
///
/// A batch is a chain of statements, each a round trip to the database driver (SQLite's
/// worker thread, PostgreSQL's socket); on a runtime shared with the consumer and the
/// publisher every hop of that chain also waits its turn behind their tasks, so the
/// committer gets a runtime of its own and only ever waits for the database.
pub(super) fn start(pool: AnyPool, instance: Arc<str>) -> std::io::Result<mpsc::UnboundedSender<Job>> {
    let (tx, rx) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("group-commit".into()).spawn(move || runtime.block_on(run(pool, instance, rx)))?;
    Ok(tx)
}

async fn run(pool: AnyPool, instance: Arc<str>, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let (mut units, mut forgets) = (Vec::new(), Vec::new());
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Unit(unit) => units.push(unit),
                Job::Forget(forget) => forgets.push(forget),
            }
            if units.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        let forgotten: Vec<i64> = forgets.iter().flat_map(|f| f.ids.iter().copied()).collect();
        let (replies, units): (Vec<_>, Vec<_>) = units.into_iter().map(|u| (u.reply, (u.writes, u.position, u.outputs))).unzip();
        match commit_batch(&pool, &instance, &forgotten, units).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
                for forget in forgets {
                    let _ = forget.reply.send(Ok(()));
                }
            }
            Err(error) => {
                let error = Arc::new(error);
                let failed = || StoreError::Batch(error.clone());
                for reply in replies {
                    let _ = reply.send(Err(failed()));
                }
                for forget in forgets {
                    let _ = forget.reply.send(Err(failed()));
                }
            }
        }
    }
}

type Parts = (Vec<Write>, Option<(EntityRef, Position)>, Vec<Output>);

/// Commits a batch. Units rarely fail, so the batch first runs without savepoints (two
/// statements fewer per unit); if any unit fails, that attempt is rolled back and the batch
/// runs again with a savepoint per unit, so only the failing units are refused.
async fn commit_batch(
    pool: &AnyPool,
    instance: &str,
    forgotten: &[i64],
    units: Vec<Parts>,
) -> StoreResult<Vec<StoreResult<Vec<OutboxRow>>>> {
    if units.len() > 1 {
        if let Ok(rows) = commit_whole(pool, instance, forgotten, units.clone()).await {
            return Ok(rows.into_iter().map(Ok).collect());
        }
    }
    commit_isolated(pool, instance, forgotten, units).await
}

/// The whole batch with one statement per kind where possible: each unit's state writes,
/// then every position in one upsert and every output in one insert.
async fn commit_whole(pool: &AnyPool, instance: &str, forgotten: &[i64], units: Vec<Parts>) -> StoreResult<Vec<Vec<OutboxRow>>> {
    let mut tx = pool.begin().await?;
    outbox::delete(&mut *tx, forgotten).await?;
    let mut positions = Vec::new();
    let mut outputs = Vec::new();
    let mut counts = Vec::with_capacity(units.len());
    for (writes, position, unit_outputs) in units {
        apply_writes(&mut tx, writes).await?;
        positions.extend(position);
        counts.push(unit_outputs.len());
        outputs.extend(unit_outputs);
    }
    positions::save_all(&mut tx, &positions).await?;
    let mut rows = outbox::insert_all(&mut tx, outputs, instance).await?.into_iter();
    tx.commit().await?;
    Ok(counts.into_iter().map(|n| rows.by_ref().take(n).collect()).collect())
}

async fn commit_isolated(
    pool: &AnyPool,
    instance: &str,
    forgotten: &[i64],
    units: Vec<Parts>,
) -> StoreResult<Vec<StoreResult<Vec<OutboxRow>>>> {
    let mut tx = pool.begin().await?;
    outbox::delete(&mut *tx, forgotten).await?;
    let mut results = Vec::with_capacity(units.len());
    for (writes, position, outputs) in units {
        let mut unit = sqlx::Acquire::begin(&mut *tx).await?;
        match apply(&mut unit, instance, writes, position, outputs).await {
            Ok(rows) => {
                unit.commit().await?;
                results.push(Ok(rows));
            }
            Err(error) => {
                unit.rollback().await?;
                results.push(Err(error));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

async fn apply(
    tx: &mut Transaction<'_, Any>,
    instance: &str,
    writes: Vec<Write>,
    position: Option<(EntityRef, Position)>,
    outputs: Vec<Output>,
) -> StoreResult<Vec<OutboxRow>> {
    apply_writes(tx, writes).await?;
    positions::save_all(tx, position.as_slice()).await?;
    outbox::insert_all(tx, outputs, instance).await
}

async fn apply_writes(tx: &mut Transaction<'_, Any>, writes: Vec<Write>) -> StoreResult<()> {
    for write in writes {
        let must_change = write.must_change;
        let result = write.query().execute(&mut **tx).await?;
        if must_change && result.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "group_commit_tests.rs"]
mod tests;
