//! Client actions → Atlas commands (spec 51 §4, the P1 list of §7), with the §6 fixes.
//!
//! Translation is split in two: [`resolve`] gathers what an action needs from elsewhere
//! (the character's position, a portal id, a name's character, the sender's messenger,
//! a skill's effect) and [`translate`] turns the action and that context into commands,
//! frames for the sender and frames for the others in its map. Identities and the field
//! always come from the session, never from the frame.

use super::frames::{enable_actions, ClientFrame, Frame, Path};
use super::sessions::{Field, Session};
use super::{lookups, respawn, Command, Edge};
use crate::actors::character::skills_sql;
use crate::actors::messengers::sql as messengers;
use serde_json::{json, Value};

/// What an action needs besides the session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub character: u32,
    pub account: u32,
    pub field: Field,
    /// The character's HP and position, from the character service.
    pub hp: Option<i64>,
    pub position: Option<(i64, i64)>,
    pub portal: Option<u32>,
    /// The character a name names.
    pub named: Option<u32>,
    /// The sender's messenger and its other members.
    pub messenger: Option<(u32, Vec<u32>)>,
    /// The level the character owns the skill at, and the effect at that level.
    pub owned_level: Option<u8>,
    pub effect: Option<Value>,
    /// Whether a reported monster is in the sender's field.
    pub monster_here: bool,
    /// A dead character's way back.
    pub respawn: Option<respawn::Plan>,
    /// Party members a party buff reaches: same channel and map by the party's record.
    pub party_here: Vec<u32>,
    /// What a second-wave action needs.
    pub play: super::actions::Context,
    /// What a last-wave action needs.
    pub later: super::last_wave::Context,
}

/// What an action produces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub commands: Vec<Command>,
    pub reply: Vec<Frame>,
    /// Frames for the others in the sender's map.
    pub to_map: Vec<Frame>,
    /// The action breaks the rules: the session is destroyed (spec 51 §3.3).
    pub destroy: bool,
}

impl Outcome {
    fn commands(commands: Vec<Command>) -> Outcome {
        Outcome { commands, ..Outcome::default() }
    }
}

/// Reads what `frame` needs.
pub async fn resolve(edge: &Edge, session: &Session, frame: &ClientFrame) -> Context {
    let state = session.state();
    let mut ctx = Context { character: state.character, account: state.account, field: session.field(), ..Context::default() };
    let services = &edge.services;
    let tenant = &session.tenant;
    let character = || lookups::character(services, tenant, state.character);
    match frame {
        ClientFrame::CharacterInventoryMove { destination: 0, .. } | ClientFrame::MapChange { .. } => {
            if let Some(attributes) = character().await {
                ctx.hp = Some(lookups::number(&attributes, "hp"));
                ctx.position = Some((lookups::number(&attributes, "x"), lookups::number(&attributes, "y")));
            }
            if let ClientFrame::MapChange { portal_name } = frame {
                ctx.portal = lookups::portal(services, tenant, ctx.field.map, portal_name).await;
                if ctx.hp == Some(0) {
                    ctx.respawn = respawn::plan(services, tenant, state.character, ctx.field.map).await;
                }
            }
        }
        ClientFrame::MonsterMovement { unique_id, .. } => {
            if let Some(monster) = lookups::monster(services, tenant, *unique_id).await {
                let at = |name: &str| lookups::number(&monster, name);
                ctx.monster_here = (at("worldId"), at("channelId"), at("mapId"))
                    == (i64::from(ctx.field.world), i64::from(ctx.field.channel), i64::from(ctx.field.map));
            }
        }
        ClientFrame::CharacterUseSkill { skill_id, .. } | ClientFrame::CharacterAttack { skill_id, .. } if *skill_id > 0 => {
            if matches!(frame, ClientFrame::CharacterUseSkill { .. }) {
                ctx.hp = character().await.map(|a| lookups::number(&a, "hp"));
            }
            let owned = skills_sql::skill(&services.store, tenant.id, state.character, *skill_id).await.ok().flatten();
            ctx.owned_level = owned.map(|v| v.skill.level).filter(|level| *level > 0);
            if let Some(level) = ctx.owned_level {
                ctx.effect = lookups::skill_effect(services, tenant, *skill_id, level).await;
            }
            if let ClientFrame::CharacterUseSkill { affected_members: 1..=127, .. } = frame {
                let party = lookups::party_of(services, tenant, state.character).await;
                let (channel, map) = (ctx.field.channel, ctx.field.map);
                ctx.party_here =
                    party.iter().filter(|m| m.id != state.character && m.channel == channel && m.map == map).map(|m| m.id).collect();
            }
        }
        ClientFrame::MessengerInvite { name } | ClientFrame::MessengerDeclineInvite { from_name: name } => {
            ctx.named = lookups::character_named(services, tenant, name).await;
        }
        ClientFrame::MessengerClose | ClientFrame::MessengerChat { .. } => {
            let rooms = messengers::rooms(&services.store, tenant.id, Some(state.character)).await.unwrap_or_default();
            ctx.messenger = rooms.into_iter().next().map(|room| {
                let others = room.members.iter().map(|(s, _)| s.character).filter(|c| *c != state.character).collect();
                (room.id, others)
            });
        }
        ClientFrame::Play(action) => ctx.play = super::actions::resolve(edge, session, &ctx, action).await,
        ClientFrame::Later(action) => ctx.later = super::last_wave::resolve(edge, session, &ctx, action).await,
        _ => {}
    }
    ctx
}

