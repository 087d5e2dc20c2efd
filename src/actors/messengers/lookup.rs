//! The one foreign call of the messenger domain: resolving a character's name and world
//! from the character service (spec 30 §7).

use super::Entry;
use crate::actors::Services;
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

/// A fresh registry entry for `character`, or `None` when the lookup fails (any status
/// but 200/202, transport error, timeout, unexpected document, empty name, id 0).
pub async fn character(services: &Services, tenant: &Tenant, character: u32) -> Option<Entry> {
    if character == 0 {
        return None;
    }
    let url = format!("{}characters/{character}", services.foreign.root("CHARACTERS_SERVICE_URL"));
    let request = tenant.http_headers().into_iter().fold(services.http.get(&url), |r, (name, value)| r.header(name, value));
    let response = match request.header("Content-Type", "application/json; charset=utf-8").send().await {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(%url, %error, "character lookup failed");
            return None;
        }
    };
    if !matches!(response.status().as_u16(), 200 | 202) {
        tracing::debug!(%url, status = %response.status(), "character lookup refused");
        return None;
    }
    let document: Document = response.json().await.ok()?;
    let resource = document.data;
    if resource.kind != "characters" || resource.id.parse::<u32>().is_err() || resource.attributes.name.is_empty() {
        return None;
    }
    Some(Entry { name: resource.attributes.name, world: resource.attributes.world_id, ..Entry::default() })
}
