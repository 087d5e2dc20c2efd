//! Answers of the services the channel looks things up in (spec 50 §6), as JSON:API
//! documents: the parts the edge reads are typed and decoded under the object rule
//! (`contracts::strict`); attributes shown to a client as the service gave them stay JSON
//! objects (`Attributes`), which must still be objects.

use crate::contracts::json::nullable;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// Attributes passed through to a client verbatim: any JSON object.
pub type Attributes = Map<String, Value>;

/// A JSON:API document whose `data` is one resource.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
pub struct One<A> {
    pub data: Resource<A>,
}

/// A JSON:API document whose `data` is a list of resources.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
pub struct Many<A> {
    pub data: Vec<Resource<A>>,
}

/// A JSON:API resource: its type, its id (a string) and its attributes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(bound = "A: DeserializeOwned + Default")]
pub struct Resource<A> {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub attributes: A,
}

/// `GET characters/{id}`: the fields the edge reads (spec 50 §6).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CharacterAttributes {
    pub account_id: u32,
    /// Absent in some answers: the session's world is meant then.
    pub world_id: Option<u8>,
    pub name: String,
    pub level: u8,
    pub experience: u32,
    pub gachapon_experience: u32,
    pub strength: u16,
    pub dexterity: u16,
    pub intelligence: u16,
    pub luck: u16,
    pub hp: u16,
    pub max_hp: u16,
    pub mp: u16,
    pub max_mp: u16,
    pub meso: u32,
    pub job_id: u16,
    pub skin_color: u8,
    pub gender: u8,
    pub fame: i16,
    pub hair: u32,
    pub face: u32,
    pub ap: u16,
    /// Skill points per job tier, a comma list.
    pub sp: String,
    pub map_id: u32,
    pub gm: i32,
    pub x: i16,
    pub y: i16,
    pub stance: u8,
}

impl CharacterAttributes {
    /// A stat's current value as `StatChanged` shows it (spec 50 §4.5).
    pub fn stat(&self, stat: &str) -> i64 {
        match stat {
            "SKIN" => i64::from(self.skin_color),
            "FACE" => i64::from(self.face),
            "HAIR" => i64::from(self.hair),
            "LEVEL" => i64::from(self.level),
            "JOB" => i64::from(self.job_id),
            "STRENGTH" => i64::from(self.strength),
            "DEXTERITY" => i64::from(self.dexterity),
            "INTELLIGENCE" => i64::from(self.intelligence),
            "LUCK" => i64::from(self.luck),
            "HP" => i64::from(self.hp),
            "MAX_HP" => i64::from(self.max_hp),
            "MP" => i64::from(self.mp),
            "MAX_MP" => i64::from(self.max_mp),
            "AVAILABLE_AP" => i64::from(self.ap),
            "EXPERIENCE" => i64::from(self.experience),
            "FAME" => i64::from(self.fame),
            "MESO" => i64::from(self.meso),
            "GACHAPON_EXPERIENCE" => i64::from(self.gachapon_experience),
            // The first number of the comma list; none is 0 (Go indexes an empty list, Q-9).
            "AVAILABLE_SP" => self.sp.split(',').next().and_then(|n| n.trim().parse().ok()).unwrap_or(0),
            // Summoned pets' ids come with pets (P2); no pet is out.
            _ => 0,
        }
    }
}

/// `GET monsters/{uniqueId}`: the fields the edge reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MonsterAttributes {
    pub monster_id: u32,
    pub control_character_id: u32,
    pub x: i16,
    pub y: i16,
    pub fh: i16,
    pub stance: u8,
    pub team: i8,
    pub hp: u32,
    pub max_hp: u32,
    pub mp: u32,
    pub max_mp: u32,
}

/// `GET data/maps/{map}/portals`, one portal.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PortalAttributes {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: u8,
    pub target_map_id: u32,
}

/// `GET data/skills/{id}`: the effect of each level, passed on as given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SkillAttributes {
    #[serde(deserialize_with = "nullable")]
    pub effects: Vec<Attributes>,
}

