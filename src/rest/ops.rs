//! Operational endpoints; they need no tenant.

use super::bodies::Health;
use super::ApiState;
use actix_web::{web, HttpResponse};
use std::sync::atomic::Ordering;

pub fn routes(config: &mut web::ServiceConfig) {
    // `/api/readyz` is the readiness path of newer Atlas manifests; same answer as `/health`.
    config.route("/health", web::get().to(health)).route("/api/readyz", web::get().to(health)).route("/metrics", web::get().to(metrics));
}

/// 200 once the consumer has its partitions and the database answers; 503 before.
async fn health(state: web::Data<ApiState>) -> HttpResponse {
    let assigned = state.assigned.load(Ordering::Acquire) && state.channel_assigned.load(Ordering::Acquire);
    let database = state.store.ping().await;
    let body = Health { database, kafka: assigned };
    if assigned && database {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn metrics(state: web::Data<ApiState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render())
}
