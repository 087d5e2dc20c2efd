//! A foreign service slower than the timeout, or down, degrades only the characters whose
//! data it holds: other characters' stats are served meanwhile.

mod common;

use common::*;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The character service stand-in: character 1 answers after 20 s, character 2 at once.
fn start_stub() -> u16 {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_web::HttpServer::new(|| {
                actix_web::App::new().route(
                    "/api/characters/{id}",
                    actix_web::web::get().to(|path: actix_web::web::Path<u32>| async move {
                        if *path == 1 {
                            actix_web::rt::time::sleep(Duration::from_secs(20)).await;
                        }
                        let body = serde_json::json!({"data": {"type": "characters", "id": path.to_string(),
                            "attributes": {"strength": 40, "dexterity": 4, "intelligence": 4, "luck": 4, "maxHp": 500, "maxMp": 100}}});
                        actix_web::HttpResponse::Ok().json(body)
                    }),
                )
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .expect("bind stub");
            tx.send(server.addrs()[0].port()).expect("port");
            server.run().await.expect("stub");
        });
    });
    rx.recv().expect("stub port")
}

#[test]
fn a_slow_or_down_foreign_service_does_not_stall_other_characters() {
    let _serial = serial();
    let broker = broker();
    let dir = tempdir::Dir::new("foreign");
    let stub = start_stub();
    let base = format!("http://127.0.0.1:{stub}/api/");
    let env = [("BASE_SERVICE_URL", base.as_str()), ("FOREIGN_TIMEOUT_MS", "2000"), ("INVENTORY_SERVICE_URL", "http://127.0.0.1:1/api/")];
    let server = Server::start(broker.bootstrap_servers(), &sqlite_url(&dir), &env);
    let tenant = tenant();

    let (done, finished) = mpsc::channel();
    for character in [1u32, 2] {
        let (url, tenant, done) = (server.url(&format!("/api/worlds/0/channels/1/characters/{character}/stats")), tenant.clone(), done.clone());
        std::thread::spawn(move || {
            let answer = http("GET", &url, Some(&tenant), None);
            let _ = done.send((character, answer, Instant::now()));
        });
        std::thread::sleep(Duration::from_millis(100));
    }
    let (first, (status, body), _) = finished.recv_timeout(Duration::from_secs(30)).expect("an answer");
    assert_eq!(first, 2, "the fast character is answered while the slow one waits");
    assert_eq!(status, 200);
    assert_eq!(body["data"]["attributes"]["strength"], 40, "its base came from the character service");
    let (second, (status, body), _) = finished.recv_timeout(Duration::from_secs(30)).expect("the slow answer");
    assert_eq!(second, 1);
    assert_eq!(status, 200, "a timed-out foreign call degrades, it is not an error");
    assert_eq!(body["data"]["attributes"]["strength"], 0, "base zeros after the timeout");
}
