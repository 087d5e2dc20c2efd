//! The embedded live view: `GET /dashboard` is one self-contained page (no build step,
//! no CDN) that polls `GET /dashboard/live` every second and draws the figures of
//! `deploy/grafana/atlas-actors.json` for those without a Grafana.

use super::ApiState;
use actix_web::{web, HttpResponse};

const PAGE: &str = include_str!("dashboard.html");

pub fn routes(config: &mut web::ServiceConfig) {
    config.route("/dashboard", web::get().to(page)).route("/dashboard/live", web::get().to(live));
}

async fn page() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(PAGE)
}

async fn live(state: web::Data<ApiState>) -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(crate::live::snapshot(&state.metrics))
}
