//! The commands of the channel's first wave (spec 51 §7 "First version"): moving, portals,
//! emotes, chat, the character's own changes, attacks, skills and buffs, macros, the
//! inventory window and the messenger. Each is the exact JSON of its spec 51 section;
//! commands a later wave shares (consumables, invitations, drop pick-ups) are in their
//! feature's module.

use super::{Empty, FieldBlock, Produced};
use serde::Serialize;

/// The flat movement shape of spec 51 §4.6–§4.8 (no `type`, no `body`).
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","objectId":30001,"observerId":30001,"x":412,"y":274,"stance":6}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Movement {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub object_id: u32,
    pub observer_id: u32,
    pub x: i16,
    pub y: i16,
    pub stance: u8,
}

/// COMMAND_TOPIC_CHARACTER_MOVEMENT, keyed by the character that moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct CharacterMovementCommand(pub Movement);

impl Produced for CharacterMovementCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CHARACTER_MOVEMENT";
    fn key(&self) -> u32 {
        self.0.object_id
    }
}

/// COMMAND_TOPIC_MONSTER_MOVEMENT, keyed by the monster; the observer controls it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct MonsterMovementCommand(pub Movement);

impl Produced for MonsterMovementCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_MONSTER_MOVEMENT";
    fn key(&self) -> u32 {
        self.0.object_id
    }
}

/// COMMAND_TOPIC_PORTAL `ENTER`, keyed by the portal (spec 51 §4.9).
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","portalId":3,"type":"ENTER","body":{"characterId":30001}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub portal_id: u32,
    #[serde(flatten)]
    pub kind: PortalCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum PortalCommandKind {
    Enter { character_id: u32 },
}

impl Produced for PortalCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_PORTAL";
    fn key(&self) -> u32 {
        self.portal_id
    }
}

/// COMMAND_TOPIC_EXPRESSION: flat, keyed by the character (spec 51 §4.10).
///
/// `{"characterId":30001,"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","expression":3}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpressionCommand {
    pub character_id: u32,
    #[serde(flatten)]
    pub field: FieldBlock,
    pub expression: u32,
}

impl Produced for ExpressionCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_EXPRESSION";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_CHARACTER_CHAT of a character, keyed by the speaker (spec 51 §4.11; a
/// pet's speech is `pet::PetChatCommand`).
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","actorId":30001,"message":"hello","type":"GENERAL","body":{"balloonOnly":false}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub actor_id: u32,
    pub message: String,
    #[serde(flatten)]
    pub kind: ChatKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum ChatKind {
    General {
        balloon_only: bool,
    },
    Buddy {
        recipients: Vec<u32>,
    },
    Party {
        recipients: Vec<u32>,
    },
    Guild {
        recipients: Vec<u32>,
    },
    Alliance {
        recipients: Vec<u32>,
    },
    Whisper {
        recipient_name: String,
    },
    /// The other members of the sender's messenger.
    Messenger {
        recipients: Vec<u32>,
    },
}

impl ChatKind {
    /// The multi-chat kinds by the client's `chatType` (0 buddy, 1 party, 2 guild, 3
    /// alliance); any other type is ignored.
    pub fn multi(chat_type: u8, recipients: Vec<u32>) -> Option<ChatKind> {
        Some(match chat_type {
            0 => ChatKind::Buddy { recipients },
            1 => ChatKind::Party { recipients },
            2 => ChatKind::Guild { recipients },
            3 => ChatKind::Alliance { recipients },
            _ => return None,
        })
    }
}

impl Produced for ChatCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CHARACTER_CHAT";
    fn key(&self) -> u32 {
        self.actor_id
    }
}

