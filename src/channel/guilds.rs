//! Guilds: the guild records pushed to online members and to the character concerned
//! (spec 50 §4.21, with fixed) and the prompts of COMMAND_TOPIC_GUILD
//! (§4.22). The client's guild actions and the guild board are in `guild_window`.

use super::deliver::{Recipients, Scope};
use super::lookups;
use super::updates::{kind, part, push};
use crate::contracts::channel::guild::{
    Emblem, GuildBody, GuildEmblemChanged, GuildMember, GuildNameChanged, GuildOperation, GuildPromptRecord, GuildRecord, PromptBody,
    NO_PARTY,
};
use crate::contracts::decode::{self, Decoded, Reject};
use serde_json::Value;

/// A guild record or prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub world: u8,
    pub guild: u32,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    RequestAgreement {
        founder: u32,
        proposed_name: String,
    },
    Created,
    Disbanded {
        members: Vec<u32>,
    },
    EmblemUpdated(Emblem),
    MemberOnline {
        character: u32,
        online: bool,
    },
    MemberTitle {
        character: u32,
        title: u8,
    },
    MemberLeft {
        character: u32,
        expelled: bool,
    },
    MemberJoined(GuildMember),
    Notice(String),
    Capacity(u32),
    Titles(Vec<String>),
    Error {
        actor: u32,
        error: String,
    },
    /// COMMAND_TOPIC_GUILD: the character is asked for a name or an emblem.
    Prompt {
        character: u32,
        channel: u8,
        emblem: bool,
    },
}

impl Update {
    pub fn subject(&self) -> u32 {
        match &self.change {
            Change::Prompt { character, .. } => *character,
            _ => self.guild,
        }
    }
}

