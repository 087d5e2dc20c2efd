//! The channel's registration with the world service (spec 51 §3.1): a JSON:API document
//! POSTed for every served channel.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// `{"data":{"type":"channels","id":…,"attributes":{…}}}`; the id is fresh each call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRegistration {
    pub data: ChannelResource,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelResource {
    #[serde(rename = "type")]
    pub kind: ChannelsType,
    pub id: Uuid,
    pub attributes: ChannelAttributes,
}

/// The JSON:API resource type, `channels`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelsType {
    Channels,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelAttributes {
    pub world_id: u8,
    pub channel_id: u8,
    pub ip_address: String,
    pub port: u16,
    pub current_capacity: u64,
    pub max_capacity: u32,
    pub created_at: DateTime<Utc>,
}

impl ChannelRegistration {
    pub fn new(id: Uuid, attributes: ChannelAttributes) -> ChannelRegistration {
        ChannelRegistration { data: ChannelResource { kind: ChannelsType::Channels, id, attributes } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_document_is_spec_51s() {
        let id: Uuid = "5b0e7c1e-2f7d-4a36-9a57-0c7f1d0b9e21".parse().expect("uuid");
        let created_at = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("time").with_timezone(&Utc);
        let attributes = ChannelAttributes {
            world_id: 0,
            channel_id: 1,
            ip_address: "10.0.0.5".into(),
            port: 8585,
            current_capacity: 0,
            max_capacity: 1000,
            created_at,
        };
        assert_eq!(
            serde_json::to_value(ChannelRegistration::new(id, attributes)).expect("serialises"),
            json!({"data": {"type": "channels", "id": id, "attributes": {"worldId": 0, "channelId": 1, "ipAddress": "10.0.0.5",
                "port": 8585, "currentCapacity": 0, "maxCapacity": 1000, "createdAt": "2026-01-01T00:00:00Z"}}})
        );
    }
}
