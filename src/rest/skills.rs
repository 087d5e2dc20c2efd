//! Spec 10 §10: skills and macros of a character. Reads serve committed state from the
//! store; POST and PATCH publish a command on `COMMAND_TOPIC_SKILL` and answer 202.

use super::request::{self, answer, document};
use super::ApiState;
use crate::actors::character::skills_sql::{self, SkillView};
use crate::contracts::json::GoTime;
use crate::contracts::skill::SkillBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/api/characters/{characterId}/skills").get(list).post(create))
        .service(web::resource("/api/characters/{characterId}/skills/{skillId}").get(one).patch(update))
        .service(web::resource("/api/characters/{characterId}/macros").get(macros));
}

fn resource(view: &SkillView) -> Value {
    json!({
        "type": "skills",
        "id": view.id.to_string(),
        "attributes": {
            "level": view.skill.level,
            "masterLevel": view.skill.master_level,
            "expiration": view.skill.expiration,
            "cooldownExpiresAt": view.cooldown_expires_at,
        }
    })
}

fn server_error(error: impl std::fmt::Display) -> HttpResponse {
    tracing::error!(%error, "skills request failed");
    HttpResponse::InternalServerError().finish()
}

async fn list(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let character = request::id(&path)?;
            let views = skills_sql::skills(&state.store, tenant.id, character).await.map_err(server_error)?;
            Ok(document(StatusCode::OK, &json!({"data": views.iter().map(resource).collect::<Vec<_>>()})))
        }
        .await,
    )
}

async fn one(request: HttpRequest, path: web::Path<(String, String)>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let (character, skill) = (request::id(&path.0)?, request::id(&path.1)?);
            match skills_sql::skill(&state.store, tenant.id, character, skill).await.map_err(server_error)? {
                Some(view) => Ok(document(StatusCode::OK, &json!({"data": resource(&view)}))),
                None => Ok(HttpResponse::NotFound().finish()),
            }
        }
        .await,
    )
}

/// Attributes a POST or PATCH may carry; absent ones are zero values.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attributes {
    #[serde(default, deserialize_with = "crate::contracts::json::nullable")]
    level: u8,
    #[serde(default, deserialize_with = "crate::contracts::json::nullable")]
    master_level: u8,
    #[serde(default)]
    expiration: GoTime,
}

async fn create(request: HttpRequest, path: web::Path<String>, body: web::Bytes, state: web::Data<ApiState>) -> HttpResponse {
    publish_command(&request, &path, None, &body, "REQUEST_CREATE", &state).await
}

async fn update(request: HttpRequest, path: web::Path<(String, String)>, body: web::Bytes, state: web::Data<ApiState>) -> HttpResponse {
    publish_command(&request, &path.0, Some(&path.1), &body, "REQUEST_UPDATE", &state).await
}

/// Validates in Go's order (tenant, body, characterId, skillId), then publishes the
/// command keyed by character with the request's tenant headers.
async fn publish_command(
    request: &HttpRequest,
    character: &str,
    skill: Option<&str>,
    body: &[u8],
    kind: &str,
    state: &ApiState,
) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(request)?;
            let (document_id, attributes) = request::resource(body, "skills")?;
            let attributes: Attributes =
                crate::contracts::strict::from_value(attributes).map_err(|_| HttpResponse::BadRequest().finish())?;
            let character = request::id(character)?;
            let skill_id = match skill {
                None => document_id,
                Some(skill) => request::id(skill)?,
            };
            let command = json!({
                "characterId": character,
                "type": kind,
                "body": SkillBody {
                    skill_id,
                    level: attributes.level,
                    master_level: attributes.master_level,
                    expiration: attributes.expiration,
                },
            });
            request::accept_command(&state.producer, "COMMAND_TOPIC_SKILL", character, &command, tenant).await
        }
        .await,
    )
}

async fn macros(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let character = request::id(&path)?;
            let mut macros = skills_sql::macros(&state.store, tenant.id, character).await.map_err(server_error)?;
            // Stored in the order the last UPDATE gave them; listed by ascending id (spec 10 §10.8).
            macros.sort_by_key(|m| m.id);
            let data: Vec<Value> = macros
                .iter()
                .map(|m| {
                    json!({
                        "type": "macros",
                        "id": m.id.to_string(),
                        "attributes": {
                            "name": m.name,
                            "shout": m.shout,
                            "skillId1": m.skill_id1,
                            "skillId2": m.skill_id2,
                            "skillId3": m.skill_id3,
                        }
                    })
                })
                .collect();
            Ok(document(StatusCode::OK, &json!({"data": data})))
        }
        .await,
    )
}
