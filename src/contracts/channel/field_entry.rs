//! What a character is shown when it enters a map instance (spec 50 §4.6 step 6): the
//! others there, their party's HP, the map's NPCs, monsters, drops and reactors, and its
//! clock. NPCs, monsters, drops and reactors are relayed as their services' REST
//! resources hold them, with the object's id beside; the rest is typed field by field.

use super::Push;
use serde::Serialize;
use serde_json::{Map, Value};

/// A resource's attributes as its service wrote them.
pub type Attributes = Map<String, Value>;

/// `attributes` as an object (anything else reads as none) without the fields the push
/// writes itself, which take precedence.
fn relayed(attributes: Value, written: &[&str]) -> Attributes {
    let mut attributes = match attributes {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    for name in written {
        attributes.remove(*name);
    }
    attributes
}

/// `SpawnNPC`: an NPC of the map's data, by its object id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpawnNpc {
    pub object_id: u64,
    #[serde(flatten)]
    pub attributes: Attributes,
}

impl SpawnNpc {
    pub fn new(object_id: u64, attributes: Value) -> SpawnNpc {
        SpawnNpc { object_id, attributes: relayed(attributes, &["objectId"]) }
    }
}

impl Push for SpawnNpc {
    const WRITER: &'static str = "SpawnNPC";
}

/// `SpawnNPCRequestController`: the entering client controls the NPC.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct SpawnNpcRequestController(pub SpawnNpc);

impl Push for SpawnNpcRequestController {
    const WRITER: &'static str = "SpawnNPCRequestController";
}

/// `SpawnMonster` of a monster already in the map (no spawn animation).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpawnMonster {
    pub unique_id: u64,
    pub fresh: bool,
    #[serde(flatten)]
    pub attributes: Attributes,
}

impl SpawnMonster {
    pub fn existing(unique_id: u64, attributes: Value) -> SpawnMonster {
        SpawnMonster { unique_id, fresh: false, attributes: relayed(attributes, &["uniqueId", "fresh"]) }
    }
}

impl Push for SpawnMonster {
    const WRITER: &'static str = "SpawnMonster";
}

/// How a drop appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DropEnter {
    /// Already on the ground: no falling animation.
    Existing,
}

/// `DropSpawn` of a drop already on the ground. The drops service calls the ownership
/// type `type`, which the frame's own `type` (its writer) would hide: it is written as
/// `ownershipType`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingDrop {
    pub drop_id: u64,
    pub enter_type: DropEnter,
    pub delay: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership_type: Option<Value>,
    #[serde(flatten)]
    pub attributes: Attributes,
}

impl ExistingDrop {
    pub fn new(drop_id: u64, attributes: Value) -> ExistingDrop {
        let mut attributes = relayed(attributes, &["dropId", "enterType", "delay"]);
        let ownership_type = attributes.remove("type");
        if ownership_type.is_some() {
            attributes.remove("ownershipType");
        }
        ExistingDrop { drop_id, enter_type: DropEnter::Existing, delay: 0, ownership_type, attributes }
    }
}

impl Push for ExistingDrop {
    const WRITER: &'static str = "DropSpawn";
}

/// `ReactorSpawn` of a reactor already in the map, as the reactor service holds it (the
/// reactor events' typed form is `field::ReactorSpawn`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingReactor {
    pub reactor_id: u64,
    #[serde(flatten)]
    pub attributes: Attributes,
}

impl ExistingReactor {
    pub fn new(reactor_id: u64, attributes: Value) -> ExistingReactor {
        ExistingReactor { reactor_id, attributes: relayed(attributes, &["reactorId"]) }
    }
}

impl Push for ExistingReactor {
    const WRITER: &'static str = "ReactorSpawn";
}

/// `Clock`: the town clock, the server's time of day (a ride's countdown is
/// `transports::Countdown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TownClock {
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Push for TownClock {
    const WRITER: &'static str = "Clock";
}

/// `CharacterSpawn`: a character's look and name. A field the character service did not
/// write (or wrote with another type) is `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacterSpawn {
    pub character_id: u32,
    pub entering_field: bool,
    pub name: Option<String>,
    pub level: Option<u8>,
    pub job_id: Option<u16>,
    pub gender: Option<u8>,
    pub skin_color: Option<u8>,
    pub face: Option<u32>,
    pub hair: Option<u32>,
    pub x: Option<i16>,
    pub y: Option<i16>,
    pub stance: Option<u8>,
}

impl Push for CharacterSpawn {
    const WRITER: &'static str = "CharacterSpawn";
}

/// `PartyMemberHP`: a party member's HP and maximum (`null` where unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyMemberHp {
    pub character_id: u32,
    pub hp: Option<u32>,
    pub max_hp: Option<u32>,
}

impl Push for PartyMemberHp {
    const WRITER: &'static str = "PartyMemberHP";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn written<P: Push>(push: &P) -> Value {
        serde_json::to_value(push).expect("serialises")
    }

    #[test]
    fn relayed_resources_keep_their_attributes_and_the_written_fields_win() {
        let npc = SpawnNpc::new(1001, json!({"template": 9010000, "x": 5, "objectId": 7}));
        assert_eq!(written(&npc), json!({"objectId": 1001, "template": 9010000, "x": 5}));
        assert_eq!(written(&SpawnNpcRequestController(npc.clone())), written(&npc));
        assert_eq!(
            written(&SpawnMonster::existing(2001, json!({"monsterId": 100100, "fresh": true}))),
            json!({"uniqueId": 2001, "monsterId": 100100, "fresh": false})
        );
        assert_eq!(written(&ExistingReactor::new(4001, json!("not an object"))), json!({"reactorId": 4001}));
    }

    #[test]
    fn a_drops_type_is_its_ownership_type() {
        let drop = ExistingDrop::new(3001, json!({"itemId": 4000019, "type": 0, "ownershipType": 9}));
        assert_eq!(written(&drop), json!({"dropId": 3001, "itemId": 4000019, "enterType": "EXISTING", "delay": 0, "ownershipType": 0}));
        let untyped = ExistingDrop::new(3002, json!({"itemId": 4000019, "ownershipType": 2}));
        assert_eq!(written(&untyped)["ownershipType"], json!(2));
    }

    #[test]
    fn unknown_look_fields_are_null() {
        let spawn = CharacterSpawn { character_id: 6603, name: Some("Lio".into()), level: Some(30), ..CharacterSpawn::default() };
        assert_eq!(
            written(&spawn),
            json!({"characterId": 6603, "enteringField": false, "name": "Lio", "level": 30, "jobId": null, "gender": null,
                "skinColor": null, "face": null, "hair": null, "x": null, "y": null, "stance": null})
        );
        let hp = PartyMemberHp { character_id: 1, hp: Some(50), max_hp: None };
        assert_eq!(written(&hp), json!({"characterId": 1, "hp": 50, "maxHp": null}));
        assert_eq!(written(&TownClock { hour: 1, minute: 2, second: 3 }), json!({"hour": 1, "minute": 2, "second": 3}));
    }
}
