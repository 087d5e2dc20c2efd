//! Spec 30 §8: messengers and their members, served from committed state; POST and DELETE
//! of a member publish a JOIN or LEAVE command on `COMMAND_TOPIC_MESSENGER` and answer 202.

use super::bodies::{
    Document, Empty, Identifier, Links, MemberAttributes, MessengerCommandOut, MessengerIdBody, MessengerRelationships, Relationship,
    Resource,
};
use super::error::{ApiError, ApiResult};
use super::request::{self, document};
use super::ApiState;
use crate::actors::messengers::sql::{self, RoomView};
use crate::actors::messengers::{Entry, Seat};
use crate::contracts::tenant::Tenant;
use actix_web::{web, HttpRequest};

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/api/messengers").get(list))
        .service(web::resource("/api/messengers/{messengerId}").get(one))
        .service(web::resource("/api/messengers/{messengerId}/members").get(members).post(join))
        .service(web::resource("/api/messengers/{messengerId}/relationships/members").get(members))
        .service(web::resource("/api/messengers/{messengerId}/members/{memberId}").get(member).delete(leave));
}

type Member = Resource<MemberAttributes>;
type Messenger = Resource<Empty, MessengerRelationships>;

fn member_resource(seat: &Seat, entry: &Entry) -> Member {
    let attributes = MemberAttributes {
        channel_id: entry.channel,
        name: entry.name.clone(),
        online: entry.online,
        slot: seat.slot,
        world_id: entry.world,
    };
    Resource::new("members", seat.character, attributes)
}

fn messenger(room: &RoomView) -> Messenger {
    let id = room.id;
    let members = Relationship {
        data: room.members.iter().map(|(seat, _)| Identifier { id: seat.character.to_string(), kind: "members" }).collect(),
        links: Links { related: format!("/api/messengers/{id}/members"), this: format!("/api/messengers/{id}/relationships/members") },
    };
    Resource { attributes: Empty {}, id: id.to_string(), relationships: Some(MessengerRelationships { members }), kind: "messengers" }
}

/// A document of messengers with their members `included` (omitted when empty).
fn with_included<D>(data: D, rooms: &[RoomView]) -> Document<D, Member> {
    let included = rooms.iter().flat_map(|r| r.members.iter().map(|(seat, entry)| member_resource(seat, entry))).collect();
    Document { data, included }
}

async fn room(state: &ApiState, tenant: &Tenant, id: u32) -> Result<Option<RoomView>, ApiError> {
    let rooms = sql::rooms(&state.store, tenant.id, None).await.map_err(ApiError::internal("messengers"))?;
    Ok(rooms.into_iter().find(|r| r.id == id))
}

async fn list(request: HttpRequest, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let filter =
        web::Query::<std::collections::HashMap<String, String>>::from_query(request.query_string()).map_err(|_| ApiError::BadRequest)?;
    let only = match filter.get("filter[members.id]") {
        Some(id) => Some(request::id(id)?),
        None => None,
    };
    let rooms = sql::rooms(&state.store, tenant.id, only).await.map_err(ApiError::internal("messengers"))?;
    let data: Vec<Messenger> = rooms.iter().map(messenger).collect();
    document(&with_included(data, &rooms))
}

async fn one(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let id = request::id(&path)?;
    match room(&state, &tenant, id).await? {
        Some(room) => document(&with_included(messenger(&room), std::slice::from_ref(&room))),
        None => Err(ApiError::NotFound),
    }
}

/// Unknown messengers answer 500 on the member routes, as the Go reference does.
fn unknown_messenger() -> ApiError {
    ApiError::Internal { what: "messengers", cause: Box::new(super::error::Unanswered("no such messenger")) }
}

async fn members(request: HttpRequest, path: web::Path<String>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let id = request::id(&path)?;
    let room = room(&state, &tenant, id).await?.ok_or_else(unknown_messenger)?;
    let data: Vec<Member> = room.members.iter().map(|(seat, entry)| member_resource(seat, entry)).collect();
    document(&Document::of(data))
}

async fn member(request: HttpRequest, path: web::Path<(String, String)>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let (id, character) = (request::id(&path.0)?, request::id(&path.1)?);
    let room = room(&state, &tenant, id).await?.ok_or_else(unknown_messenger)?;
    match room.members.iter().find(|(seat, _)| seat.character == character) {
        Some((seat, entry)) => document(&Document::of(member_resource(seat, entry))),
        None => Err(ApiError::NotFound),
    }
}

async fn join(request: HttpRequest, path: web::Path<String>, body: web::Bytes, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let (character, _) = request::resource(&body, "members")?;
    let messenger = request::id(&path)?;
    publish(&state, tenant, character, "JOIN", messenger).await
}

async fn leave(request: HttpRequest, path: web::Path<(String, String)>, state: web::Data<ApiState>) -> ApiResult {
    let tenant = request::tenant(&request)?;
    let (messenger, character) = (request::id(&path.0)?, request::id(&path.1)?);
    publish(&state, tenant, character, "LEAVE", messenger).await
}

/// Publishes a JOIN or LEAVE keyed by the character, with a fresh transactionId.
async fn publish(state: &ApiState, tenant: Tenant, character: u32, kind: &'static str, messenger: u32) -> ApiResult {
    let command = MessengerCommandOut {
        actor_id: character,
        body: MessengerIdBody { messenger_id: messenger },
        transaction_id: uuid::Uuid::new_v4(),
        kind,
    };
    request::accept_command(&state.producer, &state.topics, "COMMAND_TOPIC_MESSENGER", character, &command, tenant).await
}