/// COMMAND_TOPIC_CHARACTER, keyed by the character (spec 51 §4.3).
///
/// `{"worldId":0,"characterId":30001,"type":"CHANGE_HP","body":{"channelId":1,"amount":-37}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacterCommand {
    pub world_id: u8,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: CharacterCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum CharacterCommandKind {
    RequestDistributeAp {
        distributions: Vec<Distribution>,
    },
    RequestDistributeSp {
        /// Misspelled on the wire, kept (spec 51 §4.3).
        #[serde(rename = "skilId")]
        skill_id: u32,
        amount: i8,
    },
    /// No instance in this body.
    RequestDropMeso {
        channel_id: u8,
        map_id: u32,
        amount: u32,
    },
    /// A signed delta.
    ChangeHp {
        channel_id: u8,
        amount: i16,
    },
    ChangeMp {
        channel_id: u8,
        amount: i16,
    },
}

/// One AP distribution: the ability and the points put into it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub ability: Ability,
    pub amount: i8,
}

/// The abilities AP goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Ability {
    Strength,
    Dexterity,
    Intelligence,
    Luck,
    Hp,
    Mp,
}

impl Ability {
    /// The ability of a client's AP flag; any other flag drops the whole request.
    pub fn of_flag(flag: u32) -> Option<Ability> {
        Some(match flag {
            0x40 => Ability::Strength,
            0x80 => Ability::Dexterity,
            0x100 => Ability::Intelligence,
            0x200 => Ability::Luck,
            0x800 => Ability::Hp,
            0x2000 => Ability::Mp,
            _ => return None,
        })
    }
}

impl Produced for CharacterCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CHARACTER";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_MONSTER `DAMAGE`, keyed by the monster (spec 51 §4.21).
///
/// `{"worldId":0,"channelId":1,"mapId":104040000,"instance":"00000000-0000-0000-0000-000000000000","monsterId":1000042,"type":"DAMAGE","body":{"characterId":30001,"damage":153}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonsterCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub monster_id: u32,
    #[serde(flatten)]
    pub kind: MonsterCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum MonsterCommandKind {
    Damage { character_id: u32, damage: u32 },
}

impl Produced for MonsterCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_MONSTER";
    fn key(&self) -> u32 {
        self.monster_id
    }
}

/// COMMAND_TOPIC_SKILL `SET_COOLDOWN`, keyed by the character (spec 51 §4.24).
///
/// `{"characterId":30001,"type":"SET_COOLDOWN","body":{"skillId":1121010,"cooldown":600}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillCommand {
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: SkillCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum SkillCommandKind {
    /// The effect's cooldown, passed through unchanged.
    SetCooldown { skill_id: u32, cooldown: u64 },
}

impl Produced for SkillCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_SKILL";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_CHARACTER_BUFF, keyed by the buff's target; the field is the caster's
/// (spec 51 §4.25).
///
/// `{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30002,"type":"APPLY","body":{"fromId":30001,"sourceId":1301007,"duration":60000,"changes":[{"type":"HYPER_BODY_HP","amount":60},{"type":"HYPER_BODY_MP","amount":60}]}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BuffCommand {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: BuffCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum BuffCommandKind {
    /// `duration` and `changes` are the skill effect's values.
    Apply { from_id: u32, source_id: u32, duration: i64, changes: Vec<StatUp> },
    /// A skill id, or a negated item id for an item buff.
    Cancel { source_id: i32 },
}

/// One temporary-stat change of a buff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatUp {
    #[serde(rename = "type")]
    pub kind: String,
    pub amount: i64,
}

impl Produced for BuffCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_CHARACTER_BUFF";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_SKILL_MACRO `UPDATE`: the whole list, keyed by the character (spec 51 §4.26).
///
/// `{"characterId":30001,"type":"UPDATE","body":{"macros":[{"id":0,"name":"Buffs","shout":true,"skillId1":1001003,"skillId2":1101006,"skillId3":0}]}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillMacroCommand {
    pub character_id: u32,
    #[serde(flatten)]
    pub kind: SkillMacroCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum SkillMacroCommandKind {
    Update { macros: Vec<SkillMacro> },
}

/// One macro; `id` is its 0-based position, `shout` is "not silent".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillMacro {
    pub id: u32,
    pub name: String,
    pub shout: bool,
    pub skill_id1: u32,
    pub skill_id2: u32,
    pub skill_id3: u32,
}

