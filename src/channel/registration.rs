//! Channel registration with the world service (spec 51 §3.1): a POST per served channel
//! every 10 s and on COMMAND_TOPIC_CHANNEL_STATUS. Off unless an address to announce is
//! configured. A channel with a binary port is announced with that port (game clients
//! connect there); one without, with the configured address's port.

use super::Edge;
use crate::actors::foreign;
use crate::contracts::channel::registration::{ChannelAttributes, ChannelRegistration};
use crate::contracts::tenant::Tenant;
use std::sync::Arc;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(10);

/// A channel this process serves: `TENANT_ID:REGION:MAJOR.MINOR:WORLD:CHANNEL[:PORT]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    pub tenant: Tenant,
    pub world: u8,
    pub channel: u8,
    /// The port of the channel's binary listener (the game's own protocol); none: no
    /// binary listener.
    pub port: Option<u16>,
}

impl std::str::FromStr for Served {
    type Err = String;

    fn from_str(text: &str) -> Result<Served, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let (id, region, version, world, channel, port) = match parts[..] {
            [id, region, version, world, channel] => (id, region, version, world, channel, None),
            [id, region, version, world, channel, port] => (id, region, version, world, channel, Some(port)),
            _ => return Err(format!("{text}: expected TENANT_ID:REGION:MAJOR.MINOR:WORLD:CHANNEL[:PORT]")),
        };
        let (major, minor) = version.split_once('.').ok_or_else(|| format!("{version}: expected MAJOR.MINOR"))?;
        let number = |t: &str| t.parse::<u16>().map_err(|_| format!("{t}: not a number"));
        Ok(Served {
            tenant: Tenant {
                id: id.parse().map_err(|_| format!("{id}: not a UUID"))?,
                region: region.into(),
                major: number(major)?,
                minor: number(minor)?,
            },
            world: world.parse().map_err(|_| format!("{world}: not a world id"))?,
            channel: channel.parse().map_err(|_| format!("{channel}: not a channel id"))?,
            port: port.map(|p| p.parse().map_err(|_| format!("{p}: not a port"))).transpose()?,
        })
    }
}

/// Registers every served channel now and every 10 s.
pub fn spawn_heartbeat(edge: Arc<Edge>) {
    if edge.settings.advertised.is_none() || edge.settings.served.is_empty() {
        return;
    }
    actix_rt::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            for channel in &edge.settings.served {
                register(&edge, channel).await;
            }
        }
    });
}

/// Re-registers the served channels of a tenant (COMMAND_TOPIC_CHANNEL_STATUS).
pub async fn register_tenant(edge: &Arc<Edge>, tenant: uuid::Uuid) {
    for channel in edge.settings.served.iter().filter(|s| s.tenant.id == tenant) {
        register(edge, channel).await;
    }
}

async fn register(edge: &Edge, served: &Served) {
    let Some(advertised) = &edge.settings.advertised else { return };
    let (address, port) = announced(advertised, served);
    let attributes = ChannelAttributes {
        world_id: served.world,
        channel_id: served.channel,
        ip_address: address,
        port,
        current_capacity: edge.sessions.len() as u64,
        max_capacity: 1000,
        created_at: chrono::Utc::now(),
    };
    // A derived `Serialize` of these structs (string keys only) cannot fail.
    let document = serde_json::to_value(ChannelRegistration::new(uuid::Uuid::new_v4(), attributes)).unwrap_or_default();
    let path = format!("worlds/{}/channels", served.world);
    if foreign::post_for(&edge.services.foreign, &served.tenant, "CHANNELS_SERVICE_URL", &path, &document).await.is_none() {
        tracing::debug!(world = served.world, channel = served.channel, "channel registration refused");
    }
}

/// The address a channel is announced with: the configured host, and the channel's binary
/// port when it has one (game clients connect there), else the configured port.
fn announced(advertised: &(String, u16), served: &Served) -> (String, u16) {
    (advertised.0.clone(), served.port.unwrap_or(advertised.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_with_a_binary_port_is_announced_with_it() {
        let advertised = ("10.0.0.5".to_string(), 8585);
        let websocket_only: Served = "083839c6-c47c-42a6-9585-76492795d123:GMS:83.1:0:1".parse().expect("served");
        let binary: Served = "083839c6-c47c-42a6-9585-76492795d123:GMS:83.1:0:2:7576".parse().expect("served");
        assert_eq!(announced(&advertised, &websocket_only), ("10.0.0.5".to_string(), 8585));
        assert_eq!(announced(&advertised, &binary), ("10.0.0.5".to_string(), 7576));
    }

    #[test]
    fn served_channels_parse() {
        let served: Served = "083839c6-c47c-42a6-9585-76492795d123:GMS:83.1:0:1".parse().expect("served channel");
        assert_eq!((served.tenant.region.as_str(), served.tenant.major, served.world, served.channel), ("GMS", 83, 0, 1));
        assert!("x:GMS:83.1:0:1".parse::<Served>().is_err());
        assert!("083839c6-c47c-42a6-9585-76492795d123:GMS:83:0:1".parse::<Served>().is_err());
        assert_eq!(served.port, None);
        let binary: Served = "083839c6-c47c-42a6-9585-76492795d123:GMS:83.1:0:1:7575".parse().expect("served channel with a port");
        assert_eq!(binary.port, Some(7575));
        assert!("083839c6-c47c-42a6-9585-76492795d123:GMS:83.1:0:1:x".parse::<Served>().is_err());
    }
}
