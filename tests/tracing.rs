//! Distributed tracing end to end: an OTLP/gRPC receiver started by the test, the server
//! exporting to it, one command record carrying a `traceparent`.

mod common;

use common::*;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::trace::v1::Span;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::util::Timeout;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Collects every span exported to it.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().unwrap_or_else(|p| p.into_inner());
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

/// Starts the receiver on a free port of its own runtime thread; returns its address.
fn start_receiver(receiver: Receiver) -> String {
    let address = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(receiver))
                .serve(address)
                .await
                .unwrap_or_else(|e| panic!("OTLP receiver at {address}: {e}"));
        });
    });
    address.to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    let value = span.attributes.iter().find(|a| a.key == key)?.value.as_ref()?.value.as_ref()?;
    Some(match value {
        Value::StringValue(s) => s.clone(),
        Value::IntValue(i) => i.to_string(),
        other => format!("{other:?}"),
    })
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PRODUCER_SPAN: &str = "00f067aa0ba902b7";

#[test]
fn a_command_record_produces_spans_in_the_producers_trace_and_its_output_continues_it() {
    let _serial = serial();
    let receiver = Receiver::default();
    let collector = start_receiver(receiver.clone());
    // A short batch delay: spans reach the receiver soon after they end.
    let fixture = Fixture::sqlite("tracing").env("JAEGER_HOST_PORT", collector).env("OTEL_BSP_SCHEDULE_DELAY", 100).start();
    let tenant = &fixture.tenant;
    let body = json!({"skillId": 1000, "level": 1, "masterLevel": 10, "expiration": "0001-01-01T00:00:00Z"});
    let value = json!({"characterId": 42, "type": "REQUEST_CREATE", "body": body}).to_string();
    let traceparent = format!("00-{TRACE}-{PRODUCER_SPAN}-01");
    let headers = tenant.to_kafka(OwnedHeaders::new()).insert(Header { key: "traceparent", value: Some(traceparent.as_bytes()) });
    let key = atlas_actors::contracts::key::encode(42);
    let topic = atlas_actors::contracts::topics::resolve("COMMAND_TOPIC_SKILL");
    let producer = fixture.producer();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let record: FutureRecord<'_, [u8], str> = FutureRecord::to(&topic).key(&key[..]).payload(value.as_str()).headers(headers);
        producer.send(record, Timeout::Never).await.expect("produce the command");
    });

    // The output continues the producer's trace, with one of our spans as its parent.
    let mut events = fixture.collect("EVENT_TOPIC_SKILL_STATUS");
    assert!(events.until(Duration::from_secs(30), |seen| !seen.is_empty()), "no output");
    let output = events.seen[0].header("traceparent").expect("a traceparent on the output");
    let parts: Vec<&str> = output.split('-').collect();
    assert_eq!(parts.len(), 4, "{output}");
    assert_eq!(parts[1], TRACE, "the output is in the producer's trace");
    assert_ne!(parts[2], PRODUCER_SPAN, "the output's parent is our span, not the producer's");

    // The spans of that record reach the receiver: consume (child of the producer's span),
    // then handle, commit and publish in the same trace.
    let names = |spans: &[Span]| -> Vec<String> { spans.iter().filter(|s| hex(&s.trace_id) == TRACE).map(|s| s.name.clone()).collect() };
    let complete = |spans: &[Span]| {
        let names = names(spans);
        ["consume", "handle", "commit", "publish"].iter().all(|n| names.iter().any(|name| name.contains(n)))
    };
    wait_until(Duration::from_secs(30), || complete(&receiver.spans.lock().unwrap_or_else(|p| p.into_inner())));
    let spans = receiver.spans.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(complete(&spans), "spans of the trace: {:?}", names(&spans));
    let ours: Vec<&Span> = spans.iter().filter(|s| hex(&s.trace_id) == TRACE).collect();
    // The output is consumed again by this server (skill status feeds effective stats), so
    // the trace may hold a second consume; the first is the one under the producer's span.
    let consume = ours
        .iter()
        .find(|s| s.name.contains("consume") && hex(&s.parent_span_id) == PRODUCER_SPAN)
        .expect("a consume span under the producer's span");
    assert_eq!(hex(&consume.span_id), parts[2], "the output's parent is the consume span");
    assert_eq!(attribute(consume, "topic").as_deref(), Some(topic.as_str()));
    assert_eq!(attribute(consume, "tenant"), Some(tenant.id.to_string()));
    assert_eq!(attribute(consume, "type").as_deref(), Some("REQUEST_CREATE"));
    assert_eq!(attribute(consume, "entity").as_deref(), Some("42"));
    assert!(attribute(consume, "partition").is_some() && attribute(consume, "offset").is_some());
    for child in ["handle", "commit", "publish"] {
        assert!(
            ours.iter().any(|s| s.name == child && s.parent_span_id == consume.span_id),
            "no {child} span under the consume span: {:?}",
            names(&spans)
        );
    }
    // One tree: every span's parent is the producer's span or another span of the trace.
    for span in &ours {
        let parent = hex(&span.parent_span_id);
        assert!(parent == PRODUCER_SPAN || ours.iter().any(|s| hex(&s.span_id) == parent), "{} has a parent outside the trace", span.name);
    }
}
