//! Parties: the party window's actions (spec 51 §4.13, with Q5 fixed, and the PARTY rows
//! of §4.30) and the party records pushed back (spec 50 §4.17, §4.18, with Q-10 fixed).

use super::actions::{self, command};
use super::commands::{Context as Session, Outcome};
use super::deliver::{Recipients, Scope};
use super::sessions::Session as Connected;
use super::updates::{kind, part, push};
use super::{lookups, Edge};
use crate::channel::Services;
use crate::contracts::channel::party::{
    Disbanded, InviteCommand, InviteCommandKind, InviteType, PartyCommand, PartyCommandKind, PartyError, PartyList, PartyListMember,
    PartyMemberRecord, PartyOperation, PartyStatusRecord, PartyTarget, NOT_IN_THIS_CHANNEL,
};
use crate::contracts::channel::Empty;
use crate::contracts::decode::{self, Decoded, Reject};
use crate::contracts::strict::IgnoredObject;
use crate::contracts::tenant::Tenant;
use serde::Deserialize;
use serde_json::Value;

/// Longest character name a client may send (longer ones name nobody; no look-up is made).
pub const MAX_NAME: usize = 13;

/// The party client frames (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    PartyOperation {
        operation: PartyOp,
        #[serde(default)]
        party_id: u32,
        #[serde(default)]
        target_id: u32,
        #[serde(default)]
        name: String,
    },
    /// Declining a party invitation from `fromName`.
    PartyInviteReject { from_name: String },
}

/// What the party window asks (v83 CREATE 1, LEAVE 2, JOIN 3, INVITE 4, EXPEL 5, CHANGE_LEADER 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartyOp {
    Create,
    Leave,
    Join,
    Invite,
    Expel,
    ChangeLeader,
}

/// The sender's party, or the character a name names and whether it is on the sender's
/// world and channel here.
pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> actions::Context {
    let (services, tenant) = (&edge.services, &session.tenant);
    let mut found = actions::Context::default();
    match action {
        Action::PartyOperation { operation: PartyOp::Leave | PartyOp::Expel | PartyOp::ChangeLeader, .. } => {
            found.party = party_of(services, tenant, ctx.character).await;
        }
        Action::PartyOperation { operation: PartyOp::Invite, name, .. } => {
            found.named = named(services, tenant, name).await;
            found.named_here = found
                .named
                .and_then(|id| edge.sessions.character(tenant, id))
                .is_some_and(|s| s.world == session.world && s.channel == session.channel);
        }
        Action::PartyInviteReject { from_name } => found.named = named(services, tenant, from_name).await,
        Action::PartyOperation { .. } => {}
    }
    found
}

/// The character named `name`; names longer than a character name are not looked up.
pub async fn named(services: &Services, tenant: &Tenant, name: &str) -> Option<u32> {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return None;
    }
    lookups::character_named(services, tenant, name).await
}