fn field_block(f: &Field) -> serde_json::Map<String, Value> {
    let block = json!({"worldId": f.world, "channelId": f.channel, "mapId": f.map, "instance": f.instance});
    block.as_object().cloned().unwrap_or_default()
}

/// The field block followed by `fields`.
fn in_field(f: &Field, fields: Value) -> Value {
    let mut value = field_block(f);
    if let Value::Object(more) = fields {
        value.extend(more);
    }
    Value::Object(value)
}

fn command(topic: &'static str, key: u32, value: Value) -> Command {
    Command { topic, key, value }
}

fn character_command(ctx: &Context, kind: &str, body: Value) -> Command {
    command(
        "COMMAND_TOPIC_CHARACTER",
        ctx.character,
        json!({"worldId": ctx.field.world, "characterId": ctx.character, "type": kind, "body": body}),
    )
}

fn change(ctx: &Context, kind: &str, amount: i64) -> Command {
    character_command(ctx, kind, json!({"channelId": ctx.field.channel, "amount": amount.clamp(i64::from(i16::MIN), i64::from(i16::MAX))}))
}

fn movement(topic: &'static str, ctx: &Context, object: u32, path: &Path) -> Command {
    let (x, y, stance) = path.summary();
    command(topic, object, in_field(&ctx.field, json!({"objectId": object, "observerId": ctx.character, "x": x, "y": y, "stance": stance})))
}

fn chat(ctx: &Context, kind: &str, message: &str, body: Value) -> Command {
    let value = in_field(&ctx.field, json!({"actorId": ctx.character, "message": message, "type": kind, "body": body}));
    command("COMMAND_TOPIC_CHARACTER_CHAT", ctx.character, value)
}

fn invite(ctx: &Context, kind: &str, body: Value) -> Command {
    command(
        "COMMAND_TOPIC_INVITE",
        ctx.character,
        json!({"worldId": ctx.field.world, "inviteType": "MESSENGER", "type": kind, "body": body}),
    )
}

fn messenger(ctx: &Context, kind: &str, body: Value) -> Command {
    command("COMMAND_TOPIC_MESSENGER", ctx.character, json!({"actorId": ctx.character, "type": kind, "body": body}))
}

/// AP flag → ability (spec 51 §4.3).
fn ability(flag: u32) -> Option<&'static str> {
    Some(match flag {
        0x40 => "STRENGTH",
        0x80 => "DEXTERITY",
        0x100 => "INTELLIGENCE",
        0x200 => "LUCK",
        0x800 => "HP",
        0x2000 => "MP",
        _ => return None,
    })
}

