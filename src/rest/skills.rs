//! Spec 10 §10: skills and macros of a character. Reads serve committed state from the
//! store; POST and PATCH publish a command on `COMMAND_TOPIC_SKILL` and answer 202.

use super::bodies::{Document, MacroAttributes, Resource, SkillAttributes, SkillCommandOut};
use super::error::{ApiError, ApiResult};
use super::request::{self, document};
use super::ApiState;
use crate::actors::character::skills_sql::{self, SkillView};
use crate::contracts::json::GoTime;
use crate::contracts::skill::SkillBody;
use actix_web::{web, HttpRequest};
use serde::Deserialize;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/api/characters/{characterId}/skills").get(list).post(create))
        .service(web::resource("/api/characters/{characterId}/skills/{skillId}").get(one).patch(update))
        .service(web::resource("/api/characters/{characterId}/macros").get(macros));
}

fn resource(view: &SkillView) -> Resource<SkillAttributes> {
    let attributes = SkillAttributes {
        cooldown_expires_at: view.cooldown_expires_at,
        expiration: view.skill.expiration,
        level: view.skill.level,
        master_level: view.skill.master_level,
    };
    Resource::new("skills", view.id, attributes)
}

async fn list(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let character = request::id(&path)?;
    let views = skills_sql::skills(&state.store, tenant.id, character).await.map_err(ApiError::internal("skills"))?;
    document(&Document::of(views.iter().map(resource).collect::<Vec<_>>()))
}

async fn one(request: HttpRequest, path: web::Path<(String, String)>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let (character, skill) = (request::id(&path.0)?, request::id(&path.1)?);
    match skills_sql::skill(&state.store, tenant.id, character, skill).await.map_err(ApiError::internal("skills"))? {
        Some(view) => document(&Document::of(resource(&view))),
        None => Err(ApiError::NotFound),
    }
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

async fn create(request: HttpRequest, path: web::Path<String>, body: web::Bytes, state: web::Data<ApiState>) -> ApiResult {
    publish_command(&request, &path, None, &body, "REQUEST_CREATE", &state).await
}

async fn update(request: HttpRequest, path: web::Path<(String, String)>, body: web::Bytes, state: web::Data<ApiState>) -> ApiResult {
    publish_command(&request, &path.0, Some(&path.1), &body, "REQUEST_UPDATE", &state).await
}

/// Validates in Go's order (tenant, body, characterId, skillId), then publishes the
/// command keyed by character with the request's tenant headers.
async fn publish_command(
    request: &HttpRequest,
    character: &str,
    skill: Option<&str>,
    body: &[u8],
    kind: &'static str,
    state: &ApiState,
) -> ApiResult {
    let tenant = request::tenant(request)?;
    let (document_id, attributes) = request::resource(body, "skills")?;
    let attributes: Attributes = crate::contracts::strict::from_value(attributes).map_err(|_| ApiError::BadRequest)?;
    let character = request::id(character)?;
    let skill_id = match skill {
        None => document_id,
        Some(skill) => request::id(skill)?,
    };
    let body = SkillBody { skill_id, level: attributes.level, master_level: attributes.master_level, expiration: attributes.expiration };
    let command = SkillCommandOut { body, character_id: character, kind };
    request::accept_command(&state.producer, &state.topics, "COMMAND_TOPIC_SKILL", character, &command, tenant).await
}

async fn macros(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let character = request::id(&path)?;
    let mut macros = skills_sql::macros(&state.store, tenant.id, character).await.map_err(ApiError::internal("skills"))?;
    // Stored in the order the last UPDATE gave them; listed by ascending id (spec 10 §10.8).
    macros.sort_by_key(|m| m.id);
    let data: Vec<_> = macros
        .into_iter()
        .map(|m| {
            let attributes =
                MacroAttributes { name: m.name, shout: m.shout, skill_id1: m.skill_id1, skill_id2: m.skill_id2, skill_id3: m.skill_id3 };
            Resource::new("macros", m.id, attributes)
        })
        .collect();
    document(&Document::of(data))
}
