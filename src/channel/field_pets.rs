//! Pets seen on entering a map (spec 50 §4.6 step 6, the pet rows, Q-10 fixed): the
//! entering character's pets that are out appear to everyone there, itself included, and it
//! is given each one's loot exclusion list once; it sees the pets the others have out.

use super::deliver::Scope;
use super::lookups;
use super::sessions::{Field, Session};
use super::updates::push;
use super::Edge;
use crate::contracts::channel::pet::{PetActivated, PetExcludeResponse};
use serde::Deserialize;

/// A character has at most three pets out.
const OUT: usize = 3;
/// Items a pet's exclusion list holds at most.
const MAX_EXCLUDED: usize = 255;

/// A pet as the pet service lists a character's pets.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Listed {
    slot: i8,
    template_id: u32,
    name: String,
    x: i16,
    y: i16,
    stance: u8,
    fh: i16,
    excludes: Vec<Excluded>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Excluded {
    item_id: u32,
}

/// `owner`'s pets that are out (`GET characters/{id}/pets`, slot ≥ 0), with their ids.
async fn out(edge: &Edge, session: &Session, owner: u32) -> Vec<(u32, Listed)> {
    let pets = lookups::resources(&edge.services, &session.tenant, "PETS", &format!("characters/{owner}/pets")).await;
    let listed = pets.into_iter().filter_map(|(id, pet)| Some((id.parse().ok()?, serde_json::from_value::<Listed>(pet).ok()?)));
    listed.filter(|(_, pet)| pet.slot >= 0).take(OUT).collect()
}

fn spawn(owner: u32, pet_id: u32, pet: &Listed) -> PetActivated {
    let Listed { slot, template_id, x, y, stance, fh, .. } = *pet;
    PetActivated::Spawn { owner_id: owner, slot, template_id, name: pet.name.clone(), pet_id, x, y, stance, fh }
}

/// Shows `session`'s character (entering `field`) and the others there their pets.
pub async fn show(edge: &Edge, session: &Session, field: Field) {
    let me = session.character();
    let others: Vec<u32> = edge.maps.members(session.tenant.id, field).await.into_iter().filter(|m| *m != me).collect();
    for other in &others {
        for (pet_id, pet) in out(edge, session, *other).await {
            session.push(&push(&spawn(*other, pet_id, &pet)));
        }
    }
    let scope = Scope::Channel(field.world, field.channel);
    let watching: Vec<_> = edge.sessions.characters(&session.tenant, &others).into_iter().filter(|s| scope.admits(s)).collect();
    for (pet_id, pet) in out(edge, session, me).await {
        let appeared = push(&spawn(me, pet_id, &pet));
        session.push(&appeared);
        watching.iter().for_each(|s| s.push(&appeared));
        let items = pet.excludes.iter().take(MAX_EXCLUDED).map(|e| e.item_id).collect();
        session.push(&push(&PetExcludeResponse { pet_id, items }));
    }
}