/// The HP and MP costs of a skill effect, in that order.
fn costs(ctx: &Context, effect: &Value) -> Vec<Command> {
    let mut commands = Vec::new();
    for (field, kind) in [("hpCon", "CHANGE_HP"), ("mpCon", "CHANGE_MP")] {
        let cost = effect[field].as_i64().unwrap_or(0);
        if cost > 0 {
            commands.push(change(ctx, kind, -cost));
        }
    }
    commands
}

/// Turns an action into its commands and frames.
pub fn translate(frame: &ClientFrame, ctx: &Context) -> Outcome {
    let c = ctx.character;
    let f = &ctx.field;
    match frame {
        ClientFrame::Ping | ClientFrame::CharacterLoggedIn { .. } => Outcome::default(),
        ClientFrame::CharacterMove { path } => Outcome {
            commands: vec![movement("COMMAND_TOPIC_CHARACTER_MOVEMENT", ctx, c, path)],
            to_map: vec![Frame::new("CharacterMovement", json!({"characterId": c, "path": path_json(path)}))],
            ..Outcome::default()
        },
        ClientFrame::MonsterMovement { unique_id, path } if ctx.monster_here => {
            Outcome::commands(vec![movement("COMMAND_TOPIC_MONSTER_MOVEMENT", ctx, *unique_id, path)])
        }
        ClientFrame::MonsterMovement { .. } => Outcome::default(),
        ClientFrame::MapChange { .. } => match (ctx.hp, ctx.portal, &ctx.respawn) {
            (Some(0), _, Some(plan)) => Outcome::commands(vec![respawn::saga(plan, c, f)]),
            (Some(hp), Some(portal), _) if hp > 0 => Outcome::commands(vec![command(
                "COMMAND_TOPIC_PORTAL",
                portal,
                in_field(f, json!({"portalId": portal, "type": "ENTER", "body": {"characterId": c}})),
            )]),
            _ => Outcome::default(),
        },
        ClientFrame::CharacterChatGeneral { message, balloon_only } => {
            Outcome::commands(vec![chat(ctx, "GENERAL", message, json!({"balloonOnly": balloon_only}))])
        }
        ClientFrame::CharacterChatMulti { chat_type, recipients, message } => {
            match ["BUDDY", "PARTY", "GUILD", "ALLIANCE"].get(usize::from(*chat_type)) {
                Some(kind) => Outcome::commands(vec![chat(ctx, kind, message, json!({"recipients": recipients}))]),
                None => Outcome::default(),
            }
        }
        ClientFrame::CharacterChatWhisper { target_name, message } => {
            Outcome::commands(vec![chat(ctx, "WHISPER", message, json!({"recipientName": target_name}))])
        }
        ClientFrame::CharacterExpression { emote } => Outcome::commands(vec![command(
            "COMMAND_TOPIC_EXPRESSION",
            c,
            json!({"characterId": c, "worldId": f.world, "channelId": f.channel, "mapId": f.map, "instance": f.instance, "expression": emote}),
        )]),
        ClientFrame::CharacterAttack { skill_id, targets } => {
            let mut commands = Vec::new();
            if *skill_id > 0 {
                let Some(_) = ctx.owned_level else { return Outcome { destroy: true, ..Outcome::default() } };
                let Some(effect) = &ctx.effect else { return Outcome::default() };
                commands.extend(costs(ctx, effect));
            }
            for target in targets {
                for damage in &target.damages {
                    let value = in_field(
                        f,
                        json!({"monsterId": target.monster_id, "type": "DAMAGE", "body": {"characterId": c, "damage": damage}}),
                    );
                    commands.push(command("COMMAND_TOPIC_MONSTER", target.monster_id, value));
                }
            }
            Outcome::commands(commands)
        }
        ClientFrame::CharacterUseSkill { skill_id, level, .. } => {
            let unlock = Outcome { reply: vec![enable_actions()], ..Outcome::default() };
            if ctx.hp.is_none_or(|hp| hp <= 0) {
                return unlock;
            }
            if ctx.owned_level != Some(*level) {
                return Outcome { destroy: true, ..Outcome::default() };
            }
            let Some(effect) = &ctx.effect else { return unlock };
            let mut commands = costs(ctx, effect);
            let cooldown = effect["cooldown"].as_u64().unwrap_or(0);
            if cooldown > 0 {
                commands.push(command(
                    "COMMAND_TOPIC_SKILL",
                    c,
                    json!({"characterId": c, "type": "SET_COOLDOWN", "body": {"skillId": skill_id, "cooldown": cooldown}}),
                ));
            }
            let duration = effect["duration"].as_i64().unwrap_or(0);
            let changes: Vec<Value> = effect["statups"]
                .as_array()
                .map(|s| s.iter().map(|c| json!({"type": c["type"], "amount": c["amount"]})).collect())
                .unwrap_or_default();
            if duration > 0 && !changes.is_empty() {
                let body = json!({"fromId": c, "sourceId": skill_id, "duration": duration, "changes": changes});
                for target in std::iter::once(c).chain(ctx.party_here.iter().copied()) {
                    let value = in_field(f, json!({"characterId": target, "type": "APPLY", "body": body}));
                    commands.push(command("COMMAND_TOPIC_CHARACTER_BUFF", target, value));
                }
            }
            Outcome::commands(commands)
        }
        ClientFrame::CharacterBuffCancel { skill_id } => Outcome::commands(vec![command(
            "COMMAND_TOPIC_CHARACTER_BUFF",
            c,
            in_field(f, json!({"characterId": c, "type": "CANCEL", "body": {"sourceId": skill_id}})),
        )]),
        // Q11: damage saturates; a miss or a negative value heals nobody.
        ClientFrame::CharacterDamage { damage } if *damage > 0 => Outcome::commands(vec![change(ctx, "CHANGE_HP", -i64::from(*damage))]),
        ClientFrame::CharacterDamage { .. } => Outcome::default(),
        ClientFrame::CharacterHealOverTime { hp, mp } => {
            let mut commands = Vec::new();
            if *hp != 0 {
                commands.push(change(ctx, "CHANGE_HP", i64::from(*hp)));
            }
            if *mp != 0 {
                commands.push(change(ctx, "CHANGE_MP", i64::from(*mp)));
            }
            Outcome::commands(commands)
        }
        ClientFrame::CharacterDistributeAp { flag } => match ability(*flag) {
            Some(ability) => Outcome::commands(vec![character_command(
                ctx,
                "REQUEST_DISTRIBUTE_AP",
                json!({"distributions": [{"ability": ability, "amount": 1}]}),
            )]),
            None => Outcome::default(),
        },
        ClientFrame::CharacterAutoDistributeAp { entries } => {
            let distributions: Option<Vec<Value>> =
                entries.iter().map(|e| ability(e.flag).map(|a| json!({"ability": a, "amount": e.value as u8 as i8}))).collect();
            match distributions {
                Some(distributions) => {
                    Outcome::commands(vec![character_command(ctx, "REQUEST_DISTRIBUTE_AP", json!({"distributions": distributions}))])
                }
                None => Outcome::default(),
            }
        }
        ClientFrame::CharacterDistributeSp { skill_id } => {
            // The field is spelled `skilId` on the wire (spec 51 Q6).
            Outcome::commands(vec![character_command(ctx, "REQUEST_DISTRIBUTE_SP", json!({"skilId": skill_id, "amount": 1}))])
        }
        ClientFrame::CharacterSkillMacro { macros } => {
            let macros: Vec<Value> = macros
                .iter()
                .enumerate()
                .map(|(i, m)| json!({"id": i, "name": m.name, "shout": !m.silent, "skillId1": m.skill_id1, "skillId2": m.skill_id2, "skillId3": m.skill_id3}))
                .collect();
            Outcome::commands(vec![command(
                "COMMAND_TOPIC_SKILL_MACRO",
                c,
                json!({"characterId": c, "type": "UPDATE", "body": {"macros": macros}}),
            )])
        }
        ClientFrame::CharacterItemUse { slot, item_id } => Outcome::commands(vec![command(
            "COMMAND_TOPIC_CONSUMABLE",
            c,
            in_field(
                f,
                json!({"characterId": c, "type": "REQUEST_ITEM_CONSUME", "body": {"source": slot, "itemId": item_id, "quantity": 1}}),
            ),
        )]),
        ClientFrame::CharacterInventoryMove { inventory_type, source, destination, count } => {
            let (kind, body) = if *source < 0 && *destination > 0 {
                ("UNEQUIP", json!({"source": source, "destination": destination}))
            } else if *destination < 0 {
                ("EQUIP", json!({"source": source, "destination": destination}))
            } else if *destination == 0 {
                let Some((x, y)) = ctx.position else { return Outcome::default() };
                ("DROP", in_field(f, json!({"source": source, "quantity": count, "x": x, "y": y})))
            } else {
                ("MOVE", json!({"source": source, "destination": destination}))
            };
            Outcome::commands(vec![command(
                "COMMAND_TOPIC_COMPARTMENT",
                c,
                json!({"characterId": c, "inventoryType": inventory_type, "type": kind, "body": body}),
            )])
        }
        ClientFrame::CharacterDropMeso { amount } => Outcome::commands(vec![character_command(
            ctx,
            "REQUEST_DROP_MESO",
            json!({"channelId": f.channel, "mapId": f.map, "amount": amount}),
        )]),
        ClientFrame::DropPickUp { drop_id, x, y } => Outcome::commands(vec![command(
            "COMMAND_TOPIC_DROP",
            *drop_id,
            in_field(
                f,
                json!({"type": "REQUEST_RESERVATION", "body": {"dropId": drop_id, "characterId": c, "characterX": x, "characterY": y, "petSlot": -1}}),
            ),
        )]),
        ClientFrame::MessengerAnswerInvite { messenger_id: 0 } => Outcome::commands(vec![messenger(ctx, "CREATE", json!({}))]),
        ClientFrame::MessengerAnswerInvite { messenger_id } => {
            Outcome::commands(vec![invite(ctx, "ACCEPT", json!({"targetId": c, "referenceId": messenger_id}))])
        }
        ClientFrame::MessengerClose => match &ctx.messenger {
            Some((id, _)) => Outcome::commands(vec![messenger(ctx, "LEAVE", json!({"messengerId": id}))]),
            None => Outcome::default(),
        },
        ClientFrame::MessengerInvite { name } => match ctx.named {
            Some(target) => Outcome {
                commands: vec![messenger(ctx, "REQUEST_INVITE", json!({"characterId": target}))],
                reply: vec![Frame::new("MessengerOperation", json!({"operation": "INVITE_SENT", "name": name, "success": true}))],
                ..Outcome::default()
            },
            None => Outcome {
                reply: vec![Frame::new("MessengerOperation", json!({"operation": "INVITE_SENT", "name": name, "success": false}))],
                ..Outcome::default()
            },
        },
        ClientFrame::MessengerDeclineInvite { .. } => match ctx.named {
            Some(originator) => Outcome::commands(vec![invite(ctx, "REJECT", json!({"targetId": c, "originatorId": originator}))]),
            None => Outcome::default(),
        },
        ClientFrame::Play(action) => super::actions::translate(action, ctx),
        ClientFrame::Later(action) => super::last_wave::translate(action, ctx),
        ClientFrame::MessengerChat { message } => match &ctx.messenger {
            Some((_, others)) => Outcome::commands(vec![chat(ctx, "MESSENGER", message, json!({"recipients": others}))]),
            None => Outcome::default(),
        },
    }
}

