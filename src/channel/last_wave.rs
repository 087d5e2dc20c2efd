//! Client actions and records of the last wave (spec 51 §7 "Later", spec 50 P3): one enum
//! of actions and one of records over the feature modules (`guild_window`, `notes`, `cash_shop`, `chalkboards`,
//! `gachapon`, `transports`), what the actions
//! need looked up, their translation and the records' delivery. `commands` and `events`
//! hand these frames and topics here.

use super::commands::{Context as Session, Outcome};
use super::deliver::Recipients;
use super::events::ChannelEvent;
use super::sessions::Session as Connected;
use super::{cash_shop, chalkboards, gachapon, guild_window, notes, transports, Edge};
use crate::contracts::decode::{Decoded, Reject};
use serde::Deserialize;
use serde_json::Value;

/// A client action of the last wave, told apart by its `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Action {
    Guild(guild_window::Action),
    Note(notes::Action),
    CashShop(cash_shop::Action),
    Chalkboard(chalkboards::Action),
}

/// What these actions need from other services.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub guild: guild_window::Found,
    pub notes: notes::Found,
    pub cash: cash_shop::Found,
    /// Whether the cash slot named holds the chalkboard item named.
    pub chalkboard_held: bool,
}

/// Reads what `action` needs.
pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> Context {
    match action {
        Action::Guild(action) => guild_window::resolve(edge, session, ctx, action).await,
        Action::Note(action) => notes::resolve(edge, session, ctx, action).await,
        Action::CashShop(action) => cash_shop::resolve(action),
        Action::Chalkboard(action) => chalkboards::resolve(edge, session, ctx, action).await,
    }
}

/// Turns an action into its commands and frames.
pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    match action {
        Action::Guild(action) => guild_window::translate(action, ctx),
        Action::Note(action) => notes::translate(action, ctx),
        Action::CashShop(action) => cash_shop::translate(action, ctx),
        Action::Chalkboard(action) => chalkboards::translate(action, ctx),
    }
}

/// A record of the last wave the edge pushes.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Guild(guild_window::Update),
    CashShop(cash_shop::Update),
    Gachapon(crate::contracts::channel::gachapon::RewardWon),
    Transport(transports::Update),
}

impl Update {
    /// What the record is about (records of one subject keep their order).
    pub fn subject(&self) -> u32 {
        match self {
            Update::Guild(u) => u.subject(),
            Update::CashShop(u) => u.character,
            Update::Gachapon(won) => won.character_id,
            Update::Transport(u) => u.subject(),
        }
    }
}

/// Decodes a record of a last-wave topic; `None` for other topics.
pub fn decode(topic: &str, value: &Value) -> Option<Result<Decoded<ChannelEvent>, Reject>> {
    let decoded = match topic {
        "EVENT_TOPIC_GUILD_THREAD_STATUS" => lift(guild_window::decode_thread(value), Update::Guild),
        "EVENT_TOPIC_CASH_SHOP_STATUS" => lift(cash_shop::decode_shop(value), Update::CashShop),
        "EVENT_TOPIC_CASH_COMPARTMENT_STATUS" => lift(cash_shop::decode_compartment(value), Update::CashShop),
        "EVENT_TOPIC_GACHAPON_REWARD_WON" => lift(gachapon::decode(value), Update::Gachapon),
        "EVENT_TOPIC_TRANSPORT_STATUS" => lift(transports::decode_route(value), Update::Transport),
        "EVENT_TOPIC_INSTANCE_TRANSPORT" => lift(transports::decode_transit(value), Update::Transport),
        _ => return None,
    };
    Some(decoded)
}

fn lift<U>(decoded: Result<Decoded<U>, Reject>, wrap: fn(U) -> Update) -> Result<Decoded<ChannelEvent>, Reject> {
    Ok(match decoded? {
        Decoded::Message(update) => Decoded::Message(ChannelEvent::Later(wrap(update))),
        Decoded::Unhandled(kind) => Decoded::Unhandled(kind),
    })
}

