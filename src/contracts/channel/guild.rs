//! Guild invitations (the GUILD rows of spec 50 §4.20): the `GuildOperation` pushes an
//! invitation and its refusal become.

use super::Push;
use serde::Serialize;

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