impl Produced for SkillMacroCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_SKILL_MACRO";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_COMPARTMENT of an item dragged in the inventory window, keyed by the
/// character (spec 51 §4.1; `MERGE` and `SORT` are `inventory::CompartmentCommand`).
///
/// `{"characterId":30001,"inventoryType":2,"type":"DROP","body":{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","source":3,"quantity":10,"x":-120,"y":215}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompartmentMoveCommand {
    pub character_id: u32,
    pub inventory_type: u8,
    #[serde(flatten)]
    pub kind: CompartmentMove,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompartmentMove {
    Equip(Slots),
    Unequip(Slots),
    Move(Slots),
    Drop(Dropped),
}

/// Where an item was and where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Slots {
    pub source: i16,
    pub destination: i16,
}

/// An item dropped on the ground at the character's stored position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropped {
    #[serde(flatten)]
    pub field: FieldBlock,
    pub source: i16,
    pub quantity: i16,
    pub x: i16,
    pub y: i16,
}

impl CompartmentMove {
    /// Spec 51 §4.1's classification of a drag, first match wins; `None` for a drop
    /// (which needs the character's position).
    pub fn of_drag(source: i16, destination: i16) -> Option<CompartmentMove> {
        let slots = Slots { source, destination };
        Some(if source < 0 && destination > 0 {
            CompartmentMove::Unequip(slots)
        } else if destination < 0 {
            CompartmentMove::Equip(slots)
        } else if destination == 0 {
            return None;
        } else {
            CompartmentMove::Move(slots)
        })
    }
}

impl Produced for CompartmentMoveCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_COMPARTMENT";
    fn key(&self) -> u32 {
        self.character_id
    }
}

/// COMMAND_TOPIC_MESSENGER, keyed by the acting character (spec 51 §4.16).
///
/// `{"actorId":30001,"type":"REQUEST_INVITE","body":{"characterId":30002}}`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessengerCommand {
    pub actor_id: u32,
    #[serde(flatten)]
    pub kind: MessengerCommandKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "body", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum MessengerCommandKind {
    Create(Empty),
    Leave { messenger_id: u32 },
    RequestInvite { character_id: u32 },
}

