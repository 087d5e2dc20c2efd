//! Pushes of the channel's first wave (spec 50, spec 51 §7 "First version") that answer a
//! client's own action or keep its connection alive: another character's movement, the
//! messenger's "invite sent" and the server's keep-alive.

use super::Push;
use serde::Serialize;

/// `CharacterMovement`: a character's path, for the others in its map. The path is the
/// client's own, relayed as the client sent it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CharacterMovement<P: Serialize> {
    pub character_id: u32,
    pub path: P,
}

impl<P: Serialize> Push for CharacterMovement<P> {
    const WRITER: &'static str = "CharacterMovement";
}

/// `MessengerOperation` `INVITE_SENT`: whether the name invited was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "operation", rename = "INVITE_SENT")]
pub struct MessengerInviteSent {
    pub name: String,
    pub success: bool,
}

impl Push for MessengerInviteSent {
    const WRITER: &'static str = "MessengerOperation";
}

/// `Ping`: the server's keep-alive, written `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ping {}

impl Push for Ping {
    const WRITER: &'static str = "Ping";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pushes_are_written_as_before() {
        let moved = CharacterMovement { character_id: 30001, path: json!({"startX": 0, "startY": 0, "elements": []}) };
        assert_eq!(
            serde_json::to_value(&moved).expect("serialises"),
            json!({"characterId": 30001, "path": {"startX": 0, "startY": 0, "elements": []}})
        );
        let sent = MessengerInviteSent { name: "Bob".into(), success: false };
        assert_eq!(serde_json::to_value(&sent).expect("serialises"), json!({"operation": "INVITE_SENT", "name": "Bob", "success": false}));
        assert_eq!(serde_json::to_value(Ping {}).expect("serialises"), json!({}));
    }
}