fn path_json(path: &Path) -> Value {
    let elements: Vec<Value> = path.elements.iter().map(|e| json!({"kind": e.kind, "x": e.x, "y": e.y, "stance": e.stance})).collect();
    json!({"startX": path.start_x, "startY": path.start_y, "elements": elements})
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn ctx() -> Context {
        Context {
            character: 30001,
            account: 12,
            field: Field { world: 0, channel: 1, map: 100000000, instance: Uuid::nil() },
            ..Context::default()
        }
    }

    fn frame(value: Value) -> ClientFrame {
        serde_json::from_value(value).expect("client frame")
    }

    /// Every P1 client action of spec 51 §7 against the spec's examples: topic, key, value.
    #[test]
    fn p1_actions_produce_the_commands_of_spec_51() {
        let nil = "00000000-0000-0000-0000-000000000000";
        let field = json!({"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil});
        let with = |more: Value| in_field(&ctx().field, more);
        let effect = json!({"hpCon": 0, "mpCon": 6, "cooldown": 600, "duration": 60000,
            "statups": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]});
        let skilled = Context { hp: Some(50), owned_level: Some(1), effect: Some(effect), ..ctx() };
        let dropping = Context { position: Some((-120, 215)), ..ctx() };
        let in_messenger = Context { messenger: Some((7, vec![30002])), named: Some(30002), ..ctx() };
        let at_portal = Context { hp: Some(50), portal: Some(3), ..ctx() };
        let table: Vec<(Context, Value, Vec<(&str, u32, Value)>)> = vec![
            (
                ctx(),
                json!({"type": "CharacterMove", "path": {"startX": 0, "startY": 0, "elements": [{"kind": "NORMAL", "x": 412, "y": 274, "stance": 6}]}}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_MOVEMENT",
                    30001,
                    with(json!({"objectId": 30001, "observerId": 30001, "x": 412, "y": 274, "stance": 6})),
                )],
            ),
            (
                Context { monster_here: true, ..ctx() },
                json!({"type": "MonsterMovement", "uniqueId": 1000042, "path": {"startX": 5, "startY": 6}}),
                vec![(
                    "COMMAND_TOPIC_MONSTER_MOVEMENT",
                    1000042,
                    with(json!({"objectId": 1000042, "observerId": 30001, "x": 5, "y": 6, "stance": 0})),
                )],
            ),
            (ctx(), json!({"type": "MonsterMovement", "uniqueId": 1000042, "path": {"startX": 5, "startY": 6}}), vec![]),
            (
                at_portal.clone(),
                json!({"type": "MapChange", "portalName": "east00"}),
                vec![("COMMAND_TOPIC_PORTAL", 3, with(json!({"portalId": 3, "type": "ENTER", "body": {"characterId": 30001}})))],
            ),
            (Context { hp: Some(0), ..at_portal }, json!({"type": "MapChange", "portalName": "east00"}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterChatGeneral", "message": "hello", "balloonOnly": false}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "hello", "type": "GENERAL", "body": {"balloonOnly": false}})),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterChatMulti", "chatType": 1, "recipients": [30002, 30003], "message": "go"}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "go", "type": "PARTY", "body": {"recipients": [30002, 30003]}})),
                )],
            ),
            (ctx(), json!({"type": "CharacterChatMulti", "chatType": 9, "recipients": [], "message": "x"}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterChatWhisper", "targetName": "Bob", "message": "psst"}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "psst", "type": "WHISPER", "body": {"recipientName": "Bob"}})),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterExpression", "emote": 3}),
                vec![(
                    "COMMAND_TOPIC_EXPRESSION",
                    30001,
                    json!({"characterId": 30001, "worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "expression": 3}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterAttack", "targets": [{"monsterId": 1000042, "damages": [153, 20]}]}),
                vec![
                    (
                        "COMMAND_TOPIC_MONSTER",
                        1000042,
                        with(json!({"monsterId": 1000042, "type": "DAMAGE", "body": {"characterId": 30001, "damage": 153}})),
                    ),
                    (
                        "COMMAND_TOPIC_MONSTER",
                        1000042,
                        with(json!({"monsterId": 1000042, "type": "DAMAGE", "body": {"characterId": 30001, "damage": 20}})),
                    ),
                ],
            ),
            (
                skilled.clone(),
                json!({"type": "CharacterUseSkill", "skillId": 1301007, "level": 1}),
                vec![
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_MP", "body": {"channelId": 1, "amount": -6}}),
                    ),
                    (
                        "COMMAND_TOPIC_SKILL",
                        30001,
                        json!({"characterId": 30001, "type": "SET_COOLDOWN", "body": {"skillId": 1301007, "cooldown": 600}}),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER_BUFF",
                        30001,
                        with(
                            json!({"characterId": 30001, "type": "APPLY", "body": {"fromId": 30001, "sourceId": 1301007, "duration": 60000,
                        "changes": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]}}),
                        ),
                    ),
                ],
            ),
            (
                Context { party_here: vec![30002], ..skilled.clone() },
                json!({"type": "CharacterUseSkill", "skillId": 1301007, "level": 1, "affectedMembers": 3}),
                vec![
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_MP", "body": {"channelId": 1, "amount": -6}}),
                    ),
                    (
                        "COMMAND_TOPIC_SKILL",
                        30001,
                        json!({"characterId": 30001, "type": "SET_COOLDOWN", "body": {"skillId": 1301007, "cooldown": 600}}),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER_BUFF",
                        30001,
                        with(
                            json!({"characterId": 30001, "type": "APPLY", "body": {"fromId": 30001, "sourceId": 1301007, "duration": 60000,
                        "changes": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]}}),
                        ),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER_BUFF",
                        30002,
                        with(
                            json!({"characterId": 30002, "type": "APPLY", "body": {"fromId": 30001, "sourceId": 1301007, "duration": 60000,
                        "changes": [{"type": "HYPER_BODY_HP", "amount": 60}, {"type": "HYPER_BODY_MP", "amount": 60}]}}),
                        ),
                    ),
                ],
            ),
            (
                ctx(),
                json!({"type": "CharacterBuffCancel", "skillId": 1301007}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_BUFF",
                    30001,
                    with(json!({"characterId": 30001, "type": "CANCEL", "body": {"sourceId": 1301007}})),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDamage", "damage": 37}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_HP", "body": {"channelId": 1, "amount": -37}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDamage", "damage": 99999}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_HP", "body": {"channelId": 1, "amount": -32768}}),
                )],
            ),
            (ctx(), json!({"type": "CharacterDamage", "damage": -5}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterHealOverTime", "hp": 10, "mp": 3}),
                vec![
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_HP", "body": {"channelId": 1, "amount": 10}}),
                    ),
                    (
                        "COMMAND_TOPIC_CHARACTER",
                        30001,
                        json!({"worldId": 0, "characterId": 30001, "type": "CHANGE_MP", "body": {"channelId": 1, "amount": 3}}),
                    ),
                ],
            ),
            (
                ctx(),
                json!({"type": "CharacterDistributeAp", "flag": 64}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DISTRIBUTE_AP", "body": {"distributions": [{"ability": "STRENGTH", "amount": 1}]}}),
                )],
            ),
            (ctx(), json!({"type": "CharacterDistributeAp", "flag": 1}), vec![]),
            (
                ctx(),
                json!({"type": "CharacterAutoDistributeAp", "entries": [{"flag": 128, "value": 2}, {"flag": 8192, "value": 1}]}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DISTRIBUTE_AP",
                    "body": {"distributions": [{"ability": "DEXTERITY", "amount": 2}, {"ability": "MP", "amount": 1}]}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDistributeSp", "skillId": 1001004}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DISTRIBUTE_SP", "body": {"skilId": 1001004, "amount": 1}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterItemUse", "slot": 1, "itemId": 2000002}),
                vec![(
                    "COMMAND_TOPIC_CONSUMABLE",
                    30001,
                    with(
                        json!({"characterId": 30001, "type": "REQUEST_ITEM_CONSUME", "body": {"source": 1, "itemId": 2000002, "quantity": 1}}),
                    ),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterInventoryMove", "inventoryType": 1, "source": -11, "destination": 4}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 1, "type": "UNEQUIP", "body": {"source": -11, "destination": 4}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterInventoryMove", "inventoryType": 1, "source": 4, "destination": -11}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 1, "type": "EQUIP", "body": {"source": 4, "destination": -11}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterInventoryMove", "inventoryType": 2, "source": 3, "destination": 5}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 2, "type": "MOVE", "body": {"source": 3, "destination": 5}}),
                )],
            ),
            (
                dropping,
                json!({"type": "CharacterInventoryMove", "inventoryType": 2, "source": 3, "destination": 0, "count": 10}),
                vec![(
                    "COMMAND_TOPIC_COMPARTMENT",
                    30001,
                    json!({"characterId": 30001, "inventoryType": 2, "type": "DROP",
                    "body": {"worldId": 0, "channelId": 1, "mapId": 100000000, "instance": nil, "source": 3, "quantity": 10, "x": -120, "y": 215}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "CharacterDropMeso", "amount": 500}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER",
                    30001,
                    json!({"worldId": 0, "characterId": 30001, "type": "REQUEST_DROP_MESO", "body": {"channelId": 1, "mapId": 100000000, "amount": 500}}),
                )],
            ),
            (
                ctx(),
                json!({"type": "DropPickUp", "dropId": 88231, "x": 410, "y": 274}),
                vec![(
                    "COMMAND_TOPIC_DROP",
                    88231,
                    with(
                        json!({"type": "REQUEST_RESERVATION", "body": {"dropId": 88231, "characterId": 30001, "characterX": 410, "characterY": 274, "petSlot": -1}}),
                    ),
                )],
            ),
            (
                ctx(),
                json!({"type": "MessengerAnswerInvite", "messengerId": 0}),
                vec![("COMMAND_TOPIC_MESSENGER", 30001, json!({"actorId": 30001, "type": "CREATE", "body": {}}))],
            ),
            (
                ctx(),
                json!({"type": "MessengerAnswerInvite", "messengerId": 7}),
                vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "MESSENGER", "type": "ACCEPT", "body": {"targetId": 30001, "referenceId": 7}}),
                )],
            ),
            (
                in_messenger.clone(),
                json!({"type": "MessengerClose"}),
                vec![("COMMAND_TOPIC_MESSENGER", 30001, json!({"actorId": 30001, "type": "LEAVE", "body": {"messengerId": 7}}))],
            ),
            (ctx(), json!({"type": "MessengerClose"}), vec![]),
            (
                in_messenger.clone(),
                json!({"type": "MessengerInvite", "name": "Bob"}),
                vec![(
                    "COMMAND_TOPIC_MESSENGER",
                    30001,
                    json!({"actorId": 30001, "type": "REQUEST_INVITE", "body": {"characterId": 30002}}),
                )],
            ),
            (
                in_messenger.clone(),
                json!({"type": "MessengerDeclineInvite", "fromName": "Bob"}),
                vec![(
                    "COMMAND_TOPIC_INVITE",
                    30001,
                    json!({"worldId": 0, "inviteType": "MESSENGER", "type": "REJECT", "body": {"targetId": 30001, "originatorId": 30002}}),
                )],
            ),
            (
                in_messenger,
                json!({"type": "MessengerChat", "message": "hi"}),
                vec![(
                    "COMMAND_TOPIC_CHARACTER_CHAT",
                    30001,
                    with(json!({"actorId": 30001, "message": "hi", "type": "MESSENGER", "body": {"recipients": [30002]}})),
                )],
            ),
        ];
        assert_eq!(field, Value::Object(field_block(&ctx().field)));
        for (context, action, expected) in table {
            let outcome = translate(&frame(action.clone()), &context);
            let got: Vec<(&str, u32, Value)> = outcome.commands.into_iter().map(|c| (c.topic, c.key, c.value)).collect();
            assert_eq!(got, expected, "{action}");
            assert!(!outcome.destroy, "{action}");
        }
    }

    #[test]
    fn rule_breaking_actions_destroy_the_session() {
        let not_owned = Context { hp: Some(50), owned_level: Some(1), ..ctx() };
        let used = translate(&frame(json!({"type": "CharacterUseSkill", "skillId": 2001002, "level": 2})), &not_owned);
        assert!(used.destroy && used.commands.is_empty());
        let attack = translate(
            &frame(json!({"type": "CharacterAttack", "skillId": 2001002, "targets": [{"monsterId": 1, "damages": [5]}]})),
            &ctx(),
        );
        assert!(attack.destroy && attack.commands.is_empty());
        let dead =
            translate(&frame(json!({"type": "CharacterUseSkill", "skillId": 2001002, "level": 1})), &Context { hp: Some(0), ..ctx() });
        assert_eq!((dead.commands.len(), dead.reply.len(), dead.destroy), (0, 1, false), "a dead character is only unlocked");
    }
}
