//! Fuzzing of every decoder: arbitrary bytes and mutated valid records never panic, and a
//! decoded record always names a handled type or is refused with a reason.

use atlas_actors::bridge::router::{Decoders, Routed};
use atlas_actors::contracts::{json::GoTime, key, tenant::Tenant};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rdkafka::message::{Header, OwnedHeaders};

/// The server's decoders (the domains' and the channel's check), built once.
static DECODERS: std::sync::LazyLock<Decoders> = std::sync::LazyLock::new(atlas_actors::server::decoders);

fn decode_as(variable: &str, payload: &[u8]) -> Option<Result<Routed, atlas_actors::contracts::decode::Reject>> {
    DECODERS.decode_as(variable, payload)
}

/// Valid records of every consumed topic family, the seeds of the mutations.
const SEEDS: &[&str] = &[
    r#"{"characterId":1001,"type":"REQUEST_CREATE","body":{"skillId":1001004,"level":1,"masterLevel":10,"expiration":"0001-01-01T00:00:00Z"}}"#,
    r#"{"characterId":1001,"type":"SET_COOLDOWN","body":{"skillId":1001004,"cooldown":30},"transactionId":"0f8e4b0c-2c0e-4c9a-9f57-2d2b2f1b7a11"}"#,
    r#"{"characterId":1001,"type":"UPDATE","body":{"macros":[{"id":0,"name":"Buff","shout":false,"skillId1":1001003,"skillId2":1101006,"skillId3":0}]}}"#,
    r#"{"worldId":0,"characterId":1001,"type":"LOGOUT","body":{"channelId":1,"mapId":100000000}}"#,
    r#"{"worldId":0,"characterId":1001,"type":"DELETED","body":{}}"#,
    // The channel's second wave (spec 50 P2).
    r#"{"worldId":0,"channelId":1,"characterId":30001,"npcId":9010000,"speaker":"NPC","endChat":false,"secondaryNpcId":0,"message":"Hi","type":"SIMPLE","body":{"type":"NEXT"}}"#,
    r#"{"worldId":0,"channelId":1,"characterId":30001,"npcId":9010000,"type":"NUMBER","body":{"defaultValue":5,"minValue":1,"maxValue":99}}"#,
    r#"{"worldId":0,"channelId":1,"characterId":30001,"npcId":9010000,"type":"STYLE","body":{"styles":[30000,30020]}}"#,
    r#"{"characterId":30001,"type":"ERROR","body":{"error":"UNDER_LEVEL_REQUIREMENT","levelLimit":30,"reason":""}}"#,
    r#"{"characterId":30001,"type":"ENTERED","body":{"npcTemplateId":9200000}}"#,
    r#"{"transactionId":"1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5","worldId":0,"channelId":1,"characterId":30001,"type":"SHOW_HINT","body":{"hint":"Z","width":120,"height":0}}"#,
    r#"{"characterId":30001,"worldId":0,"type":"COMPLETED","body":{"questId":1021,"completedAt":"2025-03-01T12:00:00Z","items":[{"itemId":2000000,"amount":3}]}}"#,
    r#"{"actorId":30001,"worldId":0,"partyId":41,"type":"DISBAND","body":{"members":[30001,30002]}}"#,
    r#"{"worldId":0,"partyId":41,"characterId":30003,"type":"LOGOUT","body":{}}"#,
    r#"{"worldId":0,"inviteType":"BUDDY","referenceId":30001,"type":"CREATED","body":{"originatorId":30001,"targetId":30004}}"#,
    r#"{"worldId":0,"characterId":30001,"type":"BUDDY_UPDATED","body":{"characterId":30005,"group":"Friends","characterName":"Kai","channelId":2,"inShop":false}}"#,
    r#"{"worldId":0,"characterId":30001,"type":"ERROR","body":{"error":"ALREADY_BUDDY"}}"#,
    r#"{"worldId":0,"channelId":1,"mapId":108010101,"instance":"00000000-0000-0000-0000-000000000000","reactorId":77,"type":"HIT","body":{"classification":1022000,"state":1,"x":120,"y":35,"direction":0,"destroyed":false}}"#,
    r#"{"worldId":0,"channelId":1,"mapId":104000000,"instance":"00000000-0000-0000-0000-000000000000","chairType":"PORTABLE","chairId":3010000,"type":"USED","body":{"characterId":30001}}"#,
    r#"{"worldId":0,"channelId":1,"mapId":910000000,"instance":"00000000-0000-0000-0000-000000000000","characterId":30001,"type":"SET","body":{"message":"Selling"}}"#,
    r#"{"worldId":0,"characterId":30001,"type":"ERROR","body":{"channelId":1,"error":"NOT_TODAY"}}"#,
    r#"{"characterId":30002,"type":"CREATED","body":{"noteId":501,"senderId":30001,"message":"gg","flag":0,"time":"2025-03-01T12:00:00Z"}}"#,
    r#"{"petId":9001,"ownerId":30001,"type":"SPAWNED","body":{"templateId":5000000,"name":"Kitty","slot":0,"level":1,"closeness":0,"fullness":100,"x":10,"y":20,"stance":0,"fh":3}}"#,
    r#"{"petId":9001,"ownerId":30001,"type":"DESPAWNED","body":{"slot":-1,"oldSlot":0,"reason":"HUNGER"}}"#,
    r#"{"transactionId":"2b3c4d5e-6f70-4a81-92a3-b4c5d6e7f809","worldId":0,"accountId":1001,"type":"PROJECTION_CREATED","body":{"characterId":30001,"accountId":1001,"worldId":0,"channelId":1,"npcId":1002100}}"#,
    r#"{"worldId":0,"accountId":1001,"characterId":30001,"type":"ACCEPTED","body":{"transactionId":"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d","assetId":88001,"slot":3,"inventoryType":2}}"#,
    r#"{"transactionId":"4d5e6f70-8192-4a3b-9c4d-5e6f708192a3","type":"FAILED","body":{"reason":"insufficient funds","failedStep":"withdraw_mesos","characterId":30001,"sagaType":"storage_operation","errorCode":"NOT_ENOUGH_MESOS"}}"#,
    r#"{"worldId":0,"guildId":12,"type":"MEMBER_JOINED","body":{"characterId":30001,"name":"Kai","jobId":100,"level":30,"title":5,"online":true,"allianceTitle":0}}"#,
    r#"{"worldId":0,"guildId":12,"type":"EMBLEM_UPDATED","body":{"logo":2,"logoColor":3,"logoBackground":4,"logoBackgroundColor":5}}"#,
    r#"{"characterId":30001,"type":"REQUEST_NAME","body":{"worldId":0,"channelId":1}}"#,
    // The channel's last wave (spec 50 P3 and the guild board).
    r#"{"worldId":0,"guildId":12,"type":"DISBANDED","body":{"members":[30001,30002]}}"#,
    r#"{"worldId":0,"guildId":12,"type":"TITLES_UPDATED","body":{"guildId":12,"titles":["a","b","c","d","e"]}}"#,
    r#"{"worldId":0,"guildId":12,"actorId":30001,"threadId":3,"type":"REPLY_ADDED","body":{"replyId":9}}"#,
    r#"{"worldId":0,"characterId":30001,"type":"PURCHASE","body":{"templateId":5000000,"price":4900,"compartmentId":"8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b","assetId":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0","itemId":5000000}}"#,
    r#"{"worldId":0,"characterId":30001,"type":"INVENTORY_CAPACITY_INCREASED","body":{"inventoryType":2,"capacity":32,"amount":8}}"#,
    r#"{"characterId":30001,"worldId":0,"itemId":1302020,"quantity":1,"tier":"rare","gachaponId":"henesys","gachaponName":"Henesys","assetId":88020}"#,
    r#"{"routeId":"c0ffee00-1234-4abc-8def-0123456789ab","type":"DEPARTED","body":{"mapId":101000300}}"#,
    r#"{"transactionId":"6f708192-a3b4-4c5d-8e6f-708192a3b4c5","worldId":0,"characterId":30001,"type":"TRANSIT_ENTERED","body":{"routeId":"c0ffee00-1234-4abc-8def-0123456789ab","instanceId":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","channelId":1,"durationSeconds":60,"message":"The ship is sailing to Orbis."}}"#,
    r#"{"accountId":1001,"characterId":30001,"compartmentId":"8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b","compartmentType":1,"type":"RELEASED","body":{"transactionId":"5e6f7081-92a3-4b4c-8d5e-6f708192a3b4","assetId":88010,"cashId":7000000123,"templateId":5000000}}"#,
    r#"{"accountId":1001,"characterId":30001,"compartmentId":"8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b","compartmentType":1,"type":"ACCEPTED","body":{"transactionId":"5e6f7081-92a3-4b4c-8d5e-6f708192a3b4","assetId":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"}}"#,
];

fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.gen_range(1..6) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.gen_range(0..bytes.len());
        match rng.gen_range(0..5) {
            0 => bytes[at] = rng.gen(),
            1 => {
                bytes.remove(at);
            }
            2 => bytes.insert(at, b"{}[]\":,-.0123456789eE"[rng.gen_range(0..21)]),
            3 => bytes.truncate(at),
            _ => {
                let end = rng.gen_range(at..bytes.len());
                let slice = bytes[at..end].to_vec();
                bytes.splice(at..at, slice);
            }
        }
    }
    bytes
}

#[test]
fn decoders_never_panic_on_arbitrary_or_mutated_input() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let variables: Vec<&str> = DECODERS.variables().collect();
    for round in 0..60_000 {
        let input = if round % 3 == 0 {
            (0..rng.gen_range(0..64)).map(|_| rng.gen()).collect()
        } else {
            let seed = SEEDS[rng.gen_range(0..SEEDS.len())];
            mutate(&mut rng, seed.as_bytes())
        };
        for variable in &variables {
            if let Some(Err(reject)) = decode_as(variable, &input) {
                assert!(!reject.reason().is_empty());
            }
        }
        let _ = key::decode(&input);
        let _ = GoTime::parse(&String::from_utf8_lossy(&input));
        let headers = OwnedHeaders::new()
            .insert(Header { key: "TENANT_ID", value: Some(&input[..input.len().min(36)]) })
            .insert(Header { key: "MAJOR_VERSION", value: Some(&input[..input.len().min(2)]) });
        let _ = Tenant::from_kafka(Some(headers.as_borrowed()));
    }
}

#[test]
fn every_seed_decodes_on_its_topic() {
    let variables: Vec<&str> = DECODERS.variables().collect();
    for seed in SEEDS {
        let decoded = variables.iter().filter_map(|v| decode_as(v, seed.as_bytes())).filter(Result::is_ok).count();
        assert!(decoded > 0, "{seed} decodes somewhere");
    }
}
