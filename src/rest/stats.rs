//! Spec 20 §11: a character's effective stats, read from (and if needed initialized by)
//! the character's actor, where the model lives.

use super::request::{self, answer, document};
use super::ApiState;
use crate::actors::character::CharacterInput;
use crate::actors::{Ask, Meta};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

pub fn routes(config: &mut web::ServiceConfig) {
    config.service(web::resource("/api/worlds/{worldId}/channels/{channelId}/characters/{characterId}/stats").get(read));
}

async fn read(request: HttpRequest, path: web::Path<(String, String, String)>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let bad = |_| HttpResponse::BadRequest().finish();
            let world: u8 = path.0.parse().map_err(bad)?;
            let channel: u8 = path.1.parse().map_err(bad)?;
            let character = request::id(&path.2)?;
            let (reply, answer) = Ask::new();
            let meta = Meta { tenant: tenant.clone(), position: None, trace: crate::telemetry::with_current(crate::carried::current()) };
            let delivered = state.characters.deliver(tenant.id, character, CharacterInput::ReadStats { world, channel, reply }, meta);
            let failed = |_| HttpResponse::InternalServerError().finish();
            delivered.await.map_err(|error| {
                tracing::error!(%error, "stats read failed");
                HttpResponse::InternalServerError().finish()
            })?;
            let body = answer.await.map_err(failed)?;
            Ok(document(StatusCode::OK, &body))
        }
        .await,
    )
}