/// `GET accounts`, one account.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccountAttributes {
    pub logged_in: u8,
}

/// `GET parties?filter[members.id]=`, one party.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PartyAttributes {
    pub leader_id: u32,
    #[serde(deserialize_with = "nullable")]
    pub members: Vec<PartyMemberAttributes>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PartyMemberAttributes {
    pub id: u32,
    pub name: String,
    pub level: u8,
    pub job_id: u16,
    pub world_id: u8,
    pub channel_id: u8,
    pub map_id: u32,
    pub instance: Uuid,
    pub online: bool,
}

/// `GET characters/{id}/buddy-list`: the capacity, and the buddies shown as given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct BuddyListAttributes {
    pub capacity: u8,
    #[serde(deserialize_with = "nullable")]
    pub buddies: Vec<Attributes>,
}

/// `GET characters/{id}/keys`, one binding.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct KeyAttributes {
    pub key: i32,
    #[serde(rename = "type")]
    pub kind: i8,
    pub action: i32,
}

/// `GET worlds/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct WorldAttributes {
    pub message: String,
}

/// `GET characters/{id}/notes`, one note.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NoteAttributes {
    pub sender_id: u32,
    pub message: String,
    pub flag: u8,
    pub timestamp: String,
}

/// A document whose `data` is one resource or a list of them, with attributes passed on
/// as given (inventory, pets, quests): checked for its shape, kept as JSON.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AnyData {
    #[serde(default)]
    pub data: Value,
}

impl AnyData {
    /// The document's `data` when it is a resource or a list of resources (each an
    /// object with an attributes object), else why not.
    pub fn checked(self) -> Result<Value, String> {
        match &self.data {
            Value::Array(list) => {
                for (i, resource) in list.iter().enumerate() {
                    Self::resource(resource).map_err(|e| format!("data[{i}]: {e}"))?;
                }
            }
            Value::Null => {}
            resource => Self::resource(resource).map_err(|e| format!("data: {e}"))?,
        }
        Ok(self.data)
    }

