//! A real HTTP CRM inside the test process (axum on loopback) implementing
//! `docs/sync-api.openapi.yaml` with in-memory persistence, plus fault injection: failing
//! statuses, Retry-After, hanging, answers lost after the commit, and whole-batch refusals.
//! Every request body it receives and every answer it gives is checked against the OpenAPI
//! schemas; violations are recorded for the tests to assert on.
#![allow(dead_code)]
// Handlers return a ready `Response` as their error; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub const TOKEN: &str = "test-token-123";
pub const KIOSK_ID: &str = "shop-1-counter";
/// A second kiosk of the same fleet (same token, for the test's sake).
pub const SECOND_KIOSK_ID: &str = "shop-1-back";

/// A kiosk's `[crm]` for the test CRM at `url`: its id and token, a 5 s request timeout.
/// The fleet key the test CRM hands out with every heartbeat answer.
pub const PHONE_HASH_KEY: &str = "6b696f736b2d666c6565742d6b65792d666f722d746573747320303132333435";

pub fn kiosk_config(url: &str) -> member_kiosk::config::CrmConfig {
    member_kiosk::config::CrmConfig {
        url: url.to_owned(),
        kiosk_id: KIOSK_ID.into(),
        token: Some(TOKEN.into()),
        timeout_secs: 5,
        ..Default::default()
    }
}

/// A misbehaviour for one request to an endpoint.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Handle this request normally (to aim a later fault at the n-th request).
    Pass,
    /// Answer with this status and a contract error body.
    Status(u16),
    /// 429/503 with this `Retry-After` value.
    RetryAfter(u16, String),
    /// Never answer.
    Hang,
    /// Store the batch, then never answer (the kiosk will send it again).
    LoseAnswerAfterCommit,
    /// Store the batch, tell the test (see [`TestCrm::committed_and_holding`]), never answer.
    HoldAfterCommit,
    /// Answer 307 with this `Location`.
    Redirect(String),
    /// Answer 200 with a body this many bytes long, streamed (no Content-Length).
    Huge(u64),
    /// Answer 200 with exactly this JSON, unchecked.
    Raw(Value),
}

/// What the CRM holds.
#[derive(Default)]
pub struct CrmState {
    /// Event id → (kiosk id, seq, type, data), each stored once.
    pub events: HashMap<String, (String, i64, String, Value)>,
    /// Event ids in the order they were first stored.
    pub stored_order: Vec<String>,
    /// Every event received, duplicates included.
    pub received: u64,
    pub duplicates: u64,
    pub batches: u64,
    pub members: HashMap<String, Value>,
    pub by_phone: HashMap<String, String>,
    pub kiosk_members: HashMap<String, String>,
    pub changes: Vec<Value>,
    pub heartbeats: Vec<Value>,
    pub faults: VecDeque<(&'static str, Fault)>,
    /// Card UIDs whose card_linked events are rejected.
    pub blocked_cards: HashSet<String>,
    /// Phone numbers that make a whole batch fail with 422 (a CRM bug the kiosk must route
    /// around).
    pub poison_phones: HashSet<String>,
    pub violations: Vec<String>,
    /// (method, OpenAPI path) of every request.
    pub operations: Vec<(String, String)>,
    /// The number of events in each batch stored, in order.
    pub batch_sizes: Vec<usize>,
    next_member: u64,
    pub verification_code: String,
    /// Client ids of the points changes and redemptions applied, each once.
    pub applied_changes: HashSet<String>,
}

struct Shared {
    state: Mutex<CrmState>,
    schemas: Contract,
    holding: std::sync::mpsc::SyncSender<()>,
}

/// The running server.
pub struct TestCrm {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    held: Mutex<std::sync::mpsc::Receiver<()>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestCrm {
    /// Serves on `listener` (bind it early to know the port) from the current tokio runtime.
    pub fn serve(listener: std::net::TcpListener) -> TestCrm {
        listener.set_nonblocking(true).expect("nonblocking");
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        TestCrm::serve_on(listener)
    }

    /// Serves HTTPS with `tls` (certificate and key) on `listener`.
    pub fn serve_tls(
        listener: std::net::TcpListener,
        tls: tokio_rustls::rustls::ServerConfig,
    ) -> TestCrm {
        listener.set_nonblocking(true).expect("nonblocking");
        TestCrm::serve_on(TlsListener {
            tcp: tokio::net::TcpListener::from_std(listener).expect("tokio listener"),
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(tls)),
        })
    }

