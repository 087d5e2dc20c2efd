//! REST look-ups of the edge (spec 50 §6): other services' resources, read as JSON:API
//! documents whose parts the edge reads are typed (`contracts::channel::answers`) and
//! decoded under the object rule. A failed look-up, or an answer that does not fit its
//! type, is `None` (or empty); callers degrade as the specs say.

use crate::actors::foreign;
use crate::channel::Services;
use crate::contracts::channel::answers::{
    AccountAttributes, AnyData, Attributes, CharacterAttributes, Many, MonsterAttributes, One, PartyAttributes, PortalAttributes,
    SkillAttributes,
};
use crate::contracts::strict;
use crate::contracts::tenant::Tenant;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// An answer decoded as `T`; `None` (logged) when it does not fit.
fn typed<T: DeserializeOwned>(document: &Value, what: &str) -> Option<T> {
    strict::from_value(document.clone()).inspect_err(|error| tracing::debug!(what, %error, "foreign answer refused")).ok()
}

/// A looked-up resource: the fields the edge reads, and its attributes as the service gave
/// them (shown to clients as they are).
#[derive(Debug, Clone, PartialEq)]
pub struct Looked<A> {
    pub fields: A,
    pub attributes: Attributes,
}

/// One resource of type `kind` at `path`, typed as `A`.
async fn resource<A: DeserializeOwned + Default>(
    services: &Services,
    tenant: &Tenant,
    service: &str,
    path: &str,
    kind: Option<&str>,
) -> Option<Looked<A>> {
    let document: Value = foreign::get(&services.foreign, tenant, service, path).await?;
    let fields: One<A> = typed(&document, path)?;
    let raw: One<Attributes> = typed(&document, path)?;
    if kind.is_some_and(|kind| fields.data.kind != kind) {
        return None;
    }
    Some(Looked { fields: fields.data.attributes, attributes: raw.data.attributes })
}

/// A character (`GET characters/{id}`).
pub async fn character_of(services: &Services, tenant: &Tenant, id: u32) -> Option<Looked<CharacterAttributes>> {
    resource(services, tenant, "CHARACTERS_SERVICE_URL", &format!("characters/{id}"), Some("characters")).await
}

/// A character's attributes as the character service gave them (`GET characters/{id}`).
pub async fn character(services: &Services, tenant: &Tenant, id: u32) -> Option<Value> {
    character_of(services, tenant, id).await.map(|c| Value::Object(c.attributes))
}

/// The id of the character with this name, if any (`GET characters?name=`).
pub async fn character_named(services: &Services, tenant: &Tenant, name: &str) -> Option<u32> {
    let document: Value =
        foreign::get_with_query(&services.foreign, tenant, "CHARACTERS_SERVICE_URL", "characters", &[("name", name)]).await?;
    // The service answers a list; an older form answers the one resource.
    let id = match document.get("data") {
        Some(Value::Array(_)) => typed::<Many<CharacterAttributes>>(&document, "characters?name=")?.data.into_iter().next()?.id,
        _ => typed::<One<CharacterAttributes>>(&document, "characters?name=")?.data.id,
    };
    id.parse().ok()
}

/// A monster (`GET monsters/{uniqueId}`).
pub async fn monster_of(services: &Services, tenant: &Tenant, unique: u32) -> Option<Looked<MonsterAttributes>> {
    resource(services, tenant, "MONSTERS_SERVICE_URL", &format!("monsters/{unique}"), None).await
}

/// A monster's attributes as the monsters service gave them (`GET monsters/{uniqueId}`).
pub async fn monster(services: &Services, tenant: &Tenant, unique: u32) -> Option<Value> {
    monster_of(services, tenant, unique).await.map(|m| Value::Object(m.attributes))
}

/// The id of the portal named `name` in a map (`GET data/maps/{map}/portals`).
pub async fn portal(services: &Services, tenant: &Tenant, map: u32, name: &str) -> Option<u32> {
    let portals = resources_of::<PortalAttributes>(services, tenant, "DATA", &format!("data/maps/{map}/portals")).await?;
    portals.into_iter().find(|(_, p)| p.name == name)?.0.parse().ok()
}

