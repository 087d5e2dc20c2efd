//! The one foreign call of the messenger domain: resolving a character's name and world
//! from the character service (spec 30 §7).

use super::Entry;
use crate::actors::foreign::{self, Foreign};
use crate::contracts::tenant::Tenant;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Document {
    data: Resource,
}

#[derive(Debug, Deserialize)]
struct Resource {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    attributes: Attributes,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attributes {
    #[serde(default)]
    name: String,
    #[serde(default)]
    world_id: u8,
}

/// A fresh registry entry for `character`, or `None` when the lookup fails (any failure of
/// the call, an unexpected document, an empty name, id 0).
pub async fn character(services: &Foreign, tenant: &Tenant, character: u32) -> Option<Entry> {
    if character == 0 {
        return None;
    }
    let path = format!("characters/{character}");
    let resource = foreign::get::<Document>(services, tenant, "CHARACTERS_SERVICE_URL", &path).await?.data;
    if resource.kind != "characters" || resource.id.parse::<u32>().is_err() || resource.attributes.name.is_empty() {
        return None;
    }
    Some(Entry { name: resource.attributes.name, world: resource.attributes.world_id, ..Entry::default() })
}

#[cfg(test)]
mod tests {
    use super::Document;
    use crate::contracts::{shapes, strict};
    use serde_json::json;

    #[test]
    fn the_character_answer_refuses_every_shape_mutation() {
        let document = json!({"data": {"type": "characters", "id": "5101", "attributes": {"name": "Alice", "worldId": 0}}});
        assert!(strict::from_value::<Document>(document.clone()).is_ok());
        for m in shapes::mutations(&document, &[]) {
            assert!(strict::from_value::<Document>(m.value.clone()).is_err(), "{} was not refused: {}", m.path, m.value);
        }
    }
}