    fn serve_on<L>(listener: L) -> TestCrm
    where
        L: axum::serve::Listener<Addr = SocketAddr>,
    {
        let addr = listener.local_addr().expect("addr");
        let (holding, held) = std::sync::mpsc::sync_channel(16);
        let shared = Arc::new(Shared {
            state: Mutex::new(CrmState {
                verification_code: "246810".into(),
                ..Default::default()
            }),
            schemas: Contract::load(),
            holding,
        });
        let app = Router::new()
            .route("/kiosk-api/v1/heartbeat", post(heartbeat))
            .route("/kiosk-api/v1/events", post(events))
            .route("/kiosk-api/v1/changes", get(changes))
            .route("/kiosk-api/v1/verifications", post(start_verification))
            .route(
                "/kiosk-api/v1/verifications/{id}/check",
                post(check_verification),
            )
            .with_state(shared.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        TestCrm {
            addr,
            shared,
            held: Mutex::new(held),
            _stop: stop,
        }
    }

    /// Binds a loopback port and serves on it.
    pub fn start() -> TestCrm {
        TestCrm::serve(std::net::TcpListener::bind("127.0.0.1:0").expect("bind"))
    }

    pub fn url(&self) -> String {
        format!("http://{}/kiosk-api", self.addr)
    }

    pub fn state(&self) -> MutexGuard<'_, CrmState> {
        self.shared.state.lock().expect("crm state")
    }

    pub fn inject(&self, endpoint: &'static str, fault: Fault) {
        self.state().faults.push_back((endpoint, fault));
    }

    /// Waits (up to `deadline`) until a [`Fault::HoldAfterCommit`] batch has been stored.
    pub fn committed_and_holding(&self, deadline: std::time::Duration) -> bool {
        self.held
            .lock()
            .expect("held")
            .recv_timeout(deadline)
            .is_ok()
    }

    /// A member who joined online (not at this kiosk), with the change feed entry.
    pub fn add_online_member(&self, phone: &str, balance: i64) -> String {
        let mut state = self.state();
        let id = state.new_member_id();
        let member = json!({"type": "member_upsert", "member_id": id, "phone_e164": phone,
            "tier": "silver", "balance": balance, "card_uids": [],
            "joined_at": "2026-01-01T00:00:00Z"});
        state.by_phone.insert(phone.into(), id.clone());
        state.members.insert(id.clone(), member.clone());
        state.changes.push(member);
        id
    }

    /// Publishes a raw change (the test decides what the CRM says).
    pub fn publish(&self, change: Value) {
        self.state().changes.push(change);
    }

    pub fn check_against_contract(&self, schema: &str, value: &Value) -> Vec<String> {
        self.shared.schemas.check(schema, value)
    }
}

/// Accepts TCP connections and completes the TLS handshake; a client that refuses the
/// certificate is simply dropped.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

impl CrmState {
    fn new_member_id(&mut self) -> String {
        self.next_member += 1;
        format!("crm-{}", self.next_member)
    }

    fn resolve(&self, member_ref: &str) -> Option<String> {
        if self.members.contains_key(member_ref) {
            return Some(member_ref.to_owned());
        }
        self.kiosk_members.get(member_ref).cloned()
    }

    fn take_fault(&mut self, endpoint: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|(e, _)| *e == endpoint)?;
        self.faults.remove(index).map(|(_, f)| f)
    }

    fn publish_member(&mut self, id: &str) {
        if let Some(member) = self.members.get(id) {
            self.changes.push(member.clone());
        }
    }