    /// A resource names its type.
    fn resource(value: &Value) -> Result<(), String> {
        let resource: Resource<Attributes> = crate::contracts::strict::from_value(value.clone())?;
        match resource.kind.is_empty() {
            true => Err("a resource without a type".into()),
            false => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::shapes::mutations;
    use crate::contracts::strict::from_value;
    use serde_json::json;

    /// Every one-node shape mutation of a valid answer is refused (except under `raw`).
    fn refuses_every_mutation<T: DeserializeOwned>(answer: Value, raw: &[&str], check: impl Fn(T) -> Result<(), String>) {
        let decode = |value: Value| from_value::<T>(value).and_then(&check);
        assert!(decode(answer.clone()).is_ok(), "the valid answer decodes: {answer}");
        let found = mutations(&answer, raw);
        assert!(!found.is_empty());
        for m in found {
            assert!(decode(m.value.clone()).is_err(), "{} was not refused: {}", m.path, m.value);
        }
    }

    fn any<T>(_: T) -> Result<(), String> {
        Ok(())
    }

    pub fn character() -> Value {
        json!({"data": {"type": "characters", "id": "30001", "attributes": {"accountId": 1001, "worldId": 0, "name": "Alice",
            "level": 30, "experience": 10, "gachaponExperience": 0, "strength": 12, "dexterity": 5, "intelligence": 4, "luck": 4,
            "hp": 50, "maxHp": 120, "mp": 20, "maxMp": 40, "meso": 1000, "jobId": 100, "skinColor": 0, "gender": 0, "fame": -1,
            "hair": 30000, "face": 20000, "ap": 3, "sp": "2,0", "mapId": 100000000, "gm": 0, "x": -120, "y": 215, "stance": 0}}})
    }

    #[test]
    fn channel_answers_refuse_every_shape_mutation() {
        refuses_every_mutation::<One<CharacterAttributes>>(character(), &[], any);
        refuses_every_mutation::<One<MonsterAttributes>>(
            json!({"data": {"type": "monsters", "id": "1000123", "attributes": {"monsterId": 100100, "controlCharacterId": 30001,
                "x": -250, "y": 152, "fh": 21, "stance": 5, "team": -1, "hp": 40, "maxHp": 80, "mp": 0, "maxMp": 0}}}),
            &[],
            any,
        );
        refuses_every_mutation::<Many<PortalAttributes>>(
            json!({"data": [{"type": "portals", "id": "2", "attributes": {"name": "sp", "type": 0, "targetMapId": 999999999}}]}),
            &[],
            any,
        );
        refuses_every_mutation::<One<SkillAttributes>>(
            json!({"data": {"type": "skills", "id": "1001004", "attributes": {"effects": [{"hpCon": 0, "mpCon": 10}]}}}),
            &["data.attributes.effects[0].hpCon", "data.attributes.effects[0].mpCon"],
            any,
        );
        refuses_every_mutation::<Many<AccountAttributes>>(
            json!({"data": [{"type": "accounts", "id": "1001", "attributes": {"loggedIn": 1}}]}),
            &[],
            any,
        );
        refuses_every_mutation::<Many<PartyAttributes>>(
            json!({"data": [{"type": "parties", "id": "41", "attributes": {"leaderId": 30001, "members": [{"id": 30001, "name": "Alice",
                "level": 30, "jobId": 100, "worldId": 0, "channelId": 1, "mapId": 100000000,
                "instance": "00000000-0000-0000-0000-000000000000", "online": true}]}}]}),
            &[],
            any,
        );
        refuses_every_mutation::<One<BuddyListAttributes>>(
            json!({"data": {"type": "buddy-lists", "id": "30001", "attributes": {"capacity": 20,
                "buddies": [{"characterId": 30002, "group": "Default Group"}]}}}),
            &["data.attributes.buddies[0].characterId", "data.attributes.buddies[0].group"],
            any,
        );
        refuses_every_mutation::<Many<KeyAttributes>>(
            json!({"data": [{"type": "keys", "id": "91", "attributes": {"key": 91, "type": 7, "action": 100}}]}),
            &[],
            any,
        );
        refuses_every_mutation::<One<WorldAttributes>>(
            json!({"data": {"type": "worlds", "id": "0", "attributes": {"message": "Welcome"}}}),
            &[],
            any,
        );
        refuses_every_mutation::<Many<NoteAttributes>>(
            json!({"data": [{"type": "notes", "id": "501", "attributes": {"senderId": 30002, "message": "gg", "flag": 0,
                "timestamp": "2025-03-01T12:00:00Z"}}]}),
            &[],
            any,
        );
        // Pass-through attributes: only the document's shape is checked.
        refuses_every_mutation::<Many<Attributes>>(
            json!({"data": [{"type": "guilds", "id": "9", "attributes": {"name": "Knights"}}]}),
            &["data[0].attributes.name"],
            any,
        );
        refuses_every_mutation::<AnyData>(
            json!({"data": {"type": "inventories", "id": "30001", "attributes": {"compartments": []}}}),
            &["data.attributes.compartments"],
            |d: AnyData| d.checked().map(|_| ()),
        );
        refuses_every_mutation::<AnyData>(
            json!({"data": [{"type": "pets", "id": "1", "attributes": {"name": "Kitty"}}]}),
            &["data[0].attributes.name"],
            |d: AnyData| d.checked().map(|_| ()),
        );
    }

    #[test]
    fn stats_come_from_the_character() {
        let One { data } = from_value::<One<CharacterAttributes>>(character()).expect("valid");
        let attributes = data.attributes;
        assert_eq!((attributes.stat("HP"), attributes.stat("AVAILABLE_SP"), attributes.stat("JOB")), (50, 2, 100));
        assert_eq!(attributes.stat("FAME"), -1);
        assert_eq!(CharacterAttributes::default().stat("AVAILABLE_SP"), 0, "an empty SP list is 0 (Q-9)");
        assert_eq!(attributes.stat("PET_SN_1"), 0);
    }
}
