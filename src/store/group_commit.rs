//! Group commit: units of work from many actors are committed together, one savepoint
//! each inside one transaction, so the database does one commit per batch instead of
//! one per record. A unit that fails rolls back to its savepoint alone; no unit is
//! answered before the batch's commit succeeded.

use super::{outbox, positions, EntityRef, OutboxRow, Output, Position, Write};
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

/// Most units committed in one transaction.
const BATCH: usize = 256;

/// One entity's state writes, the position of the record that caused them, and its outputs.
pub(super) struct Unit {
    pub writes: Vec<Write>,
    pub position: Option<(EntityRef, Position)>,
    pub outputs: Vec<Output>,
    pub reply: oneshot::Sender<sqlx::Result<Vec<OutboxRow>>>,
}

/// Starts the committer task on the current tokio runtime.
pub(super) fn start(pool: AnyPool) -> mpsc::UnboundedSender<Unit> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(pool, rx));
    tx
}

async fn run(pool: AnyPool, mut rx: mpsc::UnboundedReceiver<Unit>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(unit) => batch.push(unit),
                Err(_) => break,
            }
        }
        let (replies, units): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|u| (u.reply, (u.writes, u.position, u.outputs)))
            .unzip();
        match commit_batch(&pool, units).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(error) => {
                let error = std::sync::Arc::new(error);
                for reply in replies {
                    let _ = reply.send(Err(sqlx::Error::Protocol(format!("batch commit failed: {error}"))));
                }
            }
        }
    }
}

type Parts = (Vec<Write>, Option<(EntityRef, Position)>, Vec<Output>);

async fn commit_batch(pool: &AnyPool, units: Vec<Parts>) -> sqlx::Result<Vec<sqlx::Result<Vec<OutboxRow>>>> {
    let mut tx = pool.begin().await?;
    let mut results = Vec::with_capacity(units.len());
    for (writes, position, outputs) in units {
        let mut unit = sqlx::Acquire::begin(&mut *tx).await?;
        match apply(&mut unit, writes, position, outputs).await {
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
    writes: Vec<Write>,
    position: Option<(EntityRef, Position)>,
    outputs: Vec<Output>,
) -> sqlx::Result<Vec<OutboxRow>> {
    for write in writes {
        let must_change = write.must_change;
        let result = write.query().execute(&mut **tx).await?;
        if must_change && result.rows_affected() == 0 {
            return Err(sqlx::Error::Protocol("optimistic lock: the row changed underneath".into()));
        }
    }
    if let Some((entity, position)) = &position {
        positions::save(tx, entity, position).await?;
    }
    let mut rows = Vec::with_capacity(outputs.len());
    for output in outputs {
        rows.push(outbox::insert(tx, output).await?);
    }
    Ok(rows)
}