    /// Stores one event; returns its result object.
    fn apply_event(&mut self, kiosk: &str, event: &Value) -> Value {
        let id = event["id"].as_str().unwrap_or_default().to_owned();
        let kind = event["type"].as_str().unwrap_or_default().to_owned();
        let data = &event["data"];
        self.received += 1;
        let adoption = |state: &CrmState| -> Option<Value> {
            let kiosk_member = data["member_id"].as_str()?;
            let member = state.kiosk_members.get(kiosk_member)?;
            let merged = state.members[member]["joined_at"] != data["joined_at"];
            Some(json!({"kiosk_member_id": kiosk_member, "member_id": member, "merged": merged}))
        };
        if self.events.contains_key(&id) {
            self.duplicates += 1;
            let mut result = json!({"id": id, "status": "duplicate"});
            if kind == "member_joined"
                && let Some(a) = adoption(self)
            {
                result["member"] = a;
            }
            return result;
        }
        let rejected = |reason: &str| json!({"id": id, "status": "rejected", "reason": reason});
        match kind.as_str() {
            "member_joined" => {
                let phone = data["phone_e164"].as_str().unwrap_or_default().to_owned();
                let kiosk_member = data["member_id"].as_str().unwrap_or_default().to_owned();
                let member = match self.by_phone.get(&phone) {
                    Some(existing) => existing.clone(),
                    None => {
                        let new = self.new_member_id();
                        self.members.insert(
                            new.clone(),
                            json!({"type": "member_upsert", "member_id": new,
                                "phone_e164": phone, "tier": null,
                                "balance": data["signup_bonus_points"],
                                "card_uids": [], "joined_at": data["joined_at"]}),
                        );
                        self.by_phone.insert(phone, new.clone());
                        new
                    }
                };
                self.kiosk_members.insert(kiosk_member, member.clone());
                self.publish_member(&member);
            }
            "card_linked" => {
                let uid = data["card_uid"].as_str().unwrap_or_default().to_owned();
                if self.blocked_cards.contains(&uid) {
                    return rejected("card reported stolen");
                }
                let Some(member) = data["member_id"].as_str().and_then(|m| self.resolve(m)) else {
                    return rejected("unknown member");
                };
                if let Some(cards) = self
                    .members
                    .get_mut(&member)
                    .and_then(|m| m["card_uids"].as_array_mut())
                {
                    cards.push(Value::String(uid));
                }
                self.publish_member(&member);
            }
            "consent_recorded" => {
                if data["member_id"]
                    .as_str()
                    .and_then(|m| self.resolve(m))
                    .is_none()
                {
                    return rejected("unknown member");
                }
            }
            // Points the kiosk changed: each client id once. An undo must reverse a change
            // this CRM applied (a redemption it refused has nothing to give back).
            "points_adjusted" | "reward_redeemed" => {
                let Some(member) = data["member_id"].as_str().and_then(|m| self.resolve(m)) else {
                    return rejected("unknown member");
                };
                let client_id = data["client_id"].as_str().unwrap_or_default().to_owned();
                if !self.applied_changes.contains(&client_id) {
                    let balance = self.members[&member]["balance"].as_i64().unwrap_or(0);
                    let delta = if kind == "reward_redeemed" {
                        -data["cost"].as_i64().unwrap_or(0)
                    } else {
                        data["delta"].as_i64().unwrap_or(0)
                    };
                    if let Some(reversed) = data["reverses"].as_str()
                        && !self.applied_changes.contains(reversed)
                    {
                        return rejected("undoes a change this CRM never applied");
                    }
                    if kind == "reward_redeemed" && balance + delta < 0 {
                        return rejected(&format!(
                            "insufficient_points: the member has {balance}, the reward costs {}",
                            -delta
                        ));
                    }
                    if let Some(m) = self.members.get_mut(&member) {
                        m["balance"] = json!(balance + delta);
                    }
                    self.applied_changes.insert(client_id);
                    self.publish_member(&member);
                }
            }
            // A survey's points go to the member once, with the response.
            "survey_answered" => {
                let points = data["points_awarded"].as_i64().unwrap_or(0);
                if let Some(member) = data["member_id"].as_str() {
                    let Some(member) = self.resolve(member) else {
                        return rejected("unknown member");
                    };
                    if points > 0 {
                        let balance = self.members[&member]["balance"].as_i64().unwrap_or(0);
                        if let Some(m) = self.members.get_mut(&member) {
                            m["balance"] = json!(balance + points);
                        }
                        self.publish_member(&member);
                    }
                }
            }
            other => return rejected(&format!("unknown event type {other}")),
        }
        self.events.insert(
            id.clone(),
            (
                kiosk.to_owned(),
                event["seq"].as_i64().unwrap_or(-1),
                kind.clone(),
                data.clone(),
            ),
        );
        self.stored_order.push(id.clone());
        let mut result = json!({"id": id, "status": "accepted"});
        if kind == "member_joined"
            && let Some(a) = adoption(self)
        {
            result["member"] = a;
        }
        result
    }
}