/// The id of the party `character` is in (`GET parties?filter[members.id]=`).
async fn party_of(services: &Services, tenant: &Tenant, character: u32) -> Option<u32> {
    let parties = lookups::resources(services, tenant, "PARTIES", &format!("parties?filter[members.id]={character}")).await;
    parties.first().and_then(|(id, _)| id.parse().ok())
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let party = |actor_id: u32, kind: PartyCommandKind| command(&PartyCommand { actor_id, kind });
    let invite = |kind: InviteCommandKind| command(&InviteCommand { world_id: ctx.field.world, invite_type: InviteType::Party, kind });
    let c = ctx.character;
    let commands = match (action, ctx.play.party) {
        (Action::PartyOperation { operation: PartyOp::Create, .. }, _) => vec![party(c, PartyCommandKind::Create(Empty {}))],
        (Action::PartyOperation { operation: PartyOp::Leave, .. }, Some(party_id)) => {
            vec![party(c, PartyCommandKind::Leave { party_id, force: false })]
        }
        // Q5: the expelled member is the actor, so the party service removes it, not the leader.
        (Action::PartyOperation { operation: PartyOp::Expel, target_id, .. }, Some(party_id)) if *target_id != 0 => {
            vec![party(*target_id, PartyCommandKind::Leave { party_id, force: true })]
        }
        (Action::PartyOperation { operation: PartyOp::ChangeLeader, target_id, .. }, Some(party_id)) if *target_id != 0 => {
            vec![party(c, PartyCommandKind::ChangeLeader { party_id, leader_id: *target_id })]
        }
        (Action::PartyOperation { operation: PartyOp::Join, party_id, .. }, _) if *party_id != 0 => {
            vec![invite(InviteCommandKind::Accept { target_id: c, reference_id: *party_id })]
        }
        (Action::PartyOperation { operation: PartyOp::Invite, name, .. }, _) => match (ctx.play.named, ctx.play.named_here) {
            (Some(target), true) => vec![party(c, PartyCommandKind::RequestInvite { character_id: target })],
            // Q15: one error, then nothing more.
            _ => {
                let error = PartyOperation::Error { error: NOT_IN_THIS_CHANNEL.into(), name: name.clone() };
                return Outcome { reply: vec![push(&error)], ..Outcome::default() };
            }
        },
        (Action::PartyInviteReject { .. }, _) => match ctx.play.named {
            Some(originator) => vec![invite(InviteCommandKind::Reject { target_id: c, originator_id: originator })],
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    Outcome { commands, ..Outcome::default() }
}

/// A party record for this process's sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub world: u8,
    pub party: u32,
    /// The character the record is about (actor, or the member logging in or out).
    pub character: u32,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Created,
    Joined,
    Left,
    Expelled(PartyTarget),
    Disbanded(Disbanded),
    LeaderChanged(PartyTarget),
    Error(PartyError),
    /// A member logged in or out (EVENT_TOPIC_PARTY_MEMBER_STATUS).
    MemberOnline,
}

/// EVENT_TOPIC_PARTY_STATUS.
pub fn decode_status(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: PartyStatusRecord = decode::into(value.clone())?;
    let body = value.get("body");
    let change = match kind {
        // `{}` bodies: an object (or absent), never an array or a scalar.
        "CREATED" => part::<IgnoredObject>(body).map(|_| Change::Created)?,
        "JOINED" => part::<IgnoredObject>(body).map(|_| Change::Joined)?,
        "LEFT" => part::<IgnoredObject>(body).map(|_| Change::Left)?,
        "EXPEL" => Change::Expelled(part(body)?),
        "DISBAND" => Change::Disbanded(part(body)?),
        "CHANGE_LEADER" => Change::LeaderChanged(part(body)?),
        "ERROR" => Change::Error(part(body)?),
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { world: record.world_id, party: record.party_id, character: record.actor_id, change }))
}

/// EVENT_TOPIC_PARTY_MEMBER_STATUS.
pub fn decode_member(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: PartyMemberRecord = decode::into(value.clone())?;
    match kind {
        "LOGIN" | "LOGOUT" => part::<IgnoredObject>(value.get("body")).map(|_| {
            Decoded::Message(Update {
                world: record.world_id,
                party: record.party_id,
                character: record.character_id,
                change: Change::MemberOnline,
            })
        }),
        other => Ok(Decoded::Unhandled(other.to_string())),
    }
}

/// A party as the party service holds it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Party {
    leader: u32,
    members: Vec<Member>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Member {
    id: u32,
    name: String,
    job: u16,
    level: u8,
    channel: u8,
    map: u32,
    online: bool,
}

/// A party window holds six members.
const PARTY_SIZE: usize = 6;

fn id_of(value: &Value) -> u32 {
    value.as_u64().or_else(|| value.as_str()?.parse().ok()).and_then(|id| u32::try_from(id).ok()).unwrap_or(0)
}

/// `GET parties/{id}`; `None` when it cannot be read.
async fn party(to: &Recipients<'_>, id: u32) -> Option<Party> {
    let attributes = lookups::one(&to.edge.services, to.tenant, "PARTIES", &format!("parties/{id}")).await?;
    let n = |m: &Value, f: &str| lookups::number(m, f);
    let members = attributes["members"].as_array()?.iter().take(PARTY_SIZE).map(|m| Member {
        id: id_of(&m["id"]),
        name: m["name"].as_str().unwrap_or_default().to_string(),
        job: u16::try_from(n(m, "jobId")).unwrap_or(0),
        level: u8::try_from(n(m, "level")).unwrap_or(0),
        channel: u8::try_from(n(m, "channelId")).unwrap_or(0),
        map: u32::try_from(n(m, "mapId")).unwrap_or(0),
        online: m["online"] == true,
    });
    Some(Party { leader: id_of(&attributes["leaderId"]), members: members.collect() })
}

