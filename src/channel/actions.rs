//! Client actions of the second wave (spec 51 §7 "Second"): one enum over the feature
//! modules' actions, what they need looked up, and their translation into commands.
//! `commands` hands these frames here; each feature module holds its own frames.

use super::commands::{Context as Session, Outcome};
use super::sessions::Session as Connected;
use super::{buddies, fame, inventory, map_objects, migration, npc, party, pets, quests, storage, Command, Edge};
use crate::contracts::channel::{FieldBlock, Produced};
use serde::Deserialize;

/// A client action of the second wave, told apart by its `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Action {
    Npc(npc::Action),
    Quest(quests::Action),
    Party(party::Action),
    Buddy(buddies::Action),
    Migration(migration::Action),
    MapObject(map_objects::Action),
    Fame(fame::Action),
    Inventory(inventory::Action),
    Pet(pets::Action),
    Storage(storage::Action),
}

/// What these actions need from other services.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The template of the NPC object clicked, in the session's map.
    pub npc_template: Option<u32>,
    /// Whether that NPC keeps a shop.
    pub npc_has_shop: bool,
    /// Whether the quest acted on exists.
    pub quest_exists: bool,
    /// The sender's party.
    pub party: Option<u32>,
    /// The character a name in the action names.
    pub named: Option<u32>,
    /// Whether that character has a session on the sender's world and channel here.
    pub named_here: bool,
    /// What leaving the channel needs.
    pub migration: migration::Found,
    /// The acting character's pet an action names.
    pub pet: Option<pets::OwnPet>,
    /// A storage action's transaction and fee.
    pub storage: storage::Found,
}

/// Reads what `action` needs.
pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> Context {
    match action {
        Action::Npc(action) => npc::resolve(edge, session, ctx, action).await,
        Action::Quest(action) => quests::resolve(edge, session, action).await,
        Action::Party(action) => party::resolve(edge, session, ctx, action).await,
        Action::Buddy(action) => buddies::resolve(edge, session, action).await,
        Action::Migration(action) => migration::resolve(edge, session, ctx, action).await,
        Action::Pet(action) => pets::resolve(edge, session, ctx, action).await,
        Action::Storage(action) => storage::resolve(edge, session, action).await,
        Action::MapObject(_) | Action::Fame(_) | Action::Inventory(_) => Context::default(),
    }
}

/// Turns an action into its commands and frames.
pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    match action {
        Action::Npc(action) => npc::translate(action, ctx),
        Action::Quest(action) => quests::translate(action, ctx),
        Action::Party(action) => party::translate(action, ctx),
        Action::Buddy(action) => buddies::translate(action, ctx),
        Action::Migration(action) => migration::translate(action, ctx),
        Action::MapObject(action) => map_objects::translate(action, ctx),
        Action::Fame(action) => fame::translate(action, ctx),
        Action::Inventory(action) => inventory::translate(action, ctx),
        Action::Pet(action) => pets::translate(action, ctx),
        Action::Storage(action) => storage::translate(action, ctx),
    }
}

/// The record of a typed command.
pub fn command<C: Produced>(command: &C) -> Command {
    // A derived `Serialize` of these structs (string keys only) cannot fail.
    Command { topic: C::TOPIC, key: command.key(), value: serde_json::to_value(command).unwrap_or_default() }
}

