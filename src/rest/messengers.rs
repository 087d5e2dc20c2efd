//! Spec 30 §8: messengers and their members, served from committed state; POST and DELETE
//! of a member publish a JOIN or LEAVE command on `COMMAND_TOPIC_MESSENGER` and answer 202.

use super::request::{self, answer, document, Answer};
use super::ApiState;
use crate::actors::messengers::sql::{self, RoomView};
use crate::actors::messengers::{Entry, Seat};
use crate::contracts::tenant::Tenant;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/api/messengers").get(list))
        .service(web::resource("/api/messengers/{messengerId}").get(one))
        .service(web::resource("/api/messengers/{messengerId}/members").get(members).post(join))
        .service(web::resource("/api/messengers/{messengerId}/relationships/members").get(members))
        .service(web::resource("/api/messengers/{messengerId}/members/{memberId}").get(member).delete(leave));
}

fn member_resource(seat: &Seat, entry: &Entry) -> Value {
    json!({
        "type": "members",
        "id": seat.character.to_string(),
        "attributes": {
            "name": entry.name,
            "worldId": entry.world,
            "channelId": entry.channel,
            "online": entry.online,
            "slot": seat.slot,
        }
    })
}

fn messenger(room: &RoomView) -> Value {
    let id = room.id;
    json!({
        "type": "messengers",
        "id": id.to_string(),
        "attributes": {},
        "relationships": {
            "members": {
                "links": {
                    "self": format!("/api/messengers/{id}/relationships/members"),
                    "related": format!("/api/messengers/{id}/members"),
                },
                "data": room.members.iter().map(|(seat, _)| json!({"type": "members", "id": seat.character.to_string()})).collect::<Vec<_>>(),
            }
        }
    })
}

/// A document of messengers with their members `included` (omitted when empty).
fn with_included(data: Value, rooms: &[RoomView]) -> Value {
    let included: Vec<Value> = rooms.iter().flat_map(|r| r.members.iter().map(|(seat, entry)| member_resource(seat, entry))).collect();
    let mut document = json!({"data": data});
    if !included.is_empty() {
        document["included"] = Value::Array(included);
    }
    document
}

fn server_error(error: impl std::fmt::Display) -> HttpResponse {
    tracing::error!(%error, "messengers request failed");
    HttpResponse::InternalServerError().finish()
}

async fn room(state: &ApiState, tenant: &Tenant, id: u32) -> Result<Option<RoomView>, HttpResponse> {
    let rooms = sql::rooms(&state.store, tenant.id, None).await.map_err(server_error)?;
    Ok(rooms.into_iter().find(|r| r.id == id))
}

async fn list(request: HttpRequest, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let filter = web::Query::<std::collections::HashMap<String, String>>::from_query(request.query_string())
                .map_err(|_| HttpResponse::BadRequest().finish())?;
            let only = match filter.get("filter[members.id]") {
                Some(id) => Some(request::id(id)?),
                None => None,
            };
            let rooms = sql::rooms(&state.store, tenant.id, only).await.map_err(server_error)?;
            let data = Value::Array(rooms.iter().map(messenger).collect());
            Ok(document(StatusCode::OK, &with_included(data, &rooms)))
        }
        .await,
    )
}

async fn one(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let id = request::id(&path)?;
            match room(&state, &tenant, id).await? {
                Some(room) => Ok(document(StatusCode::OK, &with_included(messenger(&room), std::slice::from_ref(&room)))),
                None => Ok(HttpResponse::NotFound().finish()),
            }
        }
        .await,
    )
}

/// Unknown messengers answer 500 on the member routes, as the Go reference does.
async fn members(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let id = request::id(&path)?;
            let room = room(&state, &tenant, id).await?.ok_or_else(|| HttpResponse::InternalServerError().finish())?;
            let data: Vec<Value> = room.members.iter().map(|(seat, entry)| member_resource(seat, entry)).collect();
            Ok(document(StatusCode::OK, &json!({"data": data})))
        }
        .await,
    )
}

async fn member(request: HttpRequest, path: web::Path<(String, String)>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let (id, character) = (request::id(&path.0)?, request::id(&path.1)?);
            let room = room(&state, &tenant, id).await?.ok_or_else(|| HttpResponse::InternalServerError().finish())?;
            match room.members.iter().find(|(seat, _)| seat.character == character) {
                Some((seat, entry)) => Ok(document(StatusCode::OK, &json!({"data": member_resource(seat, entry)}))),
                None => Ok(HttpResponse::NotFound().finish()),
            }
        }
        .await,
    )
}

async fn join(request: HttpRequest, path: web::Path<String>, body: web::Bytes, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let (character, _) = request::resource(&body, "members")?;
            let messenger = request::id(&path)?;
            publish(&state, tenant, character, "JOIN", messenger).await
        }
        .await,
    )
}

async fn leave(request: HttpRequest, path: web::Path<(String, String)>, state: web::Data<ApiState>) -> HttpResponse {
    answer(
        async {
            let tenant = request::tenant(&request)?;
            let (messenger, character) = (request::id(&path.0)?, request::id(&path.1)?);
            publish(&state, tenant, character, "LEAVE", messenger).await
        }
        .await,
    )
}

/// Publishes a JOIN or LEAVE keyed by the character, with a fresh transactionId.
async fn publish(state: &ApiState, tenant: Tenant, character: u32, kind: &str, messenger: u32) -> Answer {
    let command = json!({
        "transactionId": uuid::Uuid::new_v4(),
        "actorId": character,
        "type": kind,
        "body": {"messengerId": messenger},
    });
    request::accept_command(&state.producer, "COMMAND_TOPIC_MESSENGER", character, &command, tenant).await
}