/// Pushes a last-wave record to the sessions it concerns.
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    match update {
        Update::Guild(update) => guild_window::deliver(to, update).await,
        Update::CashShop(update) => cash_shop::deliver(to, update).await,
        Update::Gachapon(won) => gachapon::deliver(to, won).await,
        Update::Transport(update) => transports::deliver(to, update).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::commands::translate;
    use crate::channel::events;
    use crate::channel::frames::ClientFrame;
    use crate::channel::sessions::Field;
    use crate::contracts::channel::guild_window::{Guild, Member};
    use serde_json::json;
    use uuid::Uuid;

    fn ctx(later: Context) -> Session {
        Session {
            character: 30001,
            account: 12,
            field: Field { world: 0, channel: 1, map: 200000301, instance: Uuid::nil() },
            later,
            ..Session::default()
        }
    }

    /// A guild 9 whose master is 30001, with 30002 a junior master and 30003 a member.
    fn guild_of(c: u32) -> Session {
        let member = |id: u32, title: u8| Member { character_id: id, title, online: true, ..Member::default() };
        let guild = Guild { leader_id: 30001, members: vec![member(30001, 1), member(30002, 2), member(30003, 3)], ..Guild::default() };
        let mut session =
            ctx(Context { guild: guild_window::Found { guild: Some((9, guild)), ..guild_window::Found::default() }, ..Context::default() });
        session.character = c;
        session
    }

    /// Spec 51 §4.34's example transaction: key 0x0b7f2c9e, written `9e 2c 7f 0b 00 00 00 00`.
    const TRANSACTION: &str = "0b7f2c9e-6a11-4b1e-9c55-2d0f3e4a5b6c";

    fn locker() -> Session {
        let at = chrono::DateTime::parse_from_rfc3339("2025-05-01T10:11:12.123456789Z").expect("time").with_timezone(&chrono::Utc);
        let cash = cash_shop::Found { transaction: TRANSACTION.parse().expect("uuid"), at };
        ctx(Context { cash, ..Context::default() })
    }

    fn noting(edit: impl FnOnce(&mut notes::Found)) -> Session {
        let mut session = ctx(Context::default());
        edit(&mut session.later.notes);
        session
    }

    fn with(mut session: Session, edit: impl FnOnce(&mut guild_window::Found)) -> Session {
        edit(&mut session.later.guild);
        session
    }

    /// The commands expected (topic, key, value), or `None`: the session ends.
    type Expected = Option<Vec<(&'static str, u32, Value)>>;

    /// Every last-wave client action against spec 51's examples: topic, key, value; `None`:
    /// the session ends.
    #[test]
    fn last_wave_actions_produce_the_commands_of_spec_51() {
        let nil = "00000000-0000-0000-0000-000000000000";
        let table: Vec<(Session, Value, Expected)> = vec![
            (
                ctx(Context::default()),
                json!({"type": "GuildOperation", "operation": "REQUEST_CREATE", "name": "Maplers"}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_CREATE",
                    "body": {"worldId": 0, "channelId": 1, "mapId": 200000301, "instance": nil, "name": "Maplers"}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "GuildOperation", "operation": "AGREEMENT_RESPONSE", "agreed": true}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30001,
                    json!({"characterId": 30001, "type": "CREATION_AGREEMENT", "body": {"agreed": true}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "GuildOperation", "operation": "JOIN", "guildId": 9, "characterId": 30001}),
                Some(vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "GUILD", "type": "ACCEPT", "body": {"targetId": 30001, "referenceId": 9}}),
                )]),
            ),
            (ctx(Context::default()), json!({"type": "GuildOperation", "operation": "JOIN", "guildId": 9, "characterId": 30002}), None),
            (
                guild_of(30001),
                json!({"type": "GuildOperation", "operation": "SET_EMBLEM", "logo": 1001, "logoColor": 2, "logoBackground": 1003, "logoBackgroundColor": 4}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30001,
                    json!({"characterId": 30001, "type": "CHANGE_EMBLEM",
                    "body": {"guildId": 9, "logo": 1001, "logoColor": 2, "logoBackground": 1003, "logoBackgroundColor": 4}}),
                )]),
            ),
            (
                guild_of(30002),
                json!({"type": "GuildOperation", "operation": "SET_EMBLEM", "logo": 1, "logoColor": 1, "logoBackground": 1, "logoBackgroundColor": 1}),
                None,
            ),
            (
                guild_of(30002),
                json!({"type": "GuildOperation", "operation": "SET_NOTICE", "notice": "Hunt at 8"}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30002,
                    json!({"characterId": 30002, "type": "CHANGE_NOTICE", "body": {"guildId": 9, "notice": "Hunt at 8"}}),
                )]),
            ),
            (guild_of(30003), json!({"type": "GuildOperation", "operation": "SET_NOTICE", "notice": "x"}), None),
            (guild_of(30001), json!({"type": "GuildOperation", "operation": "SET_NOTICE", "notice": "n".repeat(101)}), None),
            (
                with(guild_of(30003), |f| f.own_name = Some("Cato".into())),
                json!({"type": "GuildOperation", "operation": "WITHDRAW", "characterId": 30003, "name": "Cato"}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30003,
                    json!({"characterId": 30003, "type": "LEAVE", "body": {"guildId": 9, "force": false}}),
                )]),
            ),
            (
                with(guild_of(30003), |f| f.own_name = Some("Cato".into())),
                json!({"type": "GuildOperation", "operation": "WITHDRAW", "characterId": 30003, "name": "Other"}),
                None,
            ),
            (
                with(ctx(Context::default()), |f| f.own_name = Some("Cato".into())),
                json!({"type": "GuildOperation", "operation": "WITHDRAW", "characterId": 30001, "name": "Cato"}),
                None,
            ),
            (
                guild_of(30002),
                json!({"type": "GuildOperation", "operation": "KICK", "characterId": 30005, "name": "Eve"}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30005,
                    json!({"characterId": 30005, "type": "LEAVE", "body": {"guildId": 9, "force": true}}),
                )]),
            ),
            (guild_of(30003), json!({"type": "GuildOperation", "operation": "KICK", "characterId": 30002, "name": "Bo"}), None),
            (
                with(guild_of(30001), |f| f.named = Some(30007)),
                json!({"type": "GuildOperation", "operation": "INVITE", "name": "Gwen"}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_INVITE", "body": {"guildId": 9, "targetId": 30007}}),
                )]),
            ),
            (guild_of(30001), json!({"type": "GuildOperation", "operation": "INVITE", "name": "Nobody"}), Some(vec![])),
            (
                with(guild_of(30003), |f| f.named = Some(30007)),
                json!({"type": "GuildOperation", "operation": "INVITE", "name": "Gwen"}),
                None,
            ),
            (
                guild_of(30001),
                json!({"type": "GuildOperation", "operation": "SET_TITLE_NAMES", "titles": ["Master", "Jr", "A", "B", "C"]}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30001,
                    json!({"characterId": 30001, "type": "CHANGE_TITLES", "body": {"guildId": 9, "titles": ["Master", "Jr", "A", "B", "C"]}}),
                )]),
            ),
            (
                guild_of(30001),
                json!({"type": "GuildOperation", "operation": "SET_TITLE_NAMES", "titles": ["Master", "Jr", "A", "B", "C", "D"]}),
                None,
            ),
            (guild_of(30002), json!({"type": "GuildOperation", "operation": "SET_TITLE_NAMES", "titles": ["a", "b", "c", "d", "e"]}), None),
            (
                guild_of(30001),
                json!({"type": "GuildOperation", "operation": "SET_MEMBER_TITLE", "targetId": 30003, "title": 2}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30001,
                    json!({"characterId": 30001, "type": "CHANGE_MEMBER_TITLE", "body": {"guildId": 9, "targetId": 30003, "title": 2}}),
                )]),
            ),
            (
                guild_of(30002),
                json!({"type": "GuildOperation", "operation": "SET_MEMBER_TITLE", "targetId": 30003, "title": 4}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD",
                    30002,
                    json!({"characterId": 30002, "type": "CHANGE_MEMBER_TITLE", "body": {"guildId": 9, "targetId": 30003, "title": 4}}),
                )]),
            ),
            (guild_of(30002), json!({"type": "GuildOperation", "operation": "SET_MEMBER_TITLE", "targetId": 30003, "title": 2}), None),
            (guild_of(30001), json!({"type": "GuildOperation", "operation": "SET_MEMBER_TITLE", "targetId": 30003, "title": 1}), None),
            (
                with(ctx(Context::default()), |f| f.named = Some(30001)),
                json!({"type": "GuildInviteReject", "fromName": "Ada"}),
                Some(vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "GUILD", "type": "REJECT", "body": {"targetId": 30001, "originatorId": 30001}}),
                )]),
            ),
            (ctx(Context::default()), json!({"type": "GuildInviteReject", "fromName": "Nobody"}), Some(vec![])),
            (
                guild_of(30002),
                json!({"type": "GuildBBS", "operation": "CREATE_OR_EDIT_THREAD", "modify": false, "notice": false, "title": "Raid", "message": "Sat 8pm", "emoticonId": 1}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD_THREAD",
                    9,
                    json!({"guildId": 9, "characterId": 30002, "type": "CREATE",
                    "body": {"notice": false, "title": "Raid", "message": "Sat 8pm", "emoticonId": 1}}),
                )]),
            ),
            (
                guild_of(30002),
                json!({"type": "GuildBBS", "operation": "CREATE_OR_EDIT_THREAD", "modify": true, "threadId": 4, "notice": true, "title": "Raid", "message": "Sun", "emoticonId": 0}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD_THREAD",
                    9,
                    json!({"guildId": 9, "characterId": 30002, "type": "UPDATE",
                    "body": {"threadId": 4, "notice": true, "title": "Raid", "message": "Sun", "emoticonId": 0}}),
                )]),
            ),
            (
                guild_of(30002),
                json!({"type": "GuildBBS", "operation": "DELETE_THREAD", "threadId": 4}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD_THREAD",
                    9,
                    json!({"guildId": 9, "characterId": 30002, "type": "DELETE", "body": {"threadId": 4}}),
                )]),
            ),
            (
                guild_of(30001),
                json!({"type": "GuildBBS", "operation": "REPLY_THREAD", "threadId": 4, "message": "count me in"}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD_THREAD",
                    9,
                    json!({"guildId": 9, "characterId": 30001, "type": "ADD_REPLY", "body": {"threadId": 4, "message": "count me in"}}),
                )]),
            ),
            (
                guild_of(30001),
                json!({"type": "GuildBBS", "operation": "DELETE_REPLY", "threadId": 4, "replyId": 9}),
                Some(vec![(
                    "COMMAND_TOPIC_GUILD_THREAD",
                    9,
                    json!({"guildId": 9, "characterId": 30001, "type": "DELETE_REPLY", "body": {"threadId": 4, "replyId": 9}}),
                )]),
            ),
            (guild_of(30001), json!({"type": "GuildBBS", "operation": "LIST_THREADS"}), Some(vec![])),
            (ctx(Context::default()), json!({"type": "GuildBBS", "operation": "REPLY_THREAD", "threadId": 4, "message": "hi"}), None),
            (
                noting(|f| f.receiver = Some(30002)),
                json!({"type": "NoteOperation", "operation": "SEND", "toName": "Bo", "message": "see you at 8"}),
                Some(vec![(
                    "COMMAND_TOPIC_NOTE",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "characterId": 30002, "type": "CREATE",
                    "body": {"senderId": 30001, "message": "see you at 8", "flag": 1}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "NoteOperation", "operation": "SEND", "toName": "Nobody", "message": "x"}),
                Some(vec![]),
            ),
            (
                noting(|f| f.discard_valid = true),
                json!({"type": "NoteOperation", "operation": "DISCARD", "notes": [{"noteId": 501, "flag": 0}, {"noteId": 502, "flag": 1}]}),
                Some(vec![(
                    "COMMAND_TOPIC_NOTE",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "characterId": 30001, "type": "DISCARD", "body": {"noteIds": [501, 502]}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "NoteOperation", "operation": "DISCARD", "notes": [{"noteId": 501, "flag": 0}]}),
                None,
            ),
            (ctx(Context::default()), json!({"type": "NoteOperation", "operation": "DISCARD", "notes": []}), Some(vec![])),
            (ctx(Context::default()), json!({"type": "NoteOperation", "operation": "REQUEST"}), Some(vec![])),
            (
                ctx(Context::default()),
                json!({"type": "CashShopOperation", "operation": "BUY", "currency": 1, "serialNumber": 20000123}),
                Some(vec![(
                    "COMMAND_TOPIC_CASH_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_PURCHASE", "body": {"currency": 1, "serialNumber": 20000123}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "CashShopOperation", "operation": "INCREASE_INVENTORY", "currency": 2, "byItem": false, "inventoryType": 4}),
                Some(vec![(
                    "COMMAND_TOPIC_CASH_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_INVENTORY_INCREASE_BY_TYPE", "body": {"currency": 2, "inventoryType": 4}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "CashShopOperation", "operation": "INCREASE_INVENTORY", "currency": 2, "byItem": true, "serialNumber": 50200018}),
                Some(vec![(
                    "COMMAND_TOPIC_CASH_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_INVENTORY_INCREASE_BY_ITEM", "body": {"currency": 2, "serialNumber": 50200018}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "CashShopOperation", "operation": "INCREASE_STORAGE", "currency": 1}),
                Some(vec![(
                    "COMMAND_TOPIC_CASH_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_STORAGE_INCREASE", "body": {"currency": 1}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "CashShopOperation", "operation": "INCREASE_STORAGE", "currency": 1, "byItem": true, "serialNumber": 50200020}),
                Some(vec![(
                    "COMMAND_TOPIC_CASH_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_STORAGE_INCREASE_BY_ITEM", "body": {"currency": 1, "serialNumber": 50200020}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "CashShopOperation", "operation": "INCREASE_CHARACTER_SLOT", "currency": 1, "serialNumber": 50200030}),
                Some(vec![(
                    "COMMAND_TOPIC_CASH_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "REQUEST_CHARACTER_SLOT_INCREASE_BY_ITEM", "body": {"currency": 1, "serialNumber": 50200030}}),
                )]),
            ),
            (
                locker(),
                json!({"type": "CashShopOperation", "operation": "MOVE_FROM_CASH_INVENTORY", "serialNumber": 7000000123u64, "inventoryType": 5, "slot": 3}),
                Some(vec![(
                    "COMMAND_TOPIC_SAGA",
                    0x0b7f_2c9e,
                    json!({"transactionId": TRANSACTION, "sagaType": "cash_shop_operation", "initiatedBy": "CASH_SHOP",
                    "steps": [{"stepId": "withdraw_from_cash_shop", "status": "pending", "action": "withdraw_from_cash_shop",
                        "payload": {"transactionId": TRANSACTION, "characterId": 30001, "accountId": 12, "cashId": 7000000123u64, "compartmentType": 1, "inventoryType": 5},
                        "createdAt": "2025-05-01T10:11:12.123456789Z", "updatedAt": "2025-05-01T10:11:12.123456789Z"}]}),
                )]),
            ),
            (
                locker(),
                json!({"type": "CashShopOperation", "operation": "MOVE_TO_CASH_INVENTORY", "serialNumber": 7000000123u64, "inventoryType": 5}),
                Some(vec![(
                    "COMMAND_TOPIC_SAGA",
                    0x0b7f_2c9e,
                    json!({"transactionId": TRANSACTION, "sagaType": "cash_shop_operation", "initiatedBy": "CASH_SHOP",
                    "steps": [{"stepId": "transfer_to_cash_shop", "status": "pending", "action": "transfer_to_cash_shop",
                        "payload": {"transactionId": TRANSACTION, "characterId": 30001, "accountId": 12, "cashId": 7000000123u64, "sourceInventoryType": 5, "compartmentType": 1},
                        "createdAt": "2025-05-01T10:11:12.123456789Z", "updatedAt": "2025-05-01T10:11:12.123456789Z"}]}),
                )]),
            ),
            (ctx(Context::default()), json!({"type": "CashShopOperation", "operation": "GIFT"}), Some(vec![])),
            (
                ctx(Context { chalkboard_held: true, ..Context::default() }),
                json!({"type": "CharacterCashItemUse", "slot": 4, "itemId": 5370000, "message": "Selling stuff"}),
                Some(vec![(
                    "COMMAND_TOPIC_CHALKBOARD",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 200000301, "instance": nil, "characterId": 30001,
                    "type": "SET", "body": {"message": "Selling stuff"}}),
                )]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "CharacterCashItemUse", "slot": 4, "itemId": 5370000, "message": "Selling stuff"}),
                Some(vec![]),
            ),
            (
                ctx(Context { chalkboard_held: true, ..Context::default() }),
                json!({"type": "CharacterCashItemUse", "slot": 4, "itemId": 5072000, "message": "Megaphone"}),
                Some(vec![]),
            ),
            (
                ctx(Context::default()),
                json!({"type": "ChalkboardClose"}),
                Some(vec![(
                    "COMMAND_TOPIC_CHALKBOARD",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 200000301, "instance": nil, "characterId": 30001,
                    "type": "CLEAR", "body": {}}),
                )]),
            ),
        ];
        for (session, frame, expected) in table {
            let parsed: ClientFrame = serde_json::from_value(frame.clone()).unwrap_or_else(|e| panic!("{frame}: {e}"));
            let outcome = translate(&parsed, &session);
            match expected {
                None => assert!(outcome.destroy && outcome.commands.is_empty(), "{frame} ends the session: {outcome:?}"),
                Some(expected) => {
                    assert!(!outcome.destroy, "{frame}");
                    let produced: Vec<(&str, u32, Value)> = outcome.commands.into_iter().map(|c| (c.topic, c.key, c.value)).collect();
                    assert_eq!(produced, expected, "{frame}");
                }
            }
        }
        for bad in [
            json!({"type": "GuildOperation", "operation": "DANCE"}),
            json!({"type": "GuildOperation", "operation": "SET_MEMBER_TITLE", "targetId": 1, "title": 300}),
            json!({"type": "GuildBBS", "operation": "REPLY_THREAD", "threadId": -4, "message": "x"}),
            json!({"type": "GuildInviteReject"}),
            json!({"type": "NoteOperation", "operation": "SEND", "toName": "Bo"}),
            json!({"type": "CashShopOperation", "operation": "BUY", "currency": 1}),
            json!({"type": "CharacterCashItemUse", "slot": 4}),
            json!({"type": "CashShopOperation", "operation": "MOVE_TO_CASH_INVENTORY", "serialNumber": -1, "inventoryType": 5}),
            json!({"type": "NoteOperation", "operation": "DISCARD", "notes": [{"noteId": 1, "flag": 256}]}),
        ] {
            assert!(serde_json::from_value::<ClientFrame>(bad.clone()).is_err(), "{bad}");
        }
    }

    fn decoded(topic: &str, value: Value) -> Result<Decoded<ChannelEvent>, Reject> {
        events::decode(topic, value.to_string().as_bytes())
    }

    #[test]
    fn last_wave_records_decode_or_are_refused() {
        for (topic, good) in [
            (
                "EVENT_TOPIC_GUILD_THREAD_STATUS",
                json!({"worldId": 0, "guildId": 12, "actorId": 30001, "threadId": 3, "type": "REPLY_ADDED", "body": {"replyId": 9}}),
            ),
            (
                "EVENT_TOPIC_CASH_SHOP_STATUS",
                json!({"worldId": 0, "characterId": 30001, "type": "PURCHASE", "body": {"templateId": 5000000, "price": 4900,
                "compartmentId": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b", "assetId": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "itemId": 5000000}}),
            ),
            ("EVENT_TOPIC_CASH_SHOP_STATUS", json!({"characterId": 30001, "type": "ERROR", "body": {"error": "NOT_ENOUGH_CASH"}})),
            (
                "EVENT_TOPIC_GACHAPON_REWARD_WON",
                json!({"characterId": 30001, "worldId": 0, "itemId": 1302020, "quantity": 1, "tier": "rare",
                "gachaponId": "henesys", "gachaponName": "Henesys", "assetId": 88020}),
            ),
            (
                "EVENT_TOPIC_TRANSPORT_STATUS",
                json!({"routeId": "c0ffee00-1234-4abc-8def-0123456789ab", "type": "DEPARTED", "body": {"mapId": 101000300}}),
            ),
            (
                "EVENT_TOPIC_INSTANCE_TRANSPORT",
                json!({"transactionId": "6f708192-a3b4-4c5d-8e6f-708192a3b4c5", "worldId": 0, "characterId": 30001, "type": "TRANSIT_ENTERED",
                "body": {"routeId": "c0ffee00-1234-4abc-8def-0123456789ab", "instanceId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "channelId": 1, "durationSeconds": 60, "message": "The ship is sailing to Orbis."}}),
            ),
            (
                "EVENT_TOPIC_CASH_COMPARTMENT_STATUS",
                json!({"accountId": 1001, "characterId": 30001, "compartmentId": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b",
                "compartmentType": 1, "type": "RELEASED", "body": {"transactionId": "5e6f7081-92a3-4b4c-8d5e-6f708192a3b4", "assetId": 88010, "cashId": 7000000123u64, "templateId": 5000000}}),
            ),
        ] {
            assert!(matches!(decoded(topic, good.clone()), Ok(Decoded::Message(ChannelEvent::Later(_)))), "{topic} {good}");
        }
        for (topic, skipped) in [
            ("EVENT_TOPIC_GUILD_THREAD_STATUS", json!({"guildId": 12, "type": "DELETED", "body": {}})),
            (
                "EVENT_TOPIC_CASH_SHOP_STATUS",
                json!({"characterId": 0, "type": "CHARACTER_ENTER", "body": {"characterId": 30001, "channelId": 1, "mapId": 100000000}}),
            ),
        ] {
            assert!(matches!(decoded(topic, skipped.clone()), Ok(Decoded::Unhandled(_))), "{topic} {skipped}");
        }
        for (topic, bad) in [
            ("EVENT_TOPIC_GUILD_THREAD_STATUS", json!({"type": "REPLY_ADDED", "body": {"replyId": "9"}})),
            ("EVENT_TOPIC_CASH_SHOP_STATUS", json!({"type": "PURCHASE", "body": {"assetId": 88010}})),
            ("EVENT_TOPIC_GACHAPON_REWARD_WON", json!({"characterId": 30001, "worldId": 256})),
            ("EVENT_TOPIC_GACHAPON_REWARD_WON", json!({"gachaponName": 5})),
            ("EVENT_TOPIC_TRANSPORT_STATUS", json!({"type": "ARRIVED", "body": {"mapId": -1}})),
            ("EVENT_TOPIC_TRANSPORT_STATUS", json!({"routeId": "boat", "type": "ARRIVED"})),
            ("EVENT_TOPIC_INSTANCE_TRANSPORT", json!({"type": "TRANSIT_ENTERED", "body": {"instanceId": 7}})),
            ("EVENT_TOPIC_INSTANCE_TRANSPORT", json!({"type": "TRANSIT_ENTERED", "body": {"durationSeconds": -60}})),
            ("EVENT_TOPIC_CASH_SHOP_STATUS", json!({"type": "INVENTORY_CAPACITY_INCREASED", "body": {"inventoryType": 256}})),
            ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", json!({"type": "ACCEPTED", "body": {"assetId": 88010}})),
            ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", json!({"compartmentId": "x", "type": "RELEASED"})),
            ("EVENT_TOPIC_CASH_COMPARTMENT_STATUS", json!({"type": "RELEASED", "body": {"cashId": "7000000123"}})),
        ] {
            assert!(decoded(topic, bad.clone()).is_err(), "{topic} {bad}");
        }
    }
}