/// The session's field block.
pub fn field(ctx: &Session) -> FieldBlock {
    let f = &ctx.field;
    FieldBlock { world_id: f.world, channel_id: f.channel, map_id: f.map, instance: f.instance }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::commands::translate;
    use crate::channel::frames::ClientFrame;
    use crate::channel::sessions::Field;
    use serde_json::{json, Value};
    use uuid::Uuid;

    fn ctx(play: Context) -> Session {
        Session {
            character: 30001,
            account: 12,
            field: Field { world: 0, channel: 1, map: 100000000, instance: Uuid::nil() },
            play,
            ..Session::default()
        }
    }

    fn talking() -> Session {
        ctx(Context { npc_template: Some(9010000), ..Context::default() })
    }

    fn with_pet(slot: i8) -> Session {
        ctx(Context { pet: Some(pets::OwnPet { id: 7001, slot }), ..Context::default() })
    }

    fn in_party() -> Session {
        ctx(Context { party: Some(40), ..Context::default() })
    }

    fn quest() -> Session {
        ctx(Context { quest_exists: true, ..Context::default() })
    }

    /// Every second-wave client action against spec 51's examples: topic, key, value.
    #[test]
    fn second_wave_actions_produce_the_commands_of_spec_51() {
        let nil = "00000000-0000-0000-0000-000000000000";
        let field = json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil});
        let session = Uuid::from_u128(0xc2a4f0a8_1d3b_4c84_8f0e_5f3b8c0d9a11);
        let address = crate::contracts::channel::session::Address { ip_address: "10.0.0.6".into(), port: 8586 };
        let moving = |alive: bool| {
            ctx(Context {
                migration: migration::Found { session, alive, address: Some(address.clone()), shop: None },
                ..Context::default()
            })
        };
        let shop = crate::contracts::channel::session::CashShopOpen { account: json!({}), character: json!({}), buddies: json!({}) };
        // The spec's saga example: its transaction id and key.
        let tx = Uuid::from_u128(0x0b7f2c9e_6a11_4b1e_9c55_2d0f3e4a5b6c);
        let key = u32::from_le_bytes([0x9e, 0x2c, 0x7f, 0x0b]);
        let at = "2025-05-01T10:11:12.123456789Z";
        let storing = |fee: Option<i32>| {
            let storage = storage::Found { transaction: tx, at: at.into(), keeper: fee.map(|_| 1002100), fee: fee.unwrap_or(0) };
            ctx(Context { storage, ..Context::default() })
        };
        let step = |id: &str, action: &str, payload: Value| json!({"stepId": id, "status": "pending", "action": action, "payload": payload, "createdAt": at, "updatedAt": at});
        let saga =
            |steps: Vec<Value>| json!({"transactionId": tx, "sagaType": "storage_operation", "initiatedBy": "STORAGE", "steps": steps});
        let shopkeeper = ctx(Context { npc_template: Some(9200000), npc_has_shop: true, ..Context::default() });
        let table: Vec<(Session, Value, Vec<(&str, u32, Value)>)> = vec![
            (
                talking(),
                json!({"type": "NPCStartConversation", "objectId": 1001, "x": 1, "y": 2}),
                vec![(
                    "COMMAND_TOPIC_NPC",
                    30001,
                    json!({"npcId": 9010000, "characterId": 30001, "type": "START_CONVERSATION",
                    "body": {"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "accountId": 12}}),
                )],
            ),
            (
                shopkeeper,
                json!({"type": "NPCStartConversation", "objectId": 1002}),
                vec![("COMMAND_TOPIC_NPC_SHOP", 30001, json!({"characterId": 30001, "type": "ENTER", "body": {"npcTemplateId": 9200000}}))],
            ),
            (
                ctx(Context::default()),
                json!({"type": "NPCContinueConversation", "lastMessageType": 4, "action": 1, "selection": 2}),
                vec![(
                    "COMMAND_TOPIC_NPC",
                    30001,
                    json!({"npcId": 0, "characterId": 30001, "type": "CONTINUE_CONVERSATION",
                    "body": {"action": 1, "lastMessageType": 4, "selection": 2}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "NPCContinueConversation", "lastMessageType": 2, "action": 1, "selection": 7, "text": "hi"}),
                vec![(
                    "COMMAND_TOPIC_NPC",
                    30001,
                    json!({"npcId": 0, "characterId": 30001, "type": "CONTINUE_CONVERSATION",
                    "body": {"action": 1, "lastMessageType": 2, "selection": -1}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "NPCContinueConversation", "lastMessageType": 2, "action": 0}),
                vec![("COMMAND_TOPIC_NPC", 30001, json!({"npcId": 0, "characterId": 30001, "type": "END_CONVERSATION", "body": {}}))],
            ),
            (
                ctx(Context::default()),
                json!({"type": "NPCShop", "operation": "BUY", "slot": 0, "itemId": 2000000, "quantity": 100, "discountPrice": 0}),
                vec![(
                    "COMMAND_TOPIC_NPC_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "BUY",
                    "body": {"slot": 0, "itemTemplateId": 2000000, "quantity": 100, "discountPrice": 0}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "NPCShop", "operation": "BUY", "slot": -1, "itemId": 2000000, "quantity": 1}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "NPCShop", "operation": "SELL", "slot": 3, "itemId": 2000001, "quantity": 5}),
                vec![(
                    "COMMAND_TOPIC_NPC_SHOP",
                    30001,
                    json!({"characterId": 30001, "type": "SELL", "body": {"slot": 3, "itemTemplateId": 2000001, "quantity": 5}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "NPCShop", "operation": "RECHARGE", "slot": 7}),
                vec![("COMMAND_TOPIC_NPC_SHOP", 30001, json!({"characterId": 30001, "type": "RECHARGE", "body": {"slot": 7}}))],
            ),
            (
                ctx(Context::default()),
                json!({"type": "NPCShop", "operation": "LEAVE"}),
                vec![("COMMAND_TOPIC_NPC_SHOP", 30001, json!({"characterId": 30001, "type": "EXIT", "body": {}}))],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 1, "questId": 1021, "npcId": 2000}),
                vec![(
                    "COMMAND_TOPIC_QUEST",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "START", "body": {"questId": 1021, "npcId": 2000}}),
                )],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 1, "questId": 1021}),
                vec![(
                    "COMMAND_TOPIC_QUEST",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "START", "body": {"questId": 1021}}),
                )],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 2, "questId": 1021, "npcId": 2000, "selection": 1}),
                vec![(
                    "COMMAND_TOPIC_QUEST",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "COMPLETE", "body": {"questId": 1021, "npcId": 2000, "selection": 1}}),
                )],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 2, "questId": 1021, "npcId": 2000, "selection": 0}),
                vec![(
                    "COMMAND_TOPIC_QUEST",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "COMPLETE", "body": {"questId": 1021, "npcId": 2000}}),
                )],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 3, "questId": 1021}),
                vec![(
                    "COMMAND_TOPIC_QUEST",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "FORFEIT", "body": {"questId": 1021}}),
                )],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 0, "questId": 1021, "itemId": 4031013}),
                vec![(
                    "COMMAND_TOPIC_QUEST",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "RESTORE_ITEM", "body": {"questId": 1021, "itemId": 4031013}}),
                )],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 4, "questId": 2001, "npcId": 1012100}),
                vec![(
                    "COMMAND_TOPIC_QUEST_CONVERSATION",
                    30001,
                    json!({"questId": 2001, "npcId": 1012100, "characterId": 30001,
                    "type": "START_QUEST_CONVERSATION", "body": field.clone()}),
                )],
            ),
            (
                quest(),
                json!({"type": "QuestAction", "action": 5, "questId": 2001, "npcId": 1012100}),
                vec![(
                    "COMMAND_TOPIC_QUEST_CONVERSATION",
                    30001,
                    json!({"questId": 2001, "npcId": 1012100, "characterId": 30001,
                    "type": "START_QUEST_CONVERSATION", "body": field}),
                )],
            ),
            (quest(), json!({"type": "QuestAction", "action": 9, "questId": 1021}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "PartyOperation", "operation": "CREATE"}),
                vec![("COMMAND_TOPIC_PARTY", 30001, json!({"actorId": 30001, "type": "CREATE", "body": {}}))],
            ),
            (
                in_party(),
                json!({"type": "PartyOperation", "operation": "LEAVE"}),
                vec![("COMMAND_TOPIC_PARTY", 30001, json!({"actorId": 30001, "type": "LEAVE", "body": {"partyId": 40, "force": false}}))],
            ),
            (ctx(Context::default()), json!({"type": "PartyOperation", "operation": "LEAVE"}), vec![]),
            (
                in_party(),
                json!({"type": "PartyOperation", "operation": "EXPEL", "targetId": 30002}),
                vec![("COMMAND_TOPIC_PARTY", 30002, json!({"actorId": 30002, "type": "LEAVE", "body": {"partyId": 40, "force": true}}))],
            ),
            (
                in_party(),
                json!({"type": "PartyOperation", "operation": "CHANGE_LEADER", "targetId": 30002}),
                vec![(
                    "COMMAND_TOPIC_PARTY",
                    30001,
                    json!({"actorId": 30001, "type": "CHANGE_LEADER", "body": {"partyId": 40, "leaderId": 30002}}),
                )],
            ),
            (
                ctx(Context { named: Some(30002), named_here: true, ..Context::default() }),
                json!({"type": "PartyOperation", "operation": "INVITE", "name": "Bob"}),
                vec![("COMMAND_TOPIC_PARTY", 30001, json!({"actorId": 30001, "type": "REQUEST_INVITE", "body": {"characterId": 30002}}))],
            ),
            (
                ctx(Context { named: Some(30002), ..Context::default() }),
                json!({"type": "PartyOperation", "operation": "INVITE", "name": "Bob"}),
                vec![],
            ),
            (
                ctx(Context::default()),
                json!({"type": "PartyOperation", "operation": "JOIN", "partyId": 40}),
                vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "PARTY", "type": "ACCEPT", "body": {"targetId": 30001, "referenceId": 40}}),
                )],
            ),
            (
                ctx(Context { named: Some(30002), ..Context::default() }),
                json!({"type": "PartyInviteReject", "fromName": "Bob"}),
                vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "PARTY", "type": "REJECT", "body": {"targetId": 30001, "originatorId": 30002}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "PartyInviteReject", "fromName": "Nobody"}), vec![]),
            (
                ctx(Context { named: Some(30002), ..Context::default() }),
                json!({"type": "BuddyOperation", "operation": "ADD", "name": "Bobby", "group": "Default Group"}),
                vec![(
                    "COMMAND_TOPIC_BUDDY_LIST",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_ADD", "body": {"characterId": 30002, "group": "Default Group"}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "BuddyOperation", "operation": "ADD", "name": "Bobby", "group": "Default Group"}),
                vec![],
            ),
            (
                ctx(Context::default()),
                json!({"type": "BuddyOperation", "operation": "ACCEPT", "fromCharacterId": 30002}),
                vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "BUDDY", "type": "ACCEPT", "body": {"targetId": 30001, "referenceId": 30002}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "BuddyOperation", "operation": "DELETE", "buddyId": 30002}),
                vec![(
                    "COMMAND_TOPIC_BUDDY_LIST",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DELETE", "body": {"characterId": 30002}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "BuddyOperation", "operation": "RELOAD"}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "CharacterChairPortable", "itemId": 3010000}),
                vec![(
                    "COMMAND_TOPIC_CHAIR",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "USE",
                    "body": {"characterId": 30001, "chairType": "PORTABLE", "chairId": 3010000}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "CharacterChairInteraction", "seatId": 2}),
                vec![(
                    "COMMAND_TOPIC_CHAIR",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "USE",
                    "body": {"characterId": 30001, "chairType": "FIXED", "chairId": 2}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "CharacterChairInteraction", "seatId": -1}),
                vec![(
                    "COMMAND_TOPIC_CHAIR",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "CANCEL",
                    "body": {"characterId": 30001}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "CharacterChairInteraction", "seatId": -7}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "ReactorHit", "objectId": 2000012, "isSkill": 0, "hitOption": 1, "delay": 0, "skillId": 0}),
                vec![(
                    "COMMAND_TOPIC_REACTOR",
                    2000012,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "HIT",
                    "body": {"reactorId": 2000012, "characterId": 30001, "stance": 1, "skillId": 0}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "ReactorHit", "objectId": 5, "hitOption": 6, "skillId": 2001004}),
                vec![(
                    "COMMAND_TOPIC_REACTOR",
                    5,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "HIT",
                    "body": {"reactorId": 5, "characterId": 30001, "stance": 2, "skillId": 2001004}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "FameChange", "targetId": 30002, "mode": 1}),
                vec![(
                    "COMMAND_TOPIC_FAME",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_CHANGE",
                    "body": {"channelId": 1, "mapId": 100000000, "instance": nil, "targetId": 30002, "amount": 1}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "FameChange", "targetId": 30002, "mode": 0}),
                vec![(
                    "COMMAND_TOPIC_FAME",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_CHANGE",
                    "body": {"channelId": 1, "mapId": 100000000, "instance": nil, "targetId": 30002, "amount": -1}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "FameChange", "targetId": 30002, "mode": 3}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "CompartmentMerge", "inventoryType": 2}),
                vec![("COMMAND_TOPIC_COMPARTMENT", 30001, json!({"characterId": 30001, "inventoryType": 2, "type": "MERGE", "body": {}}))],
            ),
            (
                ctx(Context::default()),
                json!({"type": "CompartmentSort", "inventoryType": 4}),
                vec![("COMMAND_TOPIC_COMPARTMENT", 30001, json!({"characterId": 30001, "inventoryType": 4, "type": "SORT", "body": {}}))],
            ),
            (ctx(Context::default()), json!({"type": "CompartmentSort", "inventoryType": 6}), vec![]),
            (ctx(Context::default()), json!({"type": "CompartmentMerge", "inventoryType": 0}), vec![]),
            (
                with_pet(-1),
                json!({"type": "PetSpawn", "slot": 1, "lead": true}),
                vec![("COMMAND_TOPIC_PET", 7001, json!({"actorId": 30001, "petId": 7001, "type": "SPAWN", "body": {"lead": true}}))],
            ),
            (
                with_pet(0),
                json!({"type": "PetSpawn", "slot": 1}),
                vec![("COMMAND_TOPIC_PET", 7001, json!({"actorId": 30001, "petId": 7001, "type": "DESPAWN", "body": {}}))],
            ),
            (ctx(Context::default()), json!({"type": "PetSpawn", "slot": 1}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "PetCommand", "petId": 4294974297u64, "byName": true, "command": 2}),
                vec![(
                    "COMMAND_TOPIC_PET",
                    7001,
                    json!({"actorId": 30001, "petId": 7001, "type": "ATTEMPT_COMMAND", "body": {"commandId": 2, "byName": true}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "PetItemExclude", "petId": 7001, "items": []}),
                vec![("COMMAND_TOPIC_PET", 7001, json!({"actorId": 30001, "petId": 7001, "type": "EXCLUDE", "body": {"items": []}}))],
            ),
            (ctx(Context::default()), json!({"type": "PetItemExclude", "petId": 7001, "items": vec![1; 256]}), vec![]),
            (
                with_pet(1),
                json!({"type": "PetMovement", "petId": 7001, "path": {"startX": 0, "startY": 0, "elements": [{"kind": "NORMAL", "x": 3, "y": 4, "stance": 5}]}}),
                vec![(
                    "COMMAND_TOPIC_PET_MOVEMENT",
                    7001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil,
                    "objectId": 7001, "observerId": 30001, "x": 3, "y": 4, "stance": 5}),
                )],
            ),
            (with_pet(1), json!({"type": "PetMovement", "petId": 7001, "path": {"startX": 0, "startY": 0}}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "PetMovement", "petId": 7001, "path": {"startX": 0, "startY": 0, "elements": [{"kind": "NORMAL"}]}}),
                vec![],
            ),
            (
                with_pet(1),
                json!({"type": "PetDropPickUp", "petId": 7001, "dropId": 88231, "x": 410, "y": 274}),
                vec![(
                    "COMMAND_TOPIC_DROP",
                    88231,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "type": "REQUEST_RESERVATION",
                    "body": {"dropId": 88231, "characterId": 30001, "characterX": 410, "characterY": 274, "petSlot": 1}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "PetDropPickUp", "petId": 7001, "dropId": 88231, "x": 410, "y": 274}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "PetFood", "slot": 4, "itemId": 2120000}),
                vec![(
                    "COMMAND_TOPIC_CONSUMABLE",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "REQUEST_ITEM_CONSUME", "body": {"source": 4, "itemId": 2120000, "quantity": 1}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "PetItemUse", "petId": 7001, "buffSkill": false, "slot": 2, "itemId": 2000000}),
                vec![(
                    "COMMAND_TOPIC_CONSUMABLE",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "REQUEST_ITEM_CONSUME", "body": {"source": 2, "itemId": 2000000, "quantity": 1}}),
                )],
            ),
            (
                with_pet(1),
                json!({"type": "PetChat", "petId": 7001, "chatType": 1, "action": 2, "message": "meow"}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    7001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "actorId": 7001,
                    "message": "meow", "type": "PET", "body": {"ownerId": 30001, "petSlot": 1, "type": 1, "action": 2, "balloon": false}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "PetChat", "petId": 7001, "message": "meow"}), vec![]),
            (
                storing(None),
                json!({"type": "StorageOperation", "operation": "ARRANGE_ASSET"}),
                vec![(
                    "COMMAND_TOPIC_STORAGE",
                    12,
                    json!({"transactionId": tx, "worldId": 0, "accountId": 12, "type": "ARRANGE", "body": {}}),
                )],
            ),
            (
                storing(None),
                json!({"type": "StorageOperation", "operation": "CLOSE"}),
                vec![("COMMAND_TOPIC_STORAGE", 30001, json!({"characterId": 30001, "type": "CLOSE_STORAGE"}))],
            ),
            (
                storing(Some(50)),
                json!({"type": "StorageOperation", "operation": "RETRIEVE_ASSET", "inventoryType": 2, "slot": 3}),
                vec![(
                    "COMMAND_TOPIC_SAGA",
                    key,
                    saga(vec![
                        step(
                            "charge_withdrawal_fee",
                            "award_mesos",
                            json!({"characterId": 30001, "worldId": 0, "channelId": 1, "actorId": 1002100, "actorType": "NPC", "amount": -50}),
                        ),
                        step(
                            "withdraw_from_storage",
                            "withdraw_from_storage",
                            json!({"transactionId": tx, "characterId": 30001, "worldId": 0, "accountId": 12,
                        "sourceSlot": 3, "inventoryType": 2, "quantity": 0}),
                        ),
                    ]),
                )],
            ),
            (
                storing(None),
                json!({"type": "StorageOperation", "operation": "STORE_ASSET", "slot": 3, "itemId": 2000000, "quantity": 10}),
                vec![(
                    "COMMAND_TOPIC_SAGA",
                    key,
                    saga(vec![step(
                        "transfer_to_storage",
                        "transfer_to_storage",
                        json!({"transactionId": tx, "characterId": 30001, "worldId": 0, "accountId": 12,
                        "sourceSlot": 3, "sourceInventoryType": 2, "quantity": 10}),
                    )]),
                )],
            ),
            (
                storing(None),
                json!({"type": "StorageOperation", "operation": "STORE_ASSET", "slot": 3, "itemId": 6000000, "quantity": 1}),
                vec![],
            ),
            (
                storing(Some(100)),
                json!({"type": "StorageOperation", "operation": "MESO", "amount": -5000}),
                vec![(
                    "COMMAND_TOPIC_SAGA",
                    key,
                    saga(vec![
                        step(
                            "deduct_character_mesos",
                            "award_mesos",
                            json!({"characterId": 30001, "worldId": 0, "channelId": 1, "actorId": 30001, "actorType": "STORAGE", "amount": -5000}),
                        ),
                        step(
                            "add_storage_mesos",
                            "update_storage_mesos",
                            json!({"characterId": 30001, "accountId": 12, "worldId": 0, "operation": "ADD", "mesos": 5000}),
                        ),
                    ]),
                )],
            ),
            (
                storing(None),
                json!({"type": "StorageOperation", "operation": "MESO", "amount": 300}),
                vec![(
                    "COMMAND_TOPIC_SAGA",
                    key,
                    saga(vec![
                        step(
                            "subtract_storage_mesos",
                            "update_storage_mesos",
                            json!({"characterId": 30001, "accountId": 12, "worldId": 0, "operation": "SUBTRACT", "mesos": 300}),
                        ),
                        step(
                            "add_character_mesos",
                            "award_mesos",
                            json!({"characterId": 30001, "worldId": 0, "channelId": 1, "actorId": 30001, "actorType": "STORAGE", "amount": 300}),
                        ),
                    ]),
                )],
            ),
            (storing(None), json!({"type": "StorageOperation", "operation": "MESO", "amount": 0}), vec![]),
            (
                ctx(Context::default()),
                json!({"type": "CharacterItemUseScroll", "scrollSlot": 4, "equipSlot": -11, "whiteScrollFlags": 2, "legendarySpirit": false}),
                vec![(
                    "COMMAND_TOPIC_CONSUMABLE",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "REQUEST_SCROLL", "body": {"scrollSlot": 4, "equipSlot": -11, "whiteScroll": true, "legendarySpirit": false}}),
                )],
            ),
            (
                ctx(Context::default()),
                json!({"type": "CharacterItemUseScroll", "scrollSlot": 4, "equipSlot": -11, "whiteScrollFlags": 1, "legendarySpirit": true}),
                vec![(
                    "COMMAND_TOPIC_CONSUMABLE",
                    30001,
                    json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "characterId": 30001,
                    "type": "REQUEST_SCROLL", "body": {"scrollSlot": 4, "equipSlot": -11, "whiteScroll": false, "legendarySpirit": true}}),
                )],
            ),
            (
                moving(true),
                json!({"type": "ChannelChange", "channelId": 2}),
                vec![(
                    "COMMAND_TOPIC_ACCOUNT_SESSION",
                    12,
                    json!({"sessionId": session, "accountId": 12, "author": "CHANNEL", "type": "PROGRESS_STATE",
                    "body": {"state": 2, "params": {"ipAddress": "10.0.0.6", "port": 8586}}}),
                )],
            ),
            (moving(false), json!({"type": "ChannelChange", "channelId": 2}), vec![]),
            (ctx(Context::default()), json!({"type": "ChannelChange", "channelId": 2}), vec![]),
            (
                moving(false),
                json!({"type": "CashShopExit"}),
                vec![
                    (
                        "EVENT_TOPIC_CASH_SHOP_STATUS",
                        30001,
                        json!({"worldId": 0, "characterId": 0, "type": "CHARACTER_EXIT",
                        "body": {"characterId": 30001, "channelId": 1, "mapId": 100000000}}),
                    ),
                    (
                        "COMMAND_TOPIC_ACCOUNT_SESSION",
                        12,
                        json!({"sessionId": session, "accountId": 12, "author": "CHANNEL", "type": "PROGRESS_STATE",
                        "body": {"state": 2, "params": {"ipAddress": "10.0.0.6", "port": 8586}}}),
                    ),
                ],
            ),
            (
                ctx(Context { migration: migration::Found { shop: Some(shop), ..migration::Found::default() }, ..Context::default() }),
                json!({"type": "CashShopEntry"}),
                vec![(
                    "EVENT_TOPIC_CASH_SHOP_STATUS",
                    30001,
                    json!({"worldId": 0, "characterId": 0, "type": "CHARACTER_ENTER",
                        "body": {"characterId": 30001, "channelId": 1, "mapId": 100000000}}),
                )],
            ),
            (ctx(Context::default()), json!({"type": "QuestAction", "action": 1, "questId": 1021, "npcId": 2000}), vec![]),
        ];
        for (context, action, expected) in table {
            let frame: ClientFrame = serde_json::from_value(action.clone()).expect("client frame");
            let outcome = translate(&frame, &context);
            let got: Vec<(&str, u32, Value)> = outcome.commands.into_iter().map(|c| (c.topic, c.key, c.value)).collect();
            assert_eq!(got, expected, "{action}");
            assert!(!outcome.destroy, "{action}");
        }
    }

    #[test]
    fn an_unknown_npc_a_name_no_client_can_type_or_an_unreadable_cash_shop_ends_the_session() {
        for action in [
            json!({"type": "NPCStartConversation", "objectId": 4242}),
            json!({"type": "BuddyOperation", "operation": "ADD", "name": "Bo", "group": "Friends"}),
            json!({"type": "BuddyOperation", "operation": "ADD", "name": "Bobby", "group": "a group name too long"}),
            json!({"type": "CashShopEntry"}),
        ] {
            let frame: ClientFrame = serde_json::from_value(action.clone()).expect("frame");
            let outcome = translate(&frame, &ctx(Context { named: Some(30002), ..Context::default() }));
            assert!(outcome.destroy && outcome.commands.is_empty(), "{action}");
        }
    }

    #[test]
    fn malformed_second_wave_frames_are_refused() {
        for bad in [
            json!({"type": "NPCShop", "operation": "STEAL"}),
            json!({"type": "NPCStartConversation"}),
            json!({"type": "NPCContinueConversation", "lastMessageType": 300, "action": 1}),
            json!({"type": "QuestAction", "action": 1, "questId": 70000}),
            json!({"type": "PartyOperation", "operation": "KICK"}),
            json!({"type": "PartyInviteReject"}),
            json!({"type": "BuddyOperation", "operation": "HUG"}),
            json!({"type": "ChannelChange", "channelId": 256}),
            json!({"type": "CharacterChairInteraction", "seatId": 40000}),
            json!({"type": "ReactorHit"}),
            json!({"type": "FameChange", "targetId": 1, "mode": 200}),
            json!({"type": "CompartmentSort", "inventoryType": -1}),
            json!({"type": "CharacterItemUseScroll", "scrollSlot": 4}),
            json!({"type": "PetCommand", "petId": 1}),
            json!({"type": "PetItemExclude", "petId": 1, "items": [1.5]}),
            json!({"type": "PetMovement", "petId": -1, "path": {"startX": 0, "startY": 0}}),
            json!({"type": "StorageOperation", "operation": "STEAL"}),
            json!({"type": "StorageOperation", "operation": "MESO", "amount": 3000000000u64}),
        ] {
            assert!(serde_json::from_value::<ClientFrame>(bad.clone()).is_err(), "{bad}");
        }
        let first_wave: ClientFrame = serde_json::from_value(json!({"type": "Ping"})).expect("ping");
        assert_eq!(first_wave, ClientFrame::Ping, "first-wave frames still decode as before");
    }
}