impl Produced for MessengerCommand {
    const TOPIC: &'static str = "COMMAND_TOPIC_MESSENGER";
    fn key(&self) -> u32 {
        self.actor_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use uuid::Uuid;

    fn field(map_id: u32) -> FieldBlock {
        FieldBlock { world_id: 0, channel_id: 1, map_id, instance: Uuid::nil() }
    }

    /// Serialises to the spec's example (object equality: field order aside).
    fn same<C: Produced>(command: &C, key: u32, example: &str) {
        let example: Value = serde_json::from_str(example).expect("the spec's example is JSON");
        assert_eq!(serde_json::to_value(command).expect("serialises"), example);
        assert_eq!(command.key(), key);
    }

    #[test]
    fn movement_portal_and_expression_match_spec_51() {
        let moved = Movement { field: field(100000000), object_id: 30001, observer_id: 30001, x: 412, y: 274, stance: 6 };
        same(
            &CharacterMovementCommand(moved.clone()),
            30001,
            r#"{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","objectId":30001,"observerId":30001,"x":412,"y":274,"stance":6}"#,
        );
        assert_eq!(CharacterMovementCommand::TOPIC, "COMMAND_TOPIC_CHARACTER_MOVEMENT");
        let monster = MonsterMovementCommand(Movement { object_id: 1000042, ..moved });
        assert_eq!((MonsterMovementCommand::TOPIC, monster.key()), ("COMMAND_TOPIC_MONSTER_MOVEMENT", 1000042));
        same(
            &PortalCommand { field: field(100000000), portal_id: 3, kind: PortalCommandKind::Enter { character_id: 30001 } },
            3,
            r#"{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","portalId":3,"type":"ENTER","body":{"characterId":30001}}"#,
        );
        same(
            &ExpressionCommand { character_id: 30001, field: field(100000000), expression: 3 },
            30001,
            r#"{"characterId":30001,"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","expression":3}"#,
        );
    }

    #[test]
    fn chat_matches_spec_51() {
        let chat = |message: &str, kind| ChatCommand { field: field(100000000), actor_id: 30001, message: message.into(), kind };
        same(
            &chat("hello", ChatKind::General { balloon_only: false }),
            30001,
            r#"{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","actorId":30001,"message":"hello","type":"GENERAL","body":{"balloonOnly":false}}"#,
        );
        same(
            &chat("brb", ChatKind::Whisper { recipient_name: "Alice".into() }),
            30001,
            r#"{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","actorId":30001,"message":"brb","type":"WHISPER","body":{"recipientName":"Alice"}}"#,
        );
        same(
            &chat("hi all", ChatKind::Messenger { recipients: vec![30002, 30007] }),
            30001,
            r#"{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","actorId":30001,"message":"hi all","type":"MESSENGER","body":{"recipients":[30002,30007]}}"#,
        );
        let kinds: Vec<Value> = (0..5)
            .filter_map(|t| ChatKind::multi(t, vec![]))
            .map(|kind| serde_json::to_value(chat("x", kind)).expect("serialises")["type"].clone())
            .collect();
        assert_eq!(kinds, [json!("BUDDY"), json!("PARTY"), json!("GUILD"), json!("ALLIANCE")]);
    }

    #[test]
    fn character_commands_match_spec_51() {
        let command = |kind| CharacterCommand { world_id: 0, character_id: 30001, kind };
        same(
            &command(CharacterCommandKind::RequestDistributeSp { skill_id: 1001004, amount: 1 }),
            30001,
            r#"{"worldId":0,"characterId":30001,"type":"REQUEST_DISTRIBUTE_SP","body":{"skilId":1001004,"amount":1}}"#,
        );
        same(
            &command(CharacterCommandKind::ChangeHp { channel_id: 1, amount: -37 }),
            30001,
            r#"{"worldId":0,"characterId":30001,"type":"CHANGE_HP","body":{"channelId":1,"amount":-37}}"#,
        );
        same(
            &command(CharacterCommandKind::ChangeMp { channel_id: 1, amount: 3 }),
            30001,
            r#"{"worldId":0,"characterId":30001,"type":"CHANGE_MP","body":{"channelId":1,"amount":3}}"#,
        );
        same(
            &command(CharacterCommandKind::RequestDropMeso { channel_id: 1, map_id: 100000000, amount: 500 }),
            30001,
            r#"{"worldId":0,"characterId":30001,"type":"REQUEST_DROP_MESO","body":{"channelId":1,"mapId":100000000,"amount":500}}"#,
        );
        let flags = [0x40, 0x80, 0x100, 0x200, 0x800, 0x2000];
        let distributions = flags.iter().filter_map(|f| Ability::of_flag(*f)).map(|ability| Distribution { ability, amount: 1 }).collect();
        same(
            &command(CharacterCommandKind::RequestDistributeAp { distributions }),
            30001,
            r#"{"worldId":0,"characterId":30001,"type":"REQUEST_DISTRIBUTE_AP","body":{"distributions":[
                {"ability":"STRENGTH","amount":1},{"ability":"DEXTERITY","amount":1},{"ability":"INTELLIGENCE","amount":1},
                {"ability":"LUCK","amount":1},{"ability":"HP","amount":1},{"ability":"MP","amount":1}]}}"#,
        );
        assert_eq!(Ability::of_flag(0x1), None);
    }

    #[test]
    fn combat_commands_match_spec_51() {
        same(
            &MonsterCommand {
                field: field(104040000),
                monster_id: 1000042,
                kind: MonsterCommandKind::Damage { character_id: 30001, damage: 153 },
            },
            1000042,
            r#"{"worldId":0,"channelId":1,"mapId":104040000,"instance":"00000000-0000-0000-0000-000000000000","monsterId":1000042,"type":"DAMAGE","body":{"characterId":30001,"damage":153}}"#,
        );
        same(
            &SkillCommand { character_id: 30001, kind: SkillCommandKind::SetCooldown { skill_id: 1121010, cooldown: 600 } },
            30001,
            r#"{"characterId":30001,"type":"SET_COOLDOWN","body":{"skillId":1121010,"cooldown":600}}"#,
        );
        let changes = ["HYPER_BODY_HP", "HYPER_BODY_MP"].map(|kind| StatUp { kind: kind.into(), amount: 60 }).to_vec();
        same(
            &BuffCommand {
                field: field(100000000),
                character_id: 30002,
                kind: BuffCommandKind::Apply { from_id: 30001, source_id: 1301007, duration: 60000, changes },
            },
            30002,
            r#"{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30002,"type":"APPLY","body":{"fromId":30001,"sourceId":1301007,"duration":60000,"changes":[{"type":"HYPER_BODY_HP","amount":60},{"type":"HYPER_BODY_MP","amount":60}]}}"#,
        );
        same(
            &BuffCommand { field: field(100000000), character_id: 30001, kind: BuffCommandKind::Cancel { source_id: -2022003 } },
            30001,
            r#"{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30001,"type":"CANCEL","body":{"sourceId":-2022003}}"#,
        );
        let macros = vec![SkillMacro { id: 0, name: "Buffs".into(), shout: true, skill_id1: 1001003, skill_id2: 1101006, skill_id3: 0 }];
        same(
            &SkillMacroCommand { character_id: 30001, kind: SkillMacroCommandKind::Update { macros } },
            30001,
            r#"{"characterId":30001,"type":"UPDATE","body":{"macros":[{"id":0,"name":"Buffs","shout":true,"skillId1":1001003,"skillId2":1101006,"skillId3":0}]}}"#,
        );
    }

    #[test]
    fn inventory_drags_match_spec_51() {
        let drag = |inventory_type, kind| CompartmentMoveCommand { character_id: 30001, inventory_type, kind };
        let dropped = Dropped { field: field(100000000), source: 3, quantity: 10, x: -120, y: 215 };
        same(
            &drag(2, CompartmentMove::Drop(dropped)),
            30001,
            r#"{"characterId":30001,"inventoryType":2,"type":"DROP","body":{"worldId":0,"channelId":1,"mapId":100000000,"instance":"00000000-0000-0000-0000-000000000000","source":3,"quantity":10,"x":-120,"y":215}}"#,
        );
        let kind = |source, destination| {
            CompartmentMove::of_drag(source, destination).map(|m| serde_json::to_value(drag(1, m)).expect("serialises"))
        };
        assert_eq!(
            kind(-11, 4),
            Some(json!({"characterId": 30001, "inventoryType": 1, "type": "UNEQUIP", "body": {"source": -11, "destination": 4}}))
        );
        assert_eq!(kind(4, -11).map(|v| v["type"].clone()), Some(json!("EQUIP")));
        assert_eq!(kind(-11, -5).map(|v| v["type"].clone()), Some(json!("EQUIP")), "equip to equip is an equip");
        assert_eq!(kind(3, 5).map(|v| v["type"].clone()), Some(json!("MOVE")));
        assert_eq!(kind(3, 0), None, "a drop needs the position");
    }

    #[test]
    fn messenger_commands_match_spec_51() {
        same(
            &MessengerCommand { actor_id: 30001, kind: MessengerCommandKind::RequestInvite { character_id: 30002 } },
            30001,
            r#"{"actorId":30001,"type":"REQUEST_INVITE","body":{"characterId":30002}}"#,
        );
        same(
            &MessengerCommand { actor_id: 30001, kind: MessengerCommandKind::Create(Empty {}) },
            30001,
            r#"{"actorId":30001,"type":"CREATE","body":{}}"#,
        );
        same(
            &MessengerCommand { actor_id: 30001, kind: MessengerCommandKind::Leave { messenger_id: 7 } },
            30001,
            r#"{"actorId":30001,"type":"LEAVE","body":{"messengerId":7}}"#,
        );
    }
}