/// One effect level of a skill (`GET data/skills/{id}`): `hpCon`, `mpCon`, `cooldown`,
/// `duration`, `statups`, as the data service gave them.
pub async fn skill_effect(services: &Services, tenant: &Tenant, skill: u32, level: u8) -> Option<Value> {
    let document: Value = foreign::get(&services.foreign, tenant, "DATA_SERVICE_URL", &format!("data/skills/{skill}")).await?;
    let mut effects = typed::<One<SkillAttributes>>(&document, "data/skills")?.data.attributes.effects;
    let index = usize::from(level).checked_sub(1)?;
    (index < effects.len()).then(|| Value::Object(effects.swap_remove(index)))
}

/// Logged-in accounts of a tenant (`GET accounts`: `loggedIn` > 0).
pub async fn logged_in_accounts(services: &Services, tenant: &Tenant) -> Option<Vec<u32>> {
    let accounts = resources_of::<AccountAttributes>(services, tenant, "ACCOUNTS", "accounts").await?;
    Some(accounts.into_iter().filter(|(_, a)| a.logged_in > 0).filter_map(|(id, _)| id.parse().ok()).collect())
}

/// The resources of a JSON:API list, typed: (id, attributes); `None` when the call fails or
/// the answer does not fit.
pub async fn resources_of<A: DeserializeOwned + Default>(
    services: &Services,
    tenant: &Tenant,
    service: &str,
    path: &str,
) -> Option<Vec<(String, A)>> {
    let variable = format!("{service}_SERVICE_URL");
    let document: Value = foreign::get(&services.foreign, tenant, &variable, path).await?;
    let list: Many<A> = typed(&document, path)?;
    Some(list.data.into_iter().map(|r| (r.id, r.attributes)).collect())
}

/// The resources of a JSON:API list: (id, attributes as given); none when the call fails.
pub async fn resources(services: &Services, tenant: &Tenant, service: &str, path: &str) -> Vec<(String, Value)> {
    let list = resources_of::<Attributes>(services, tenant, service, path).await.unwrap_or_default();
    list.into_iter().map(|(id, attributes)| (id, Value::Object(attributes))).collect()
}

/// The attributes of a JSON:API resource, typed.
pub async fn one_of<A: DeserializeOwned + Default>(services: &Services, tenant: &Tenant, service: &str, path: &str) -> Option<A> {
    Some(resource::<A>(services, tenant, &format!("{service}_SERVICE_URL"), path, None).await?.fields)
}

/// The attributes of a JSON:API resource, as given.
pub async fn one(services: &Services, tenant: &Tenant, service: &str, path: &str) -> Option<Value> {
    one_of::<Attributes>(services, tenant, service, path).await.map(Value::Object)
}

/// The `data` of a JSON:API document from the service `{service}_SERVICE_URL` names: a
/// resource or a list of them, passed on as given.
pub async fn data(services: &Services, tenant: &Tenant, service: &str, path: &str) -> Option<Value> {
    let variable = format!("{service}_SERVICE_URL");
    let document: Value = foreign::get(&services.foreign, tenant, &variable, path).await?;
    typed::<AnyData>(&document, path)?.checked().inspect_err(|error| tracing::debug!(path, %error, "foreign answer refused")).ok()
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
    let path = format!("parties?filter[members.id]={character}");
    let parties = resources_of::<PartyAttributes>(services, tenant, "PARTIES", &path).await.unwrap_or_default();
    let Some((_, party)) = parties.into_iter().next() else { return Vec::new() };
    party
        .members
        .into_iter()
        .map(|m| PartyMember { id: m.id, world: m.world_id, channel: m.channel_id, map: m.map_id, instance: m.instance, online: m.online })
        .collect()
}

/// A numeric attribute, 0 when absent or not a number.
pub fn number(attributes: &Value, name: &str) -> i64 {
    attributes[name].as_i64().unwrap_or(0)
}
