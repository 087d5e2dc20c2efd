//! The deployment files: the Kubernetes manifest and the compose file parse, the manifest
//! has what an Atlas operator relies on, and every variable they set for the server is
//! one the server reads.

use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn documents(relative: &str) -> Vec<Value> {
    let text = read(relative);
    serde_yaml::Deserializer::from_str(&text)
        .map(|document| Value::deserialize(document).unwrap_or_else(|e| panic!("{relative} does not parse: {e}")))
        .filter(|document| !document.is_null())
        .collect()
}

use serde::Deserialize as _;

/// Every environment variable the server reads: the `[env: …]` names of its settings (from
/// its own `--help`), the topic variables, and the variables the source reads by name.
fn variables_the_server_reads() -> BTreeSet<String> {
    let help = Command::new(env!("CARGO_BIN_EXE_atlas-actors")).args(["serve", "--help"]).output().expect("run --help");
    let help = String::from_utf8_lossy(&help.stdout);
    let mut names: BTreeSet<String> =
        help.split("[env: ").skip(1).filter_map(|rest| rest.split(['=', ']']).next().map(str::to_string)).collect();
    names.extend(atlas_actors::contracts::topics::VARIABLES.iter().map(|v| v.to_string()));
    // Variables read by name in the source: `env::var("NAME")` and the per-service URL
    // variables handed to the foreign-call helper.
    let mut pending = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            for piece in source.split('"').skip(1).step_by(2) {
                let is_name = !piece.is_empty() && piece.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if is_name && (piece.ends_with("_SERVICE_URL") || source.contains(&format!("env::var(\"{piece}\")"))) {
                    names.insert(piece.to_string());
                }
            }
        }
    }
    names
}

#[test]
fn kubernetes_manifest_parses_and_sets_only_variables_the_server_reads() {
    let documents = documents("deploy/k8s/atlas-actors.yaml");
    let kinds: Vec<&str> = documents.iter().filter_map(|d| d["kind"].as_str()).collect();
    assert_eq!(kinds, ["Deployment", "Service"]);
    let deployment = &documents[0];
    let pod = &deployment["spec"]["template"]["spec"];
    assert!(pod["terminationGracePeriodSeconds"].as_u64().is_some_and(|s| s >= 30), "room for the drain");
    let container = &pod["containers"][0];
    assert_eq!(container["readinessProbe"]["httpGet"]["path"].as_str(), Some("/health"));
    assert!(container["livenessProbe"]["httpGet"]["path"].as_str().is_some(), "a liveness probe");
    assert!(container["resources"]["requests"]["memory"].as_str().is_some(), "resource requests");
    assert_eq!(container["envFrom"][0]["configMapRef"]["name"].as_str(), Some("atlas-env"), "Atlas's shared settings");
    let service = &documents[1];
    assert_eq!(service["spec"]["selector"]["app"], deployment["spec"]["template"]["metadata"]["labels"]["app"]);

    let read = variables_the_server_reads();
    for expected in ["BOOTSTRAP_SERVERS", "DB_HOST", "REST_PORT", "KAFKA_CONSUMER_GROUP", "LOG_LEVEL", "COMMAND_TOPIC_SKILL"] {
        assert!(read.contains(expected), "{expected} missing from what the server reads: {read:?}");
    }
    let set: Vec<&str> = container["env"].as_sequence().expect("env").iter().filter_map(|e| e["name"].as_str()).collect();
    assert!(!set.is_empty());
    let unknown: Vec<&&str> = set.iter().filter(|name| !read.contains(**name)).collect();
    assert!(unknown.is_empty(), "the manifest sets variables the server never reads: {unknown:?}");
}

#[test]
fn compose_file_parses_and_sets_only_variables_the_server_reads() {
    let compose = &documents("deploy/compose/docker-compose.yml")[0];
    let services = compose["services"].as_mapping().expect("services");
    for name in ["kafka", "postgres", "atlas-actors"] {
        assert!(services.contains_key(name), "no {name} service");
    }
    assert!(
        compose["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"].as_str().is_some_and(|r| r.contains("controller")),
        "Kafka in KRaft mode"
    );
    let read = variables_the_server_reads();
    let environment = compose["services"]["atlas-actors"]["environment"].as_mapping().expect("environment");
    let unknown: Vec<&str> = environment.keys().filter_map(Value::as_str).filter(|name| !read.contains(*name)).collect();
    assert!(unknown.is_empty(), "the compose file sets variables the server never reads: {unknown:?}");
}
