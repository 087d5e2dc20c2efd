//! The frames a client and the server exchange, independent of the transport.
//!
//! Client frames are the game's client actions of spec 51, one per action, named after
//! the Go handler without its `Handle` suffix. Server frames are the updates of spec 50,
//! named after the Go writer; a frame is a JSON object whose `type` is that name.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One step of a movement path.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveElement {
    /// NORMAL, TELEPORT, START_FALL_DOWN, FLYING_BLOCK, JUMP or STAT_CHANGE.
    pub kind: String,
    #[serde(default)]
    pub x: i16,
    #[serde(default)]
    pub y: i16,
    #[serde(default)]
    pub stance: u8,
}

/// A movement path: where it starts and its elements.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Path {
    pub start_x: i16,
    pub start_y: i16,
    #[serde(default)]
    pub elements: Vec<MoveElement>,
}

impl Path {
    /// Final position and stance (spec 51 Q4, fixed): the last element that carries a
    /// position (a fall or jump carries none), and the last stance.
    pub fn summary(&self) -> (i16, i16, u8) {
        let mut at = (self.start_x, self.start_y, 0);
        for e in &self.elements {
            if matches!(e.kind.as_str(), "NORMAL" | "TELEPORT" | "FLYING_BLOCK") {
                (at.0, at.1) = (e.x, e.y);
            }
            if e.kind != "STAT_CHANGE" {
                at.2 = e.stance;
            }
        }
        at
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttackTarget {
    pub monster_id: u32,
    #[serde(default)]
    pub damages: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApEntry {
    pub flag: u32,
    pub value: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MacroFrame {
    pub name: String,
    #[serde(default)]
    pub silent: bool,
    #[serde(default)]
    pub skill_id1: u32,
    #[serde(default)]
    pub skill_id2: u32,
    #[serde(default)]
    pub skill_id3: u32,
}

/// What a client sends (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum ClientFrame {
    /// Keeps the session alive; answered with `Pong`.
    Ping,
    CharacterLoggedIn {
        character_id: u32,
    },
    CharacterMove {
        path: Path,
    },
    MonsterMovement {
        unique_id: u32,
        path: Path,
    },
    /// Walking into a portal or touching a scripted one.
    MapChange {
        portal_name: String,
    },
    CharacterChatGeneral {
        message: String,
        #[serde(default)]
        balloon_only: bool,
    },
    /// 0 buddy, 1 party, 2 guild, 3 alliance.
    CharacterChatMulti {
        chat_type: u8,
        recipients: Vec<u32>,
        message: String,
    },
    CharacterChatWhisper {
        target_name: String,
        message: String,
    },
    CharacterExpression {
        emote: u32,
    },
    /// Melee, ranged, magic or touch attack; `skillId` 0 for a plain attack.
    CharacterAttack {
        #[serde(default)]
        skill_id: u32,
        #[serde(default)]
        targets: Vec<AttackTarget>,
    },
    CharacterUseSkill {
        skill_id: u32,
        level: u8,
        #[serde(default)]
        affected_members: u8,
    },
    CharacterBuffCancel {
        skill_id: i32,
    },
    CharacterDamage {
        damage: i32,
    },
    CharacterHealOverTime {
        #[serde(default)]
        hp: i16,
        #[serde(default)]
        mp: i16,
    },
    CharacterDistributeAp {
        flag: u32,
    },
    CharacterAutoDistributeAp {
        entries: Vec<ApEntry>,
    },
    CharacterDistributeSp {
        skill_id: u32,
    },
    CharacterSkillMacro {
        macros: Vec<MacroFrame>,
    },
    CharacterItemUse {
        slot: i16,
        item_id: u32,
    },
    CharacterInventoryMove {
        inventory_type: u8,
        source: i16,
        destination: i16,
        #[serde(default)]
        count: i16,
    },
    CharacterDropMeso {
        amount: u32,
    },
    DropPickUp {
        drop_id: u32,
        x: i16,
        y: i16,
    },
    /// Opens a new messenger (`messengerId` 0) or accepts an invitation to one.
    MessengerAnswerInvite {
        messenger_id: u32,
    },
    MessengerClose,
    MessengerInvite {
        name: String,
    },
    MessengerDeclineInvite {
        from_name: String,
    },
    MessengerChat {
        message: String,
    },
    /// The second wave's actions (NPCs, quests, …), held by their feature modules.
    #[serde(untagged)]
    Play(super::actions::Action),
    /// The last wave's actions (guilds, …).
    #[serde(untagged)]
    Later(super::last_wave::Action),
}

impl ClientFrame {
    /// Frames a session may send before its character is logged in.
    pub fn before_login(&self) -> bool {
        matches!(self, ClientFrame::Ping | ClientFrame::CharacterLoggedIn { .. })
    }
}

/// A server frame: the writer's name and its data.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame(Map<String, Value>);

impl Frame {
    /// `data` must be a JSON object; `type` is the writer's name.
    pub fn new(writer: &str, data: Value) -> Frame {
        let mut map = match data {
            Value::Object(fields) => fields,
            _ => Map::new(),
        };
        map.insert("type".into(), Value::String(writer.into()));
        Frame(map)
    }

    pub fn writer(&self) -> &str {
        self.0.get("type").and_then(Value::as_str).unwrap_or_default()
    }

    /// A field of the frame's data.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    pub fn text(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

/// The "unlock the client" update: a stat change with no stats.
pub fn enable_actions() -> Frame {
    let unlock = crate::contracts::channel::pushes::StatsChanged { updates: Default::default(), excl_request_sent: true };
    super::updates::push(&unlock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_decode_by_type() {
        let frame: ClientFrame = serde_json::from_str(r#"{"type":"CharacterLoggedIn","characterId":30001}"#).expect("login frame");
        assert_eq!(frame, ClientFrame::CharacterLoggedIn { character_id: 30001 });
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"Fly"}"#).is_err());
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"CharacterLoggedIn","characterId":-1}"#).is_err());
    }

    #[test]
    fn movement_summary_follows_the_last_positioned_element() {
        let path: Path = serde_json::from_value(serde_json::json!({"startX": 1, "startY": 2, "elements": [
            {"kind": "NORMAL", "x": 10, "y": 20, "stance": 4},
            {"kind": "TELEPORT", "x": 30, "y": 40, "stance": 6},
            {"kind": "JUMP", "stance": 7}
        ]}))
        .expect("path");
        assert_eq!(path.summary(), (30, 40, 7));
        let empty = Path { start_x: 5, start_y: 6, elements: Vec::new() };
        assert_eq!(empty.summary(), (5, 6, 0));
    }

    #[test]
    fn frames_start_with_their_writer() {
        let frame = Frame::new("CharacterExpression", serde_json::json!({"characterId": 1, "expression": 3}));
        assert_eq!(frame.writer(), "CharacterExpression");
        let text: Value = serde_json::from_str(&frame.text()).expect("json");
        assert_eq!(text, serde_json::json!({"type": "CharacterExpression", "characterId": 1, "expression": 3}));
    }
}
