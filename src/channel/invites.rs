//! Invitations other than the messenger's (spec 50 §4.20): a party, buddy or guild
//! invitation shown to the invited character, a refusal to the inviter.

use super::deliver::{Recipients, Scope};
use super::lookups;
use super::updates::push;
use crate::channel::frames::Frame;
use crate::contracts::channel::buddy::{Buddy, BuddyOperation, DEFAULT_GROUP};
use crate::contracts::channel::first_wave::{InviteEvent, InviteStatus};
use crate::contracts::channel::guild::{self, GuildInvitation};
use crate::contracts::channel::party::{self, InviteType, PartyOperation};

/// `CREATED` to the target, `REJECTED` to the originator, each with the other's name.
pub(super) async fn deliver(to: &Recipients<'_>, r: &InviteStatus) {
    let e = &r.envelope;
    // Invite types the edge shows nothing for (family, trade, …) are not one of these.
    let Ok(kind) = serde_json::from_value::<InviteType>(serde_json::Value::String(e.invite_type.clone())) else { return };
    let scope = Scope::World(e.world_id);
    let (originator, target) = (r.body().originator_id, r.body().target_id);
    let created = matches!(r.event, InviteEvent::Created(_));
    let (recipient, other) = if created { (target, originator) } else { (originator, target) };
    if to.session(recipient, scope).is_none() {
        return;
    }
    let Some(character) = lookups::character_of(&to.edge.services, to.tenant, other).await else { return };
    let name = character.fields.name;
    let frame: Frame = match (kind, created) {
        (InviteType::Party, true) => push(&PartyOperation::Invite { party_id: e.reference_id, name }),
        (InviteType::Party, false) => push(&PartyOperation::Error { error: party::DENIED.into(), name }),
        (InviteType::Guild, true) => push(&GuildInvitation::Invite { guild_id: e.reference_id, name }),
        (InviteType::Guild, false) => push(&GuildInvitation::Error { error: guild::DENIED.into(), name }),
        (InviteType::Buddy, true) => {
            // the pending entry is the requester, not the invited character.
            let buddy = Buddy {
                character_id: originator,
                group: DEFAULT_GROUP.into(),
                character_name: name.clone(),
                channel_id: -1,
                in_shop: false,
            };
            push(&BuddyOperation::Invite { originator_id: e.reference_id, name, buddy })
        }
        // A declined buddy request tells nobody; the messenger's rows are `deliver`'s own.
        (InviteType::Buddy | InviteType::Messenger, _) => return,
    };
    to.one(recipient, scope, &frame);
}
