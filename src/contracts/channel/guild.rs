//! Guilds (spec 50 §4.21, §4.22 and the GUILD rows of §4.20): the guild records and
//! prompts, and the `GuildOperation`, name and emblem pushes they become.

use super::Push;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The error an inviter sees when its guild invitation is declined.
pub const DENIED: &str = "HAS_DENIED_YOUR_GUILD_INVITATION";

/// `GuildOperation` about an invitation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum GuildInvitation {
    Invite { guild_id: u32, name: String },
    Error { error: String, name: String },
}

impl Push for GuildInvitation {
    const WRITER: &'static str = "GuildOperation";
}

/// EVENT_TOPIC_GUILD_STATUS envelope.
///
/// `{"worldId":0,"guildId":12,"type":"MEMBER_STATUS_UPDATED","body":{"characterId":30001,"online":true}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GuildRecord {
    pub world_id: u8,
    pub guild_id: u32,
}

/// The bodies of the guild records, each type using some of these fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GuildBody {
    pub actor_id: u32,
    pub proposed_name: String,
    pub members: Vec<u32>,
    pub character_id: u32,
    pub online: bool,
    pub title: u8,
    pub force: bool,
    pub name: String,
    pub job_id: u16,
    pub level: u8,
    pub alliance_title: u8,
    pub notice: String,
    pub capacity: u32,
    pub titles: Vec<String>,
    pub error: String,
    #[serde(flatten)]
    pub emblem: Emblem,
}

/// A guild's emblem; all zero is no emblem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Emblem {
    pub logo: u16,
    pub logo_color: u8,
    pub logo_background: u16,
    pub logo_background_color: u8,
}

/// A member joining, as the record describes it: the guild service's member.
pub use super::guild_window::Member as GuildMember;

/// COMMAND_TOPIC_GUILD prompts the channel shows (`REQUEST_NAME`, `REQUEST_EMBLEM`).
///
/// `{"characterId":30001,"type":"REQUEST_NAME","body":{"worldId":0,"channelId":1}}`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GuildPromptRecord {
    pub character_id: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PromptBody {
    pub world_id: u8,
    pub channel_id: u8,
}

/// `GuildOperation` about a guild.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "operation", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum GuildOperation {
    /// The guild as the guild service holds it; `guildId` 0 and no `guild`: in none.
    Info {
        guild_id: u32,
        guild: Option<Value>,
    },
    RequestAgreement {
        party_id: u32,
        leader_name: String,
        proposed_name: String,
    },
    Disband {
        guild_id: u32,
    },
    EmblemChange {
        guild_id: u32,
        #[serde(flatten)]
        emblem: Emblem,
    },
    MemberOnline {
        guild_id: u32,
        character_id: u32,
        online: bool,
    },
    MemberTitleChange {
        guild_id: u32,
        character_id: u32,
        title: u8,
    },
    MemberExpelledSuccess {
        guild_id: u32,
        character_id: u32,
        name: String,
    },
    MemberQuitSuccess {
        guild_id: u32,
        character_id: u32,
        name: String,
    },
    JoinSuccess {
        guild_id: u32,
        member: GuildMember,
    },
    NoticeChange {
        guild_id: u32,
        notice: String,
    },
    #[serde(rename = "CONGRATULATION_THE_NUMBER_OF_GUILD_MEMBERS_HAS_NOW_INCREASED_TO")]
    CapacityIncreased {
        guild_id: u32,
        capacity: u32,
    },
    TitleUpdate {
        guild_id: u32,
        titles: Vec<String>,
    },
    Error {
        error: String,
    },
    RequestName,
    RequestEmblem,
}

impl Push for GuildOperation {
    const WRITER: &'static str = "GuildOperation";
}

/// The error shown to a founder without a party.
pub const NO_PARTY: &str = "THE_PROBLEM_HAS_HAPPENED_DURING_THE_PROCESS_OF_FORMING_THE_GUILD_PLEASE_TRY_AGAIN";

/// `GuildNameChanged` and `GuildEmblemChanged`: what others see above a character's head.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuildNameChanged {
    pub character_id: u32,
    pub name: String,
}

impl Push for GuildNameChanged {
    const WRITER: &'static str = "GuildNameChanged";
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuildEmblemChanged {
    pub character_id: u32,
    #[serde(flatten)]
    pub emblem: Emblem,
}

impl Push for GuildEmblemChanged {
    const WRITER: &'static str = "GuildEmblemChanged";
}
