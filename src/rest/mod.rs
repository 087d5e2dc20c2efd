//! The REST API (actix-web): domain routes under `/api/`, plus `/health` and `/metrics`.
//!
//! - `request`: tenant headers, path ids, and request bodies shared by the routes.
//! - `error`: [`error::ApiError`], each refusal or failure of a route as its status.
//! - `bodies`: the documents the routes answer with and the commands they publish.
//! - `ops`: `/health` and `/metrics`.
//! - `dashboard`: the live view at `/dashboard`.
//! - `skills`: spec 10 §10.
//! - `messengers`: spec 30 §8.
//! - `stats`: spec 20 §11.
//! - `sagas`: spec 40 §10.
//! - `traced`: a span per request continuing the caller's trace; its carried headers.

mod bodies;
mod dashboard;
pub mod error;
mod messengers;
mod ops;
pub mod request;
mod sagas;
mod skills;
mod stats;
pub mod traced;

use crate::actors::character::Character;
use crate::actors::saga::Saga;
use crate::actors::Registry;
use crate::contracts::topics::Topics;
use crate::metrics::Metrics;
use crate::store::Store;
use actix_web::web;
use rdkafka::producer::FutureProducer;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// What the routes share.
#[derive(Clone)]
pub struct ApiState {
    pub store: Store,
    /// Character actors, for reads of in-memory state (effective stats).
    pub characters: Arc<Registry<Character>>,
    /// Saga actors, which POST /api/sagas starts sagas through.
    pub sagas: Arc<Registry<Saga>>,
    /// Publishes the commands some routes turn requests into.
    pub producer: FutureProducer,
    /// The names of the topics those commands go to.
    pub topics: Topics,
    pub metrics: Arc<Metrics>,
    /// True once the consumer group assigned this process its partitions.
    pub assigned: Arc<AtomicBool>,
    /// True once the channel's own consumer group assigned this process the channel topics.
    pub channel_assigned: Arc<AtomicBool>,
}

pub fn routes(config: &mut web::ServiceConfig) {
    ops::routes(config);
    dashboard::routes(config);
    skills::routes(config);
    messengers::routes(config);
    stats::routes(config);
    sagas::routes(config);
}
