//! Spec 20 §11: a character's effective stats, read from (and if needed initialized by)
//! the character's actor, where the model lives.

use super::error::{ApiError, ApiResult, Unanswered};
use super::request::{self, document};
use super::ApiState;
use crate::actors::character::CharacterInput;
use crate::actors::{Ask, Meta};
use actix_web::{web, HttpRequest};

pub fn routes(config: &mut web::ServiceConfig) {
    config.service(web::resource("/api/worlds/{worldId}/channels/{channelId}/characters/{characterId}/stats").get(read));
}

async fn read(request: HttpRequest, path: web::Path<(String, String, String)>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let world: u8 = path.0.parse().map_err(|_| ApiError::BadRequest)?;
    let channel: u8 = path.1.parse().map_err(|_| ApiError::BadRequest)?;
    let character = request::id(&path.2)?;
    let (reply, answer) = Ask::new();
    let meta = Meta { tenant: tenant.clone(), position: None, trace: crate::telemetry::with_current(crate::carried::current()) };
    let delivered = state.characters.deliver(tenant.id, character, CharacterInput::ReadStats { world, channel, reply }, meta);
    delivered.await.map_err(ApiError::internal("stats read"))?;
    let body = answer.await.map_err(|_| ApiError::internal("stats read")(Unanswered("the character actor did not answer")))?;
    document(&body)
}
