//! Which transactions have a saga, asked many at once.
//!
//! Every status event a saga may wait on goes to the saga of its transaction id, but most
//! belong to none: the server's own skill events carry their command's transaction id, and
//! so do other services' events. Starting an actor and loading an absent saga for each cost
//! an actor start and two reads per event, and held the consumer's records in flight behind
//! those reads. The index answers in batches instead, with one read per batch of up to
//! [`BATCH`] questions; events of transactions without a saga are skipped without an actor.
//!
//! A saga's row is committed before any command it sends, so an event caused by its
//! command always finds it. Answers are given in the order asked, so events of one saga
//! reach its actor in their order. Questions are bounded by the records the consumer
//! keeps in flight (one question per record at most).

use crate::store::{Arg, Rows, Store};
use sqlx::Row as _;
use std::collections::HashSet;
use tokio::sync::mpsc;
use uuid::Uuid;

/// Most questions answered by one read.
const BATCH: usize = 256;

static EXISTING: Rows =
    Rows { head: "SELECT tenant_id, transaction_id FROM sagas WHERE (tenant_id, transaction_id) IN (VALUES ", arity: 2, tail: ")" };

/// What the index was asked, and what to do with the answer.
struct Question {
    tenant: Uuid,
    id: Uuid,
    then: Box<dyn FnOnce(bool) + Send>,
}

/// A handle to the index's task. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SagaIndex {
    questions: mpsc::UnboundedSender<Question>,
}

impl SagaIndex {
    /// Starts the index's task on the current runtime.
    pub fn start(store: Store) -> SagaIndex {
        let (questions, received) = mpsc::unbounded_channel();
        tokio::spawn(answer(store, received));
        SagaIndex { questions }
    }

    /// Calls `then` with whether transaction `id` of `tenant` has a saga, after the answers
    /// to every earlier question. When the database cannot tell, the answer is yes: the
    /// saga's actor then finds out, and retries, as for any input.
    pub fn ask(&self, tenant: Uuid, id: Uuid, then: impl FnOnce(bool) + Send + 'static) {
        if let Err(mpsc::error::SendError(question)) = self.questions.send(Question { tenant, id, then: Box::new(then) }) {
            (question.then)(true);
        }
    }
}

async fn answer(store: Store, mut received: mpsc::UnboundedReceiver<Question>) {
    let mut batch = Vec::with_capacity(BATCH);
    while received.recv_many(&mut batch, BATCH).await > 0 {
        let asked = batch.iter().map(|q| vec![Arg::from(q.tenant), Arg::from(q.id)]).collect();
        let known = match store.fetch_rows(&EXISTING, asked).await {
            Ok(rows) => Some(
                rows.iter()
                    .filter_map(|row| {
                        let tenant: String = row.try_get(0).ok()?;
                        let id: String = row.try_get(1).ok()?;
                        Some((tenant.parse::<Uuid>().ok()?, id.parse::<Uuid>().ok()?))
                    })
                    .collect::<HashSet<_>>(),
            ),
            Err(error) => {
                tracing::warn!(%error, "looking up sagas failed; their events go to their actors");
                None
            }
        };
        for question in batch.drain(..) {
            let exists = known.as_ref().is_none_or(|known| known.contains(&(question.tenant, question.id)));
            (question.then)(exists);
        }
    }
}