impl Party {
    /// The window as seen from `channel`: offline members on channel −2, maps only for
    /// members on that channel.
    fn list(&self, channel: u8) -> PartyList {
        let members = self.members.iter().map(|m| PartyListMember {
            id: m.id,
            name: m.name.clone(),
            job_id: m.job,
            level: m.level,
            channel_id: if m.online { i16::from(m.channel) } else { -2 },
            map_id: (m.online && m.channel == channel).then_some(m.map),
        });
        PartyList { leader_id: self.leader, members: members.collect() }
    }

    fn ids(&self) -> Vec<u32> {
        self.members.iter().map(|m| m.id).collect()
    }
}

fn name_of(attributes: &Value) -> String {
    attributes["name"].as_str().unwrap_or_default().to_string()
}

/// Each listed character's session of the world here, once, with a frame made for
/// its channel.
fn each(to: &Recipients<'_>, scope: Scope, ids: &[u32], frame: impl Fn(u8) -> PartyOperation) {
    for session in to.edge.sessions.characters(to.tenant, ids) {
        if scope.admits(&session) {
            session.push(&push(&frame(session.channel)));
        }
    }
}

/// Who is told what: the members present and the character the record is about, each once.
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    let scope = Scope::World(update.world);
    let (party_id, actor) = (update.party, update.character);
    let services = &to.edge.services;
    let with = |mut ids: Vec<u32>, more: u32| {
        ids.push(more);
        ids
    };
    match update.change {
        Change::Created => {
            to.one(actor, scope, &push(&PartyOperation::Created { party_id }));
        }
        Change::Error(PartyError { error, character_name }) => {
            to.one(actor, scope, &push(&PartyOperation::Error { error, name: character_name }));
        }
        Change::Disbanded(Disbanded { members }) => {
            each(to, scope, &with(members, actor), |_| PartyOperation::Disband { party_id, leader_id: actor });
        }
        Change::LeaderChanged(PartyTarget { character_id, disconnected }) => {
            let Some(party) = party(to, party_id).await else { return };
            each(to, scope, &with(party.ids(), character_id), |_| PartyOperation::ChangeLeader { leader_id: character_id, disconnected });
        }
        Change::MemberOnline => {
            let Some(party) = party(to, party_id).await else { return };
            each(to, scope, &party.ids(), |channel| PartyOperation::Update { party_id, party: party.list(channel) });
        }
        Change::Joined | Change::Left | Change::Expelled(_) => {
            let subject = match &update.change {
                Change::Expelled(target) => target.character_id,
                _ => actor,
            };
            let (Some(party), Some(character)) = (party(to, party_id).await, lookups::character(services, to.tenant, subject).await) else {
                return;
            };
            let name = name_of(&character);
            let frame = |channel: u8| {
                let party = party.list(channel);
                let (character_id, name) = (subject, name.clone());
                match &update.change {
                    Change::Joined => PartyOperation::Join { party_id, party, name },
                    Change::Left => PartyOperation::Leave { party_id, party, character_id, name },
                    _ => PartyOperation::Expel { party_id, party, character_id, name },
                }
            };
            // The party is read after the change: a joiner is in it, a leaver is told apart.
            each(to, scope, &with(party.ids(), subject), frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_party_is_seen_from_the_viewers_channel() {
        let member = |id: u32, channel: u8, online: bool| Member {
            id,
            name: format!("m{id}"),
            job: 100,
            level: 30,
            channel,
            map: 1000 + id,
            online,
        };
        let party = Party { leader: 1, members: vec![member(1, 1, true), member(2, 2, true), member(3, 1, false)] };
        let seen = party.list(1);
        assert_eq!(seen.leader_id, 1);
        let view: Vec<(u32, i16, Option<u32>)> = seen.members.iter().map(|m| (m.id, m.channel_id, m.map_id)).collect();
        assert_eq!(view, vec![(1, 1, Some(1001)), (2, 2, None), (3, -2, None)]);
        assert_eq!(party.list(2).members[1].map_id, Some(1002));
    }
}
