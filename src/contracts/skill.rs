//! Spec 10 wire types: skill and macro commands (consumed) and status events (produced).

use super::decode::{self, Decoded, Reject};
use super::json::{nullable, GoTime};
use serde::{Deserialize, Serialize};

/// A consumed command envelope; `type` has been read already.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "B: Deserialize<'de> + Default"))]
pub struct Command<B: Default> {
    #[serde(default, deserialize_with = "nullable")]
    pub character_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub body: B,
    #[serde(default)]
    pub transaction_id: Option<String>,
}

/// Body of `REQUEST_CREATE` and `REQUEST_UPDATE`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillBody {
    #[serde(default, deserialize_with = "nullable")]
    pub skill_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub level: u8,
    #[serde(default, deserialize_with = "nullable")]
    pub master_level: u8,
    #[serde(default)]
    pub expiration: GoTime,
}

/// Body of `SET_COOLDOWN`; `cooldown` is in seconds.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CooldownBody {
    #[serde(default, deserialize_with = "nullable")]
    pub skill_id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub cooldown: u32,
}

/// A command of `COMMAND_TOPIC_SKILL`.
#[derive(Debug, Clone, PartialEq)]
pub enum SkillCommand {
    RequestCreate(Command<SkillBody>),
    RequestUpdate(Command<SkillBody>),
    SetCooldown(Command<CooldownBody>),
}

impl SkillCommand {
    pub fn decode(bytes: &[u8]) -> Result<Decoded<SkillCommand>, Reject> {
        let (kind, value) = decode::typed(bytes)?;
        Ok(Decoded::Message(match kind.as_str() {
            "REQUEST_CREATE" => SkillCommand::RequestCreate(decode::into(value)?),
            "REQUEST_UPDATE" => SkillCommand::RequestUpdate(decode::into(value)?),
            "SET_COOLDOWN" => SkillCommand::SetCooldown(decode::into(value)?),
            _ => return Ok(Decoded::Unhandled(kind)),
        }))
    }

    pub fn character_id(&self) -> u32 {
        match self {
            SkillCommand::RequestCreate(c) | SkillCommand::RequestUpdate(c) => c.character_id,
            SkillCommand::SetCooldown(c) => c.character_id,
        }
    }
}

/// One macro of a macro command or event (all six fields always written).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MacroBody {
    #[serde(default, deserialize_with = "nullable")]
    pub id: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub shout: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub skill_id1: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub skill_id2: u32,
    #[serde(default, deserialize_with = "nullable")]
    pub skill_id3: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct MacrosBody {
    #[serde(default, deserialize_with = "nullable")]
    pub macros: Vec<MacroBody>,
}

/// The `UPDATE` command of `COMMAND_TOPIC_SKILL_MACRO`.
pub type MacroUpdate = Command<MacrosBody>;

pub fn decode_macro_command(bytes: &[u8]) -> Result<Decoded<MacroUpdate>, Reject> {
    let (kind, value) = decode::typed(bytes)?;
    match kind.as_str() {
        "UPDATE" => Ok(Decoded::Message(decode::into(value)?)),
        _ => Ok(Decoded::Unhandled(kind)),
    }
}

/// A skill status event (`EVENT_TOPIC_SKILL_STATUS`), fields in Go's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillStatus<B> {
    pub character_id: u32,
    pub skill_id: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: B,
    pub transaction_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillStateBody {
    pub level: u8,
    pub master_level: u8,
    pub expiration: GoTime,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CooldownAppliedBody {
    pub cooldown_expires_at: GoTime,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmptyBody {}

/// The macro status event (`STATUS_EVENT_TOPIC_SKILL_MACRO`): no `skillId`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MacroStatus {
    pub character_id: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub body: MacrosBody,
    pub transaction_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_decode() {
        let create = br#"{"characterId":1001,"type":"REQUEST_CREATE","body":{"skillId":1001004,"level":1,"masterLevel":10,"expiration":"0001-01-01T00:00:00Z"}}"#;
        let Decoded::Message(SkillCommand::RequestCreate(c)) = SkillCommand::decode(create).expect("test fixture") else {
            panic!("not a create")
        };
        assert_eq!((c.character_id, c.body.skill_id, c.body.level, c.body.master_level), (1001, 1001004, 1, 10));
        assert!(c.body.expiration.is_zero());
        let cooldown = br#"{"characterId":1001,"type":"SET_COOLDOWN","body":{"skillId":1001004,"cooldown":30}}"#;
        assert!(matches!(SkillCommand::decode(cooldown).expect("test fixture"), Decoded::Message(SkillCommand::SetCooldown(_))));
        let macros = br#"{"characterId":1001,"type":"UPDATE","body":{"macros":[{"id":0,"name":"Buff","shout":false,"skillId1":1001003,"skillId2":1101006,"skillId3":0},{"id":1,"name":"Attack","shout":true,"skillId1":1001004,"skillId2":0,"skillId3":0}]}}"#;
        let Decoded::Message(update) = decode_macro_command(macros).expect("test fixture") else { panic!() };
        assert_eq!(update.body.macros.len(), 2);
        assert_eq!(serde_json::to_value(&update.body.macros[1]).expect("test fixture")["skillId1"], 1001004);
    }

    #[test]
    fn wrong_types_and_ranges_are_bad_fields() {
        for bad in [
            r#"{"characterId":"1","type":"REQUEST_CREATE","body":{}}"#,
            r#"{"characterId":1,"type":"REQUEST_CREATE","body":{"level":300}}"#,
            r#"{"characterId":-1,"type":"REQUEST_CREATE","body":{}}"#,
            r#"{"characterId":1.5,"type":"REQUEST_CREATE","body":{}}"#,
            r#"{"characterId":1.0,"type":"REQUEST_CREATE","body":{}}"#,
            r#"{"characterId":1,"type":"REQUEST_CREATE","body":{"expiration":""}}"#,
            r#"{"characterId":1,"type":"SET_COOLDOWN","body":5}"#,
        ] {
            assert_eq!(SkillCommand::decode(bad.as_bytes()).unwrap_err().reason(), "bad_field", "{bad}");
        }
    }

    #[test]
    fn null_and_missing_fields_are_zero_and_unknown_types_unhandled() {
        let v = br#"{"characterId":null,"type":"REQUEST_UPDATE","body":null}"#;
        let Decoded::Message(SkillCommand::RequestUpdate(c)) = SkillCommand::decode(v).expect("test fixture") else { panic!() };
        assert_eq!((c.character_id, c.body.skill_id), (0, 0));
        let v = br#"{"characterId":1,"type":"request_create","body":{}}"#;
        assert_eq!(SkillCommand::decode(v).expect("test fixture"), Decoded::Unhandled("request_create".into()));
    }

    #[test]
    fn status_events_serialize_in_go_order() {
        let event =
            SkillStatus { character_id: 1001, skill_id: 1001004, kind: "COOLDOWN_EXPIRED", body: EmptyBody {}, transaction_id: "t".into() };
        assert_eq!(
            serde_json::to_string(&event).expect("test fixture"),
            r#"{"characterId":1001,"skillId":1001004,"type":"COOLDOWN_EXPIRED","body":{},"transactionId":"t"}"#
        );
    }
}