fn error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// Authentication, request-body checks and faults common to every endpoint. `Err` is the
/// response to give instead of handling the request; `Ok(Some(fault))` is a fault that the
/// handler applies after committing.
async fn prologue(
    shared: &Shared,
    method: &Method,
    operation: &'static str,
    headers: &HeaderMap,
    body: Option<(&'static str, &Value)>,
) -> Result<Option<Fault>, Response> {
    let fault = {
        let mut state = shared.state.lock().expect("state");
        state
            .operations
            .push((method.to_string(), operation.to_owned()));
        let authorised = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {TOKEN}"));
        let kiosk = headers.get("x-kiosk-id").and_then(|v| v.to_str().ok());
        if kiosk != Some(KIOSK_ID) && kiosk != Some(SECOND_KIOSK_ID) {
            state
                .violations
                .push(format!("{operation}: X-Kiosk-Id is {kiosk:?}"));
        }
        if let Some((schema, value)) = body {
            for v in shared.schemas.check(schema, value) {
                state.violations.push(format!("{operation} request: {v}"));
            }
        }
        let fault = state.take_fault(operation);
        if !authorised && !matches!(fault, Some(Fault::Status(_))) {
            return Err(error(401, "unauthorized", "unknown token"));
        }
        fault
    };
    match fault {
        Some(Fault::Status(code)) => Err(error(code, "injected", "injected failure")),
        Some(Fault::RetryAfter(code, after)) => {
            let mut response = error(code, "slow_down", "try later");
            response
                .headers_mut()
                .insert("retry-after", after.parse().expect("header"));
            Err(response)
        }
        Some(Fault::Hang) => {
            std::future::pending::<()>().await;
            unreachable!()
        }
        Some(Fault::Redirect(location)) => {
            let mut response = error(307, "moved", "elsewhere");
            response
                .headers_mut()
                .insert("location", location.parse().expect("header"));
            Err(response)
        }
        Some(Fault::Huge(bytes)) => Err(huge_body(bytes)),
        Some(Fault::Raw(value)) => Err((
            axum::http::StatusCode::OK,
            [("content-type", "application/json")],
            value.to_string(),
        )
            .into_response()),
        other => Ok(other),
    }
}

/// A 200 whose body is `bytes` long, made 64 KiB at a time as it is sent: the start of a
/// change page that never ends, `{"changes":[{"type":"settings","values":{}},...`.
fn huge_body(bytes: u64) -> Response {
    const CHUNK: usize = 64 * 1024;
    let item = br#"{"type":"settings","values":{}},"#;
    let mut sent = 0u64;
    let stream = futures_stream(move || {
        if sent >= bytes {
            return None;
        }
        let mut chunk = Vec::with_capacity(CHUNK);
        if sent == 0 {
            chunk.extend_from_slice(br#"{"changes":["#);
        }
        while chunk.len() + item.len() <= CHUNK {
            chunk.extend_from_slice(item);
        }
        sent += chunk.len() as u64;
        Some(Ok::<_, std::io::Error>(Bytes::from(chunk)))
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(axum::body::Body::from_stream(stream))
        .expect("response")
}

/// A stream from a closure called for each item until it returns `None`.
fn futures_stream<T>(
    next: impl FnMut() -> Option<T> + Send + Unpin + 'static,
) -> impl futures_core::Stream<Item = T> + Send + 'static {
    struct FromFn<F>(F);
    impl<T, F: FnMut() -> Option<T> + Unpin> futures_core::Stream for FromFn<F> {
        type Item = T;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<T>> {
            std::task::Poll::Ready((self.0)())
        }
    }
    FromFn(next)
}

fn parse(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| error(400, "bad_json", &e.to_string()))
}

/// Checks an answer against the contract before giving it.
fn answer(shared: &Shared, operation: &str, status: u16, schema: &str, value: Value) -> Response {
    let violations = shared.schemas.check(schema, &value);
    if !violations.is_empty() {
        let mut state = shared.state.lock().expect("state");
        for v in violations {
            state.violations.push(format!("{operation} answer: {v}"));
        }
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, axum::Json(value)).into_response()
}

async fn heartbeat(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Err(r) = prologue(
        &shared,
        &method,
        "/v1/heartbeat",
        &headers,
        Some(("HeartbeatRequest", &body)),
    )
    .await
    {
        return r;
    }
    shared.state.lock().expect("state").heartbeats.push(body);
    answer(
        &shared,
        "/v1/heartbeat",
        200,
        "HeartbeatResponse",
        json!({"server_time": "2026-11-23T00:00:00Z", "phone_hash_key": PHONE_HASH_KEY}),
    )
}

async fn events(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let fault = match prologue(
        &shared,
        &method,
        "/v1/events",
        &headers,
        Some(("EventBatch", &body)),
    )
    .await
    {
        Ok(f) => f,
        Err(r) => return r,
    };
    let results = {
        let mut state = shared.state.lock().expect("state");
        let batch = body["events"].as_array().cloned().unwrap_or_default();
        let poisoned = batch.iter().any(|e| {
            e["data"]["phone_e164"]
                .as_str()
                .is_some_and(|p| state.poison_phones.contains(p))
        });
        if poisoned {
            return error(422, "invalid", "the batch could not be processed");
        }
        state.batches += 1;
        state.batch_sizes.push(batch.len());
        let kiosk = body["kiosk_id"].as_str().unwrap_or_default().to_owned();
        batch
            .iter()
            .map(|e| state.apply_event(&kiosk, e))
            .collect::<Vec<_>>()
    };
    match fault {
        Some(Fault::LoseAnswerAfterCommit) => {
            std::future::pending::<()>().await;
            unreachable!()
        }
        Some(Fault::HoldAfterCommit) => {
            let _ = shared.holding.try_send(());
            std::future::pending::<()>().await;
            unreachable!()
        }
        _ => answer(
            &shared,
            "/v1/events",
            200,
            "EventBatchResult",
            json!({ "results": results }),
        ),
    }
}

async fn changes(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let _ = uri;
    if let Err(r) = prologue(&shared, &method, "/v1/changes", &headers, None).await {
        return r;
    }
    let page = {
        let state = shared.state.lock().expect("state");
        let from = match query.get("cursor") {
            None => 0,
            Some(c) => match c.strip_prefix("c").and_then(|n| n.parse::<usize>().ok()) {
                Some(n) => n,
                None => return error(410, "cursor_expired", "unknown or expired cursor"),
            },
        };
        let limit = query
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(100);
        let from = from.min(state.changes.len());
        let to = (from + limit).min(state.changes.len());
        json!({"changes": state.changes[from..to], "next_cursor": format!("c{to}"),
               "has_more": to < state.changes.len()})
    };
    answer(&shared, "/v1/changes", 200, "ChangePage", page)
}

async fn start_verification(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Err(r) = prologue(
        &shared,
        &method,
        "/v1/verifications",
        &headers,
        Some(("VerificationRequest", &body)),
    )
    .await
    {
        return r;
    }
    let id = format!("v-{}", body["phone_e164"].as_str().unwrap_or_default());
    answer(
        &shared,
        "/v1/verifications",
        201,
        "Verification",
        json!({"verification_id": id, "expires_at": "2026-11-23T00:05:00Z", "resend_after_secs": 30}),
    )
}

async fn check_verification(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let body = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Err(r) = prologue(
        &shared,
        &method,
        "/v1/verifications/{verification_id}/check",
        &headers,
        Some(("VerificationCheck", &body)),
    )
    .await
    {
        return r;
    }
    let (verified, member) = {
        let state = shared.state.lock().expect("state");
        let phone = id.strip_prefix("v-").unwrap_or_default();
        (
            body["code"] == state.verification_code,
            state.by_phone.get(phone).cloned(),
        )
    };
    answer(
        &shared,
        "/v1/verifications/{verification_id}/check",
        200,
        "VerificationResult",
        json!({"verified": verified, "attempts_left": if verified { 3 } else { 2 },
               "member_id": if verified { member } else { None }}),
    )
}

/// The OpenAPI document, with a validator per component schema.
pub struct Contract {
    document: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Contract {
    pub fn load() -> Contract {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/sync-api.openapi.yaml");
        let text = std::fs::read_to_string(path).expect("OpenAPI file");
        let document: Value = serde_norway::from_str(&text).expect("OpenAPI YAML parses");
        Contract {
            document,
            validators: Mutex::default(),
        }
    }

    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Violations of `components.schemas.<schema>` by `value`; empty when it conforms.
    pub fn check(&self, schema: &str, value: &Value) -> Vec<String> {
        let cached = self
            .validators
            .lock()
            .expect("validators")
            .get(schema)
            .cloned();
        let validator = match cached {
            Some(v) => v,
            None => {
                let mut root = self.document.clone();
                root["$ref"] = Value::String(format!("#/components/schemas/{schema}"));
                root["$schema"] =
                    Value::String("https://json-schema.org/draft/2020-12/schema".into());
                match jsonschema::options()
                    .should_validate_formats(true)
                    .build(&root)
                {
                    Ok(v) => {
                        let v = Arc::new(v);
                        self.validators
                            .lock()
                            .expect("validators")
                            .insert(schema.to_owned(), v.clone());
                        v
                    }
                    Err(e) => return vec![format!("schema {schema} does not compile: {e}")],
                }
            }
        };
        validator
            .iter_errors(value)
            .map(|e| format!("{schema}: {e} at {}", e.instance_path()))
            .collect()
    }

    /// Whether the document declares `method` on `path`.
    pub fn has_operation(&self, method: &str, path: &str) -> bool {
        self.document["paths"][path]
            .get(method.to_ascii_lowercase())
            .is_some()
    }
}
