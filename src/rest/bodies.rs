//! The JSON bodies the REST routes answer with and the commands they publish, as types.
//! Fields are declared in the order of their JSON names, so the bytes match what the
//! routes answered when these were `json!` literals (serde_json sorts those keys).

use crate::contracts::json::GoTime;
use crate::contracts::skill::SkillBody;
use serde::Serialize;

/// A JSON:API document: its `data`, and the `included` resources when there are any.
#[derive(Debug, Serialize)]
pub struct Document<D, I: Serialize = ()> {
    pub data: D,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub included: Vec<I>,
}

impl<D> Document<D> {
    /// A document with nothing included.
    pub fn of(data: D) -> Document<D> {
        Document { data, included: Vec::new() }
    }
}

/// A JSON:API resource object.
#[derive(Debug, Serialize)]
pub struct Resource<A, R: Serialize = ()> {
    pub attributes: A,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationships: Option<R>,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl<A> Resource<A> {
    /// A resource without relationships.
    pub fn new(kind: &'static str, id: impl ToString, attributes: A) -> Resource<A> {
        Resource { attributes, id: id.to_string(), relationships: None, kind }
    }
}

/// A resource identifier (`{"id", "type"}`), as in a relationship's `data`.
#[derive(Debug, Serialize)]
pub struct Identifier {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// No attributes: `{}`.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// A skill's attributes (spec 10 §10).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillAttributes {
    pub cooldown_expires_at: GoTime,
    pub expiration: GoTime,
    pub level: u8,
    pub master_level: u8,
}

/// A macro's attributes (spec 10 §10.8).
#[derive(Debug, Serialize)]
pub struct MacroAttributes {
    pub name: String,
    pub shout: bool,
    #[serde(rename = "skillId1")]
    pub skill_id1: u32,
    #[serde(rename = "skillId2")]
    pub skill_id2: u32,
    #[serde(rename = "skillId3")]
    pub skill_id3: u32,
}

/// A messenger member's attributes (spec 30 §8).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberAttributes {
    pub channel_id: u8,
    pub name: String,
    pub online: bool,
    pub slot: u8,
    pub world_id: u8,
}

/// A messenger's relationships: its members.
#[derive(Debug, Serialize)]
pub struct MessengerRelationships {
    pub members: Relationship,
}

/// A to-many relationship with its links.
#[derive(Debug, Serialize)]
pub struct Relationship {
    pub data: Vec<Identifier>,
    pub links: Links,
}

/// A relationship's links.
#[derive(Debug, Serialize)]
pub struct Links {
    pub related: String,
    #[serde(rename = "self")]
    pub this: String,
}

/// The `/health` answer.
#[derive(Debug, Serialize)]
pub struct Health {
    pub database: bool,
    pub kafka: bool,
}

/// A skill command a POST or PATCH publishes on `COMMAND_TOPIC_SKILL`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillCommandOut {
    pub body: SkillBody,
    pub character_id: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// A JOIN or LEAVE a member POST or DELETE publishes on `COMMAND_TOPIC_MESSENGER`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessengerCommandOut {
    pub actor_id: u32,
    pub body: MessengerIdBody,
    pub transaction_id: uuid::Uuid,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The body of a messenger command: the messenger.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessengerIdBody {
    pub messenger_id: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_serialize_as_the_literals_they_replace() {
        let members = Relationship {
            data: vec![Identifier { id: "7".into(), kind: "members" }],
            links: Links { related: "/api/messengers/3/members".into(), this: "/api/messengers/3/relationships/members".into() },
        };
        let messenger =
            Resource { attributes: Empty {}, id: "3".into(), relationships: Some(MessengerRelationships { members }), kind: "messengers" };
        let member =
            Resource::new("members", 7, MemberAttributes { channel_id: 1, name: "Ann".into(), online: true, slot: 0, world_id: 0 });
        let document = Document { data: vec![messenger], included: vec![member] };
        let expected = json!({
            "data": [{"type": "messengers", "id": "3", "attributes": {}, "relationships": {"members": {
                "links": {"self": "/api/messengers/3/relationships/members", "related": "/api/messengers/3/members"},
                "data": [{"type": "members", "id": "7"}]}}}],
            "included": [{"type": "members", "id": "7", "attributes": {"name": "Ann", "worldId": 0, "channelId": 1, "online": true, "slot": 0}}],
        });
        assert_eq!(serde_json::to_string(&document).ok(), Some(expected.to_string()));
        assert_eq!(serde_json::to_string(&Document::of(Vec::<Identifier>::new())).ok(), Some(r#"{"data":[]}"#.to_string()));
        let command =
            MessengerCommandOut { actor_id: 1, body: MessengerIdBody { messenger_id: 2 }, transaction_id: uuid::Uuid::nil(), kind: "JOIN" };
        let expected = json!({"transactionId": uuid::Uuid::nil(), "actorId": 1, "type": "JOIN", "body": {"messengerId": 2}});
        assert_eq!(serde_json::to_string(&command).ok(), Some(expected.to_string()));
    }
}
