//! REST look-ups of the edge (spec 50 §6): other services' resources, read as JSON:API
//! documents. A failed look-up is `None`; callers degrade as the specs say.

use crate::actors::{foreign, Services};
use crate::contracts::tenant::Tenant;
use serde_json::Value;

/// A character's attributes (`GET characters/{id}`).
pub async fn character(services: &Services, tenant: &Tenant, id: u32) -> Option<Value> {
    let document: Value = foreign::get(services, tenant, "CHARACTERS_SERVICE_URL", &format!("characters/{id}")).await?;
    let data = document.get("data")?;
    (data["type"] == "characters").then(|| data["attributes"].clone())
}

/// The id of the character with this name, if any (`GET characters?name=`).
pub async fn character_named(services: &Services, tenant: &Tenant, name: &str) -> Option<u32> {
    let path = format!("characters?name={}", urlencode(name));
    let document: Value = foreign::get(services, tenant, "CHARACTERS_SERVICE_URL", &path).await?;
    let first = match &document["data"] {
        Value::Array(list) => list.first()?.clone(),
        single => single.clone(),
    };
    first["id"].as_str()?.parse().ok()
}

/// A monster's attributes (`GET monsters/{uniqueId}`).
pub async fn monster(services: &Services, tenant: &Tenant, unique: u32) -> Option<Value> {
    let document: Value = foreign::get(services, tenant, "MONSTERS_SERVICE_URL", &format!("monsters/{unique}")).await?;
    Some(document.get("data")?.get("attributes")?.clone())
}

/// The id of the portal named `name` in a map (`GET data/maps/{map}/portals`).
pub async fn portal(services: &Services, tenant: &Tenant, map: u32, name: &str) -> Option<u32> {
    let document: Value = foreign::get(services, tenant, "DATA_SERVICE_URL", &format!("data/maps/{map}/portals")).await?;
    let portals = document["data"].as_array()?;
    let found = portals.iter().find(|p| p["attributes"]["name"] == name)?;
    found["id"].as_str()?.parse().ok()
}

/// One effect level of a skill (`GET data/skills/{id}`): `hpCon`, `mpCon`, `cooldown`,
/// `duration`, `statups`.
pub async fn skill_effect(services: &Services, tenant: &Tenant, skill: u32, level: u8) -> Option<Value> {
    let document: Value = foreign::get(services, tenant, "DATA_SERVICE_URL", &format!("data/skills/{skill}")).await?;
    let effects = document["data"]["attributes"]["effects"].as_array()?;
    effects.get(usize::from(level).checked_sub(1)?).cloned()
}

/// Logged-in accounts of a tenant (`GET accounts`: `loggedIn` > 0).
pub async fn logged_in_accounts(services: &Services, tenant: &Tenant) -> Option<Vec<u32>> {
    let document: Value = foreign::get(services, tenant, "ACCOUNTS_SERVICE_URL", "accounts").await?;
    let accounts = document["data"].as_array()?;
    Some(
        accounts
            .iter()
            .filter(|a| a["attributes"]["loggedIn"].as_u64().unwrap_or(0) > 0)
            .filter_map(|a| a["id"].as_str()?.parse().ok())
            .collect(),
    )
}

/// The resources of a JSON:API list: (id, attributes); none when the call fails.
pub async fn resources(services: &Services, tenant: &Tenant, service: &str, path: &str) -> Vec<(String, Value)> {
    let variable = format!("{service}_SERVICE_URL");
    let Some(document) = foreign::get::<Value>(services, tenant, &variable, path).await else { return Vec::new() };
    let Some(list) = document["data"].as_array() else { return Vec::new() };
    list.iter().map(|r| (r["id"].as_str().unwrap_or_default().to_string(), r["attributes"].clone())).collect()
}

/// The attributes of a JSON:API resource.
pub async fn one(services: &Services, tenant: &Tenant, service: &str, path: &str) -> Option<Value> {
    Some(data(services, tenant, service, path).await?.get("attributes")?.clone())
}

/// The `data` of a JSON:API document from the service `{service}_SERVICE_URL` names.
pub async fn data(services: &Services, tenant: &Tenant, service: &str, path: &str) -> Option<Value> {
    let variable = format!("{service}_SERVICE_URL");
    let document: Value = foreign::get(services, tenant, &variable, path).await?;
    Some(document["data"].clone())
}

/// A party member as the party service lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyMember {
    pub id: u32,
    pub world: u8,
    pub channel: u8,
    pub map: u32,
    pub instance: uuid::Uuid,
    pub online: bool,
}

/// The members of the party `character` is in (`GET parties?filter[members.id]=`); empty
/// when it is in none or the call fails.
pub async fn party_of(services: &Services, tenant: &Tenant, character: u32) -> Vec<PartyMember> {
    let parties = resources(services, tenant, "PARTIES", &format!("parties?filter[members.id]={character}")).await;
    let Some((_, party)) = parties.into_iter().next() else { return Vec::new() };
    let members = party["members"].as_array().cloned().unwrap_or_default();
    members
        .iter()
        .map(|m| PartyMember {
            id: m["id"].as_u64().or_else(|| m["id"].as_str()?.parse().ok()).unwrap_or(0) as u32,
            world: number(m, "worldId") as u8,
            channel: number(m, "channelId") as u8,
            map: number(m, "mapId") as u32,
            instance: m["instance"].as_str().and_then(|i| i.parse().ok()).unwrap_or_default(),
            online: m["online"] == true,
        })
        .collect()
}

/// A numeric attribute, 0 when absent or not a number.
pub fn number(attributes: &Value, name: &str) -> i64 {
    attributes[name].as_i64().unwrap_or(0)
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
