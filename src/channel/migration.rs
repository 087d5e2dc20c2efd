//! Leaving this channel: a channel change and entering or leaving the cash shop (spec 51
//! §3.2, §4.36). The account service is asked to move the session to its transition
//! state; its answer tells the client where to reconnect, and the session then ends
//! without a LOGOUT (the account stays logged in across the move).

use super::actions::{self, command};
use super::commands::{Context as Session, Outcome};
use super::sessions::Session as Connected;
use super::updates::push;
use super::{lookups, Edge};
use crate::contracts::channel::session::{Address, CashShopMove, CashShopOpen, CashShopStatus, InField, ProgressState};
use serde::Deserialize;

/// The client frames that leave this channel (docs/client-protocol.md).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Action {
    ChannelChange {
        channel_id: u8,
    },
    CashShopEntry,
    /// Go's `MapChange` with an empty body: back from the cash shop to this channel.
    CashShopExit,
}

/// What a move needs: whether the character lives, the channel's address, and for the
/// cash shop the account, character and buddy list (any of them missing ends the session).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub session: uuid::Uuid,
    pub alive: bool,
    pub address: Option<Address>,
    pub shop: Option<CashShopOpen>,
}

/// The address of a channel (`GET worlds/{w}/channels/{c}`).
async fn address(edge: &Edge, session: &Connected, channel: u8) -> Option<Address> {
    let path = format!("worlds/{}/channels/{channel}", session.world);
    let attributes = lookups::one(&edge.services, &session.tenant, "CHANNELS", &path).await?;
    let ip_address = attributes["ipAddress"].as_str().filter(|ip| !ip.is_empty())?.to_string();
    let port = u16::try_from(attributes["port"].as_u64()?).ok()?;
    Some(Address { ip_address, port })
}

pub async fn resolve(edge: &Edge, session: &Connected, ctx: &Session, action: &Action) -> actions::Context {
    let (services, tenant) = (&edge.services, &session.tenant);
    let mut found = Found { session: session.id, ..Found::default() };
    match action {
        Action::ChannelChange { channel_id } => {
            let character = lookups::character(services, tenant, ctx.character).await;
            found.alive = character.is_some_and(|c| lookups::number(&c, "hp") > 0);
            if found.alive {
                found.address = address(edge, session, *channel_id).await;
            }
        }
        Action::CashShopExit => found.address = address(edge, session, session.channel).await,
        Action::CashShopEntry => {
            let (account, character, buddies) = (
                lookups::one(services, tenant, "ACCOUNTS", &format!("accounts/{}", ctx.account)).await,
                lookups::character(services, tenant, ctx.character).await,
                lookups::one(services, tenant, "BUDDIES", &format!("characters/{}/buddy-list", ctx.character)).await,
            );
            if let (Some(account), Some(character), Some(buddies)) = (account, character, buddies) {
                found.shop = Some(CashShopOpen { account, character, buddies });
            }
        }
    }
    actions::Context { migration: found, ..actions::Context::default() }
}

pub fn translate(action: &Action, ctx: &Session) -> Outcome {
    let found = &ctx.play.migration;
    let at = InField { character_id: ctx.character, channel_id: ctx.field.channel, map_id: ctx.field.map };
    let cash_shop = |kind: CashShopMove| command(&CashShopStatus { world_id: ctx.field.world, character_id: 0, kind });
    let progress = |address: &Address| command(&ProgressState::transition(found.session, ctx.account, address.clone()));
    let commands = |commands| Outcome { commands, ..Outcome::default() };
    match (action, &found.address) {
        // A dead character stays (spec 51 §3.2); a channel without an address moves nobody.
        (Action::ChannelChange { .. }, Some(address)) if found.alive => commands(vec![progress(address)]),
        (Action::CashShopExit, Some(address)) => commands(vec![cash_shop(CashShopMove::CharacterExit(at)), progress(address)]),
        (Action::ChannelChange { .. } | Action::CashShopExit, _) => Outcome::default(),
        (Action::CashShopEntry, _) => match &found.shop {
            // The cash shop lives in other services: this edge shows its window and announces the entry.
            Some(shop) => {
                Outcome { reply: vec![push(shop)], commands: vec![cash_shop(CashShopMove::CharacterEnter(at))], ..Outcome::default() }
            }
            None => Outcome { destroy: true, ..Outcome::default() },
        },
    }
}
