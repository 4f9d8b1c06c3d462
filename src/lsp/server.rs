//! The server's state and main loop.
//!
//! Everything runs on one thread, in message order; only large documents
//! are scanned on a second thread ([`super::scheduler`]). Changes are
//! coalesced: a document is only re-checked when the inbox is empty (or
//! when a request needs its findings), so a burst of keystrokes costs one
//! scan.
//!
//! Messages are routed by [`super::dispatch`] to the handlers in
//! [`super::handlers`]; diagnostics are built and sent by
//! [`super::diagnostics`].

use std::collections::{BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::MessageType;
use lsp_types::notification::ShowMessage;
use serde_json::Value;

use crate::dismissed::Dismissed;

use super::dispatch::{Reply, error};
use super::document::Document;
use super::position::Encoding;
use super::scheduler::Worker;
use super::settings::{ClientSettings, Engine};
use super::transport::{Budget, Outgoing, Outlet};

/// Where outgoing messages go.
pub(crate) enum Outbox {
    /// An lsp-server connection (tests, or any in-process client).
    Channel(Sender<Message>),
    /// The stdio writer thread (bounded: sending waits while the client
    /// has not read what was sent before).
    Stdio(Outlet),
}

impl Outbox {
    fn send(&self, msg: Message) {
        let sent = match self {
            Outbox::Channel(s) => s.send(msg).is_ok(),
            Outbox::Stdio(s) => s.send(Outgoing::Message(msg)),
        };
        if !sent {
            eprintln!("vblint lsp: the client connection is closed; a message was dropped");
        }
    }

    /// Sends a body serialised by hand, in pieces (large diagnostic lists).
    pub(super) fn send_raw(&self, pieces: Vec<Vec<u8>>) {
        match self {
            Outbox::Stdio(s) => {
                let _ = s.send(Outgoing::Raw(pieces));
            }
            Outbox::Channel(s) => match serde_json::from_slice::<Message>(&pieces.concat()) {
                Ok(msg) => {
                    let _ = s.send(msg);
                }
                Err(e) => eprintln!("vblint lsp: internal error: bad message body: {e}"),
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lifecycle {
    Uninitialized,
    Running,
    ShutDown,
}

/// How diagnostics reach the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// `textDocument/publishDiagnostics` after every change.
    Push,
    /// The client asks with `textDocument/diagnostic`.
    Pull,
    /// The client says it can pull; until it does (or the grace period
    /// ends), nothing is pushed.
    Undecided(Option<Instant>),
}

/// What the client can do, read from `initialize`.
#[derive(Clone, Debug, Default)]
pub(super) struct ClientCaps {
    pub(super) pull: bool,
    pub(super) refresh: bool,
    pub(super) watch_dynamic: bool,
    pub(super) relative_patterns: bool,
    pub(super) configuration: bool,
    pub(super) markdown: bool,
}

/// Server requests waiting for the client's answer.
pub(super) enum Pending {
    Registration,
    Configuration,
    Refresh,
}

/// How the main loop should go on.
pub(super) enum Flow {
    Continue,
    Exit,
}

/// The server's state.
pub(crate) struct Server {
    out: Outbox,
    pub(super) lifecycle: Lifecycle,
    pub(super) enc: Encoding,
    pub(super) caps: ClientCaps,
    pub(super) root: Option<PathBuf>,
    pub(super) docs: HashMap<String, Document>,
    pub(super) engine: Engine,
    /// Whether `engine` was built from the workspace's settings (false
    /// until the first successful build).
    pub(super) engine_ready: bool,
    pub(super) init_settings: Option<ClientSettings>,
    pub(super) client_settings: Option<ClientSettings>,
    pub(super) session_disabled: BTreeSet<String>,
    /// Findings dismissed with "Ignore here": from the workspace's
    /// `.vblint-ignore`, or for this session only without a workspace.
    pub(super) dismissed: Dismissed,
    /// Whether the client shows "Explain" in a view of its own
    /// (`initializationOptions.explainView`), which also means it runs
    /// `command:` links to it.
    pub(super) explain_view: bool,
    pub(super) mode: Mode,
    next_id: i32,
    pending: HashMap<RequestId, Pending>,
    pub(super) watching: Option<String>,
    /// Scans large documents; started with the first one.
    pub(super) worker: Option<Worker>,
    /// Counts scanner rebuilds, to drop background scans by an old scanner.
    pub(super) generation: u64,
}

/// Runs the server until `exit`. `inflow` (for the stdio transport) is
/// the budget the reader counts each message into; each message taken is
/// counted out of it.
///
/// # Errors
///
/// If the client exits without `shutdown`, or the connection closes first.
pub(crate) fn main_loop(
    incoming: &Receiver<Message>,
    inflow: Option<&Budget>,
    out: Outbox,
) -> anyhow::Result<()> {
    let mut server = Server::new(out);
    loop {
        let timer = server
            .deadline()
            .map_or_else(crossbeam_channel::never, crossbeam_channel::at);
        let done = server
            .worker
            .as_ref()
            .map_or_else(crossbeam_channel::never, Worker::done);
        crossbeam_channel::select! {
            recv(incoming) -> msg => {
                let Ok(msg) = msg else { break };
                if let Some(inflow) = inflow {
                    inflow.release_oldest();
                }
                let request_id = match &msg {
                    Message::Request(r) => Some(r.id.clone()),
                    _ => None,
                };
                let flow = std::panic::catch_unwind(AssertUnwindSafe(|| server.handle(msg)));
                match flow {
                    Ok(Flow::Continue) => {}
                    Ok(Flow::Exit) => {
                        return if server.lifecycle == Lifecycle::ShutDown {
                            Ok(())
                        } else {
                            Err(anyhow::anyhow!("the client sent `exit` without `shutdown`"))
                        };
                    }
                    Err(_) => {
                        eprintln!(
                            "vblint lsp: internal error while handling a message; carrying on"
                        );
                        // A request must still get an answer.
                        if let Some(id) = request_id {
                            server.respond(
                                id,
                                Err(error(
                                    lsp_server::ErrorCode::InternalError,
                                    "internal error in vblint; see its log",
                                )),
                            );
                        }
                    }
                }
            }
            recv(done) -> scan => {
                if let Ok(scan) = scan {
                    server.scan_done(scan);
                }
            }
            recv(timer) -> _ => server.deadline_passed(),
        }
        if incoming.is_empty() {
            let flushed = std::panic::catch_unwind(AssertUnwindSafe(|| server.flush()));
            if flushed.is_err() {
                eprintln!("vblint lsp: internal error while checking documents; carrying on");
            }
        }
    }
    if server.lifecycle == Lifecycle::ShutDown {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "the client closed the connection without `shutdown` and `exit`"
        ))
    }
}

impl Server {
    fn new(out: Outbox) -> Server {
        Server {
            out,
            lifecycle: Lifecycle::Uninitialized,
            enc: Encoding::Utf16,
            caps: ClientCaps::default(),
            root: None,
            docs: HashMap::new(),
            engine: Engine::empty(),
            engine_ready: false,
            init_settings: None,
            client_settings: None,
            session_disabled: BTreeSet::new(),
            dismissed: Dismissed::default(),
            explain_view: false,
            mode: Mode::Push,
            next_id: 0,
            pending: HashMap::new(),
            watching: None,
            worker: None,
            generation: 0,
        }
    }

    fn handle(&mut self, msg: Message) -> Flow {
        match msg {
            Message::Request(req) => {
                self.on_request(req);
                Flow::Continue
            }
            Message::Notification(n) => self.on_notification(n),
            Message::Response(r) => {
                self.on_response(r);
                Flow::Continue
            }
        }
    }

    /// Answers a request.
    pub(super) fn respond(&self, id: RequestId, result: Result<Reply, ResponseError>) {
        match result {
            Ok(Reply::Json(v)) => self.out.send(Response::new_ok(id, v).into()),
            Ok(Reply::RawResult(result)) => {
                let id = serde_json::to_string(&id).unwrap_or_else(|_| "null".into());
                let mut pieces = Vec::with_capacity(result.len() + 2);
                pieces.push(format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"#).into_bytes());
                pieces.extend(result);
                pieces.push(b"}".to_vec());
                self.out.send_raw(pieces);
            }
            Err(e) => self.out.send(
                Response {
                    id,
                    response_result: Err(e),
                }
                .into(),
            ),
        }
    }

    /// Handles the client's answer to one of our requests.
    fn on_response(&mut self, r: Response) {
        let Some(pending) = self.pending.remove(&r.id) else {
            eprintln!("vblint lsp: a response to an unknown request {}", r.id);
            return;
        };
        let result = match r.response_result {
            Ok(v) => v,
            Err(e) => {
                eprintln!("vblint lsp: the client answered an error: {}", e.message);
                return;
            }
        };
        match pending {
            Pending::Registration | Pending::Refresh => {}
            Pending::Configuration => {
                let first = result.as_array().and_then(|a| a.first()).cloned();
                if let Some(value) = first {
                    self.apply_settings(&value);
                }
            }
        }
    }

    /// Sends a request to the client; its answer goes to [`Self::on_response`].
    pub(super) fn request<R: lsp_types::request::Request>(
        &mut self,
        params: R::Params,
        pending: Pending,
    ) {
        self.next_id += 1;
        let id = RequestId::from(format!("vblint-{}", self.next_id));
        let params = serde_json::to_value(params).unwrap_or(Value::Null);
        self.pending.insert(id.clone(), pending);
        self.out
            .send(Request::new(id, R::METHOD.to_string(), params).into());
    }

    /// A fresh id for a capability registration.
    pub(super) fn next_registration_id(&mut self) -> String {
        self.next_id += 1;
        format!("vblint-watch-{}", self.next_id)
    }

    /// Sends a notification to the client.
    pub(super) fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        let params = serde_json::to_value(params).unwrap_or(Value::Null);
        self.out
            .send(Notification::new(N::METHOD.to_string(), params).into());
    }

    /// Shows a message in the editor (and logs it).
    pub(super) fn show(&self, typ: MessageType, message: String) {
        eprintln!("vblint lsp: {message}");
        self.notify::<ShowMessage>(lsp_types::ShowMessageParams { typ, message });
    }

    /// Sends a message body serialised by hand, in pieces.
    pub(super) fn send_body(&self, pieces: Vec<Vec<u8>>) {
        self.out.send_raw(pieces);
    }
}