/// EVENT_TOPIC_GUILD_STATUS.
pub fn decode_status(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: GuildRecord = decode::into(value.clone())?;
    let b: GuildBody = part(value.get("body"))?;
    let change = match kind {
        "REQUEST_AGREEMENT" => Change::RequestAgreement { founder: b.actor_id, proposed_name: b.proposed_name },
        "CREATED" => Change::Created,
        "DISBANDED" => Change::Disbanded { members: b.members },
        "EMBLEM_UPDATED" => Change::EmblemUpdated(b.emblem),
        "MEMBER_STATUS_UPDATED" => Change::MemberOnline { character: b.character_id, online: b.online },
        "MEMBER_TITLE_UPDATED" => Change::MemberTitle { character: b.character_id, title: b.title },
        "MEMBER_LEFT" => Change::MemberLeft { character: b.character_id, expelled: b.force },
        "MEMBER_JOINED" => Change::MemberJoined(GuildMember {
            character_id: b.character_id,
            name: b.name,
            job_id: b.job_id,
            level: b.level,
            title: b.title,
            online: b.online,
            alliance_title: b.alliance_title,
        }),
        "NOTICE_UPDATED" => Change::Notice(b.notice),
        "CAPACITY_UPDATED" => Change::Capacity(b.capacity),
        "TITLES_UPDATED" => Change::Titles(b.titles),
        "ERROR" => Change::Error { actor: b.actor_id, error: b.error },
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    Ok(Decoded::Message(Update { world: record.world_id, guild: record.guild_id, change }))
}

/// COMMAND_TOPIC_GUILD: `REQUEST_NAME` and `REQUEST_EMBLEM` (the other types are commands
/// for the guild service).
pub fn decode_prompt(value: &Value) -> Result<Decoded<Update>, Reject> {
    let kind = kind(value)?;
    let record: GuildPromptRecord = decode::into(value.clone())?;
    let emblem = match kind {
        "REQUEST_NAME" => false,
        "REQUEST_EMBLEM" => true,
        other => return Ok(Decoded::Unhandled(other.to_string())),
    };
    let at: PromptBody = part(value.get("body"))?;
    Ok(Decoded::Message(Update {
        world: at.world_id,
        guild: 0,
        change: Change::Prompt { character: record.character_id, channel: at.channel_id, emblem },
    }))
}

/// A guild as the guild service holds it (G of spec 50 §4.21).
struct Guild {
    attributes: Value,
}

impl Guild {
    fn online(&self) -> Vec<u32> {
        let members = self.attributes["members"].as_array().cloned().unwrap_or_default();
        members.iter().filter(|m| m["online"] == true).filter_map(|m| u32::try_from(lookups::number(m, "characterId")).ok()).collect()
    }

    fn name(&self) -> String {
        self.attributes["name"].as_str().unwrap_or_default().to_string()
    }

    fn emblem(&self) -> Emblem {
        serde_json::from_value(self.attributes.clone()).unwrap_or_default()
    }
}

async fn guild(to: &Recipients<'_>, id: u32) -> Option<Guild> {
    lookups::one(&to.edge.services, to.tenant, "GUILDS", &format!("guilds/{id}")).await.map(|attributes| Guild { attributes })
}

/// Name and emblem above `character`'s head, for everyone in its map (itself included).
async fn foreign_emblem(to: &Recipients<'_>, scope: Scope, character: u32, name: String, emblem: Emblem) {
    to.map_of(character, scope, true, &push(&GuildNameChanged { character_id: character, name })).await;
    to.map_of(character, scope, true, &push(&GuildEmblemChanged { character_id: character, emblem })).await;
}

/// Each online member connected here gets its own push (Q-4: one absent member does not
/// silence the others).
pub(super) async fn deliver(to: &Recipients<'_>, update: Update) {
    let (guild_id, scope) = (update.guild, Scope::World(update.world));
    let info = |g: &Guild| push(&GuildOperation::Info { guild_id, guild: Some(g.attributes.clone()) });
    let none = || push(&GuildOperation::Info { guild_id: 0, guild: None });
    let to_others = |ids: &[u32], except: u32, operation: GuildOperation| {
        let others: Vec<u32> = ids.iter().copied().filter(|id| *id != except).collect();
        to.list(&others, scope, &push(&operation));
    };
    match update.change {
        Change::Prompt { character, channel, emblem } => {
            let operation = if emblem { GuildOperation::RequestEmblem } else { GuildOperation::RequestName };
            to.one(character, Scope::Channel(update.world, channel), &push(&operation));
        }
        Change::Error { actor, error } => {
            to.one(actor, scope, &push(&GuildOperation::Error { error }));
        }
        Change::RequestAgreement { founder, proposed_name } => request_agreement(to, scope, founder, proposed_name).await,
        Change::Created => {
            let Some(g) = guild(to, guild_id).await else { return };
            let online = g.online();
            for member in &online {
                foreign_emblem(to, scope, *member, g.name(), g.emblem()).await;
            }
            to.list(&online, scope, &info(&g));
        }
        // the members come from the record; the guild is gone.
        Change::Disbanded { members } => {
            for member in &members {
                foreign_emblem(to, scope, *member, String::new(), Emblem::default()).await;
            }
            to.list(&members, scope, &push(&GuildOperation::Disband { guild_id }));
            to.list(&members, scope, &none());
        }
        Change::EmblemUpdated(emblem) => {
            let Some(g) = guild(to, guild_id).await else { return };
            let online = g.online();
            to.list(&online, scope, &push(&GuildOperation::EmblemChange { guild_id, emblem }));
            for member in &online {
                to.map_of(*member, scope, true, &push(&GuildEmblemChanged { character_id: *member, emblem })).await;
            }
        }
        Change::MemberOnline { character, online } => {
            let Some(g) = guild(to, guild_id).await else { return };
            to_others(&g.online(), character, GuildOperation::MemberOnline { guild_id, character_id: character, online });
            if online {
                to.one(character, scope, &info(&g));
            }
        }
        Change::MemberTitle { character, title } => {
            let Some(g) = guild(to, guild_id).await else { return };
            to_others(&g.online(), character, GuildOperation::MemberTitleChange { guild_id, character_id: character, title });
            to.one(character, scope, &info(&g));
        }
        Change::MemberLeft { character, expelled } => {
            let (Some(g), Some(left)) = (guild(to, guild_id).await, lookups::character(&to.edge.services, to.tenant, character).await)
            else {
                return;
            };
            let name = left["name"].as_str().unwrap_or_default().to_string();
            let operation = match expelled {
                true => GuildOperation::MemberExpelledSuccess { guild_id, character_id: character, name },
                false => GuildOperation::MemberQuitSuccess { guild_id, character_id: character, name },
            };
            to_others(&g.online(), character, operation);
            to.one(character, scope, &none());
            foreign_emblem(to, scope, character, String::new(), Emblem::default()).await;
        }
        Change::MemberJoined(member) => {
            let Some(g) = guild(to, guild_id).await else { return };
            let joiner = member.character_id;
            to_others(&g.online(), joiner, GuildOperation::JoinSuccess { guild_id, member });
            to.one(joiner, scope, &info(&g));
            foreign_emblem(to, scope, joiner, g.name(), g.emblem()).await;
        }
        Change::Notice(notice) => online_members(to, scope, guild_id, GuildOperation::NoticeChange { guild_id, notice }).await,
        Change::Capacity(capacity) => online_members(to, scope, guild_id, GuildOperation::CapacityIncreased { guild_id, capacity }).await,
        Change::Titles(titles) => online_members(to, scope, guild_id, GuildOperation::TitleUpdate { guild_id, titles }).await,
    }
}

async fn online_members(to: &Recipients<'_>, scope: Scope, guild_id: u32, operation: GuildOperation) {
    let Some(g) = guild(to, guild_id).await else { return };
    to.list(&g.online(), scope, &push(&operation));
}

/// The founder's party members (not the founder) in its world, channel, map and
/// instance are asked to agree; a founder without a party is told it failed.
async fn request_agreement(to: &Recipients<'_>, scope: Scope, founder: u32, proposed_name: String) {
    let path = format!("parties?filter[members.id]={founder}");
    let parties = lookups::resources(&to.edge.services, to.tenant, "PARTIES", &path).await;
    let Some((id, party)) = parties.into_iter().next() else {
        to.one(founder, scope, &push(&GuildOperation::Error { error: NO_PARTY.into() }));
        return;
    };
    let members = party["members"].as_array().cloned().unwrap_or_default();
    let founder_record = members.iter().find(|m| u32::try_from(lookups::number(m, "id")).ok() == Some(founder));
    let Some(founder_record) = founder_record else { return };
    let at =
        |m: &Value| (lookups::number(m, "worldId"), lookups::number(m, "channelId"), lookups::number(m, "mapId"), m["instance"].clone());
    let leader_name = founder_record["name"].as_str().unwrap_or_default().to_string();
    let asked: Vec<u32> = members
        .iter()
        .filter(|m| m["online"] == true && at(m) == at(founder_record))
        .filter_map(|m| u32::try_from(lookups::number(m, "id")).ok())
        .filter(|id| *id != founder)
        .collect();
    let operation = GuildOperation::RequestAgreement { party_id: id.parse().unwrap_or(0), leader_name, proposed_name };
    to.list(&asked, scope, &push(&operation));
}
