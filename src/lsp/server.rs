//! The main loop: lifecycle, dispatch, documents and diagnostics.
//!
//! Everything runs on one thread, in message order. A scan of a report takes
//! about a millisecond, so there is no worker pool; instead, changes are
//! coalesced: a document is only re-checked when the inbox is empty (or when
//! a request needs its findings), so a burst of keystrokes costs one scan.
//!
//! | method | what it does |
//! |---|---|
//! | `initialize` | negotiates the position encoding, reads settings, loads `vblint.toml` |
//! | `initialized` | registers file watchers, asks for `workspace/configuration` |
//! | `textDocument/didOpen`, `didChange`, `didClose`, `didSave` | incremental sync; diagnostics on every change |
//! | `textDocument/diagnostic` | pull diagnostics (when the client can pull) |
//! | `textDocument/hover` | the entry's why, alternatives and sources |
//! | `textDocument/codeAction` | the replacements that fit (`fix::drop_ins`), ignore here, disable in workspace, explain |
//! | `workspace/executeCommand` | `vblint.disableRule`, `vblint.explain` |
//! | `workspace/didChangeConfiguration`, `didChangeWatchedFiles` | rebuild the scanner, re-check |

use std::collections::{BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command, CreateFile,
    CreateFileOptions, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentChangeOperation, DocumentChanges, DocumentDiagnosticParams, ExecuteCommandParams,
    Hover, HoverContents, HoverParams, MarkupContent, MarkupKind, MessageType,
    OptionalVersionedTextDocumentIdentifier, Position, ResourceOp, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::scan::Finding;

use super::actions::{self, MarkerStyle};
use super::document::{Document, Kind, Stale};
use super::files;
use super::position::{Encoding, LineIndex};
use super::settings::{ClientSettings, Engine, lsp_severity};
use super::transport::Outgoing;
use super::uri;

/// The command that adds a rule to `disable` in the workspace's `vblint.toml`.
pub(crate) const DISABLE_COMMAND: &str = "vblint.disableRule";
/// The command that shows an entry's full explanation.
pub(crate) const EXPLAIN_COMMAND: &str = "vblint.explain";

/// How long a client that can pull diagnostics has, after the first
/// document opens, to pull before the server pushes instead.
const PULL_GRACE: Duration = Duration::from_millis(1000);

/// The most findings turned into code actions for one request.
const MAX_ACTION_FINDINGS: usize = 20;

/// Where outgoing messages go.
pub(crate) enum Outbox {
    /// An lsp-server connection (tests, or any in-process client).
    Channel(Sender<Message>),
    /// The stdio writer thread.
    Stdio(Sender<Outgoing>),
}

impl Outbox {
    fn send(&self, msg: Message) {
        let sent = match self {
            Outbox::Channel(s) => s.send(msg).is_ok(),
            Outbox::Stdio(s) => s.send(Outgoing::Message(msg)).is_ok(),
        };
        if !sent {
            eprintln!("vblint lsp: the client connection is closed; a message was dropped");
        }
    }

    /// Sends a body serialised by hand (large diagnostic lists).
    fn send_raw(&self, body: String) {
        match self {
            Outbox::Stdio(s) => {
                let _ = s.send(Outgoing::Raw(body));
            }
            Outbox::Channel(s) => match serde_json::from_str::<Message>(&body) {
                Ok(msg) => {
                    let _ = s.send(msg);
                }
                Err(e) => eprintln!("vblint lsp: internal error: bad message body: {e}"),
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lifecycle {
    Uninitialized,
    Running,
    ShutDown,
}

/// How diagnostics reach the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
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
struct ClientCaps {
    pull: bool,
    refresh: bool,
    apply_edit: bool,
    create_files: bool,
    document_changes: bool,
    watch_dynamic: bool,
    relative_patterns: bool,
    configuration: bool,
    markdown: bool,
}

/// Server requests waiting for the client's answer.
enum Pending {
    Registration,
    Configuration,
    ApplyEdit { path: PathBuf, text: String },
    Refresh,
}

/// A background scan of a large document.
struct Job {
    key: String,
    revision: u64,
    generation: u64,
    text: String,
    scanner: crate::scan::Scanner,
}

/// The findings of a background scan.
pub(crate) struct Done {
    key: String,
    revision: u64,
    generation: u64,
    findings: Vec<Finding>,
}

/// The thread that scans large documents.
struct Worker {
    jobs: Sender<Job>,
    done: Receiver<Done>,
}

impl Worker {
    fn spawn() -> Option<Worker> {
        let (jobs, job_rx) = crossbeam_channel::unbounded::<Job>();
        let (done_tx, done) = crossbeam_channel::unbounded();
        let spawned = std::thread::Builder::new()
            .name("vblint-lsp-scan".into())
            .spawn(move || {
                let mut norm = crate::text::Normalized::default();
                for job in job_rx {
                    let mut findings = Vec::new();
                    let scanned = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        job.scanner.scan_into(&job.text, &mut norm, &mut findings);
                    }));
                    if scanned.is_err() {
                        eprintln!("vblint lsp: internal error while scanning {}", job.key);
                        norm = crate::text::Normalized::default();
                    }
                    let done = Done {
                        key: job.key,
                        revision: job.revision,
                        generation: job.generation,
                        findings,
                    };
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
        match spawned {
            Ok(_) => Some(Worker { jobs, done }),
            Err(e) => {
                eprintln!("vblint lsp: cannot start the scanning thread ({e}); scanning in line");
                None
            }
        }
    }
}

/// How the main loop should go on.
enum Flow {
    Continue,
    Exit,
}

/// The server's state.
pub(crate) struct Server {
    out: Outbox,
    lifecycle: Lifecycle,
    enc: Encoding,
    caps: ClientCaps,
    root: Option<PathBuf>,
    docs: HashMap<String, Document>,
    engine: Engine,
    /// Whether `engine` was built from the workspace's settings (false
    /// until the first successful build).
    engine_ready: bool,
    init_settings: Option<ClientSettings>,
    client_settings: Option<ClientSettings>,
    session_disabled: BTreeSet<String>,
    mode: Mode,
    next_id: i32,
    pending: HashMap<RequestId, Pending>,
    watching: Option<String>,
    /// Scans large documents; started with the first one.
    worker: Option<Worker>,
    /// Counts scanner rebuilds, to drop background scans by an old scanner.
    generation: u64,
}

/// Runs the server until `exit`.
///
/// # Errors
///
/// If the client exits without `shutdown`, or the connection closes first.
pub(crate) fn main_loop(incoming: &Receiver<Message>, out: Outbox) -> anyhow::Result<()> {
    let mut server = Server::new(out);
    loop {
        let timer = server
            .deadline()
            .map_or_else(crossbeam_channel::never, crossbeam_channel::at);
        let done = server
            .worker
            .as_ref()
            .map_or_else(crossbeam_channel::never, |w| w.done.clone());
        crossbeam_channel::select! {
            recv(incoming) -> msg => {
                let Ok(msg) = msg else { break };
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

fn error(code: lsp_server::ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.into(),
        data: None,
    }
}

fn invalid_params(message: impl Into<String>) -> ResponseError {
    error(lsp_server::ErrorCode::InvalidParams, message)
}

fn parse<P: serde::de::DeserializeOwned>(method: &str, params: Value) -> Result<P, ResponseError> {
    serde_json::from_value(params)
        .map_err(|e| invalid_params(format!("invalid params for {method}: {e}")))
}

/// What a request handler answers.
enum Reply {
    Json(Value),
    /// The `result` already serialised.
    RawResult(String),
}

fn reply<T: Serialize>(value: T) -> Result<Reply, ResponseError> {
    serde_json::to_value(value)
        .map(Reply::Json)
        .map_err(|e| error(lsp_server::ErrorCode::InternalError, e.to_string()))
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
            mode: Mode::Push,
            next_id: 0,
            pending: HashMap::new(),
            watching: None,
            worker: None,
            generation: 0,
        }
    }

    // ==== dispatch ===========================================================

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

    fn respond(&self, id: RequestId, result: Result<Reply, ResponseError>) {
        match result {
            Ok(Reply::Json(v)) => self.out.send(Response::new_ok(id, v).into()),
            Ok(Reply::RawResult(result)) => {
                let id = serde_json::to_string(&id).unwrap_or_else(|_| "null".into());
                self.out.send_raw(format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#
                ));
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

    fn on_request(&mut self, req: Request) {
        let Request { id, method, params } = req;
        let result = match (self.lifecycle, method.as_str()) {
            (Lifecycle::Uninitialized, "initialize") => self.initialize(params),
            (Lifecycle::Uninitialized, _) => Err(error(
                lsp_server::ErrorCode::ServerNotInitialized,
                format!("{method}: the server is not initialized yet"),
            )),
            (Lifecycle::ShutDown, _) => Err(error(
                lsp_server::ErrorCode::InvalidRequest,
                format!("{method}: the server is shutting down"),
            )),
            (_, "initialize") => Err(error(
                lsp_server::ErrorCode::InvalidRequest,
                "the server is already initialized",
            )),
            (_, "shutdown") => {
                self.lifecycle = Lifecycle::ShutDown;
                Ok(Reply::Json(Value::Null))
            }
            (_, "textDocument/hover") => parse(&method, params).and_then(|p| self.hover(p)),
            (_, "textDocument/codeAction") => {
                parse(&method, params).and_then(|p| self.code_action(p))
            }
            (_, "textDocument/diagnostic") => {
                parse(&method, params).and_then(|p| self.pull_diagnostics(p))
            }
            (_, "workspace/executeCommand") => {
                parse(&method, params).and_then(|p| self.execute_command(p))
            }
            _ => Err(error(
                lsp_server::ErrorCode::MethodNotFound,
                format!("unknown method {method}"),
            )),
        };
        if let Err(e) = &result {
            eprintln!("vblint lsp: {method}: {}", e.message);
        }
        self.respond(id, result);
    }

    fn on_notification(&mut self, n: Notification) -> Flow {
        let Notification { method, params } = n;
        if method == "exit" {
            return Flow::Exit;
        }
        if self.lifecycle != Lifecycle::Running {
            return Flow::Continue;
        }
        let result = match method.as_str() {
            "initialized" => {
                self.initialized();
                Ok(())
            }
            "textDocument/didOpen" => parse(&method, params).map(|p| self.did_open(p)),
            "textDocument/didChange" => parse(&method, params).map(|p| self.did_change(p)),
            "textDocument/didClose" => parse(&method, params).map(|p| self.did_close(p)),
            "textDocument/didSave" => parse(&method, params).map(|p| self.did_save(p)),
            "workspace/didChangeConfiguration" => {
                self.did_change_configuration(&params);
                Ok(())
            }
            "workspace/didChangeWatchedFiles" => {
                parse(&method, params).map(|p| self.did_change_watched_files(p))
            }
            m if m.starts_with("$/") => Ok(()),
            _ => {
                eprintln!("vblint lsp: ignored the notification {method}");
                Ok(())
            }
        };
        if let Err(e) = result {
            eprintln!("vblint lsp: ignored a notification: {}", e.message);
        }
        Flow::Continue
    }

    fn on_response(&mut self, r: Response) {
        let Some(pending) = self.pending.remove(&r.id) else {
            eprintln!("vblint lsp: a response to an unknown request {}", r.id);
            return;
        };
        let result = match r.response_result {
            Ok(v) => v,
            Err(e) => {
                eprintln!("vblint lsp: the client answered an error: {}", e.message);
                if let Pending::ApplyEdit { path, .. } = pending {
                    self.show(
                        MessageType::WARNING,
                        format!("vblint: could not update {}: {}", path.display(), e.message),
                    );
                }
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
            Pending::ApplyEdit { path, text } => {
                let applied = result
                    .get("applied")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !applied {
                    let reason = result
                        .get("failureReason")
                        .and_then(Value::as_str)
                        .unwrap_or("the editor did not apply the edit");
                    eprintln!("vblint lsp: {}: {reason}", path.display());
                    self.show(
                        MessageType::WARNING,
                        format!(
                            "vblint: could not update {} ({reason}); add this to it by hand:\n{text}",
                            path.display()
                        ),
                    );
                }
            }
        }
    }

    fn request(&mut self, method: &str, params: Value, pending: Pending) {
        self.next_id += 1;
        let id = RequestId::from(format!("vblint-{}", self.next_id));
        self.pending.insert(id.clone(), pending);
        self.out
            .send(Request::new(id, method.to_string(), params).into());
    }

    fn notify(&self, method: &str, params: Value) {
        self.out
            .send(Notification::new(method.to_string(), params).into());
    }

    fn show(&self, typ: MessageType, message: String) {
        eprintln!("vblint lsp: {message}");
        self.notify(
            "window/showMessage",
            json!({ "type": typ, "message": message }),
        );
    }

    // ==== lifecycle ==========================================================

    fn initialize(&mut self, params: Value) -> Result<Reply, ResponseError> {
        if !params.is_object() {
            return Err(invalid_params("initialize: params must be an object"));
        }
        let caps = &params["capabilities"];
        let flag = |ptr: &str| caps.pointer(ptr).and_then(Value::as_bool) == Some(true);
        let offered: Option<Vec<lsp_types::PositionEncodingKind>> = caps
            .pointer("/general/positionEncodings")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        self.enc = Encoding::negotiate(offered.as_deref());
        self.caps = ClientCaps {
            pull: caps
                .pointer("/textDocument/diagnostic")
                .is_some_and(Value::is_object),
            refresh: flag("/workspace/diagnostics/refreshSupport"),
            apply_edit: flag("/workspace/applyEdit"),
            create_files: caps
                .pointer("/workspace/workspaceEdit/resourceOperations")
                .and_then(Value::as_array)
                .is_some_and(|ops| ops.iter().any(|o| o == "create")),
            document_changes: flag("/workspace/workspaceEdit/documentChanges"),
            watch_dynamic: flag("/workspace/didChangeWatchedFiles/dynamicRegistration"),
            relative_patterns: flag("/workspace/didChangeWatchedFiles/relativePatternSupport"),
            configuration: flag("/workspace/configuration"),
            markdown: caps
                .pointer("/textDocument/hover/contentFormat")
                .and_then(Value::as_array)
                .is_none_or(|f| f.iter().any(|k| k == "markdown")),
        };
        self.mode = if self.caps.pull {
            Mode::Undecided(None)
        } else {
            Mode::Push
        };
        self.root = params
            .pointer("/workspaceFolders/0/uri")
            .or_else(|| params.get("rootUri"))
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Uri>().ok())
            .and_then(|u| uri::to_path(&u))
            .or_else(|| {
                params
                    .get("rootPath")
                    .and_then(Value::as_str)
                    .map(PathBuf::from)
            });
        if let Some(opts) = params.get("initializationOptions") {
            let mut problems = Vec::new();
            self.init_settings = ClientSettings::from_json(opts, &mut problems);
            self.report_setting_problems(problems);
        }
        self.lifecycle = Lifecycle::Running;
        self.rebuild();
        let mut capabilities = json!({
            "positionEncoding": self.enc.kind(),
            "textDocumentSync": {
                "openClose": true,
                "change": lsp_types::TextDocumentSyncKind::INCREMENTAL,
                "save": { "includeText": false },
            },
            "hoverProvider": true,
            "codeActionProvider": true,
            "executeCommandProvider": { "commands": [DISABLE_COMMAND, EXPLAIN_COMMAND] },
        });
        if self.caps.pull {
            capabilities["diagnosticProvider"] = json!({
                "identifier": "vblint",
                "interFileDependencies": false,
                "workspaceDiagnostics": false,
            });
        }
        Ok(Reply::Json(json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "vblint", "version": env!("CARGO_PKG_VERSION") },
        })))
    }

    fn initialized(&mut self) {
        // Start-up is news, not a problem: it goes to the editor's log, not stderr.
        let started = format!(
            "vblint lsp {}: initialized (positions in {}, diagnostics {}, workspace {})",
            env!("CARGO_PKG_VERSION"),
            self.enc.kind().as_str(),
            if self.caps.pull { "pulled" } else { "pushed" },
            self.root
                .as_ref()
                .map_or_else(|| "none".into(), |r| r.display().to_string())
        );
        self.notify(
            "window/logMessage",
            json!({ "type": MessageType::INFO, "message": started }),
        );
        self.register_watchers();
        if self.caps.configuration {
            self.request(
                "workspace/configuration",
                json!({ "items": [{ "section": "vblint" }] }),
                Pending::Configuration,
            );
        }
    }

    // ==== settings and the scanner ===========================================

    fn report_setting_problems(&self, problems: Vec<String>) {
        if !problems.is_empty() {
            self.show(
                MessageType::WARNING,
                format!("vblint: {}", problems.join("; ")),
            );
        }
    }

    fn apply_settings(&mut self, value: &Value) {
        let mut problems = Vec::new();
        let settings = ClientSettings::from_json(value, &mut problems);
        self.report_setting_problems(problems);
        if let Some(settings) = settings
            && self.client_settings.as_ref() != Some(&settings)
        {
            self.client_settings = Some(settings);
            self.rebuild();
        }
    }

    /// Rebuilds the scanner from `vblint.toml`, the lexicon and the editor's
    /// settings. On failure the last good scanner stays.
    fn rebuild(&mut self) {
        let settings = self
            .client_settings
            .clone()
            .or_else(|| self.init_settings.clone())
            .unwrap_or_default();
        match Engine::build(self.root.as_deref(), &settings, &self.session_disabled) {
            Ok(engine) => {
                let paths_changed = engine.lexicon_paths != self.engine.lexicon_paths
                    || engine.config_path != self.engine.config_path;
                self.engine = engine;
                self.engine_ready = true;
                self.generation += 1;
                for doc in self.docs.values_mut() {
                    doc.dirty = true;
                    doc.stale = Stale::All;
                    doc.findings.clear();
                    doc.in_flight = None;
                }
                if paths_changed && self.watching.is_some() {
                    self.register_watchers();
                }
                if self.mode == Mode::Pull && self.caps.refresh {
                    self.request(
                        "workspace/diagnostic/refresh",
                        Value::Null,
                        Pending::Refresh,
                    );
                }
            }
            Err(problems) => {
                if !self.engine_ready {
                    self.engine = Engine::fallback();
                    self.engine_ready = true;
                }
                let shown: Vec<String> = problems.iter().take(5).map(ToString::to_string).collect();
                let more = problems.len().saturating_sub(5);
                let mut message = format!(
                    "vblint: the configuration or lexicon has problems, so the previous settings (or the built-in lexicon) stay in use:\n{}",
                    shown.join("\n")
                );
                if more > 0 {
                    message.push_str(&format!("\n… and {more} more"));
                }
                self.show(MessageType::ERROR, message);
            }
        }
    }

    fn register_watchers(&mut self) {
        if !self.caps.watch_dynamic {
            return;
        }
        if let Some(old) = self.watching.take() {
            self.request(
                "client/unregisterCapability",
                json!({ "unregisterations": [{ "id": old, "method": "workspace/didChangeWatchedFiles" }] }),
                Pending::Registration,
            );
        }
        let mut watchers = vec![
            json!({ "globPattern": "**/vblint.toml" }),
            json!({ "globPattern": "**/.vblint.toml" }),
        ];
        let mut watch = |dir: &Path, pattern: &str| {
            let glob = match uri::from_path(dir) {
                Some(base) if self.caps.relative_patterns => {
                    json!({ "baseUri": base, "pattern": pattern })
                }
                _ => json!(format!("{}/{pattern}", dir.display())),
            };
            watchers.push(json!({ "globPattern": glob }));
        };
        if let Some(config) = &self.engine.config_path
            && let (Some(dir), Some(name)) = (config.parent(), config.file_name())
        {
            watch(dir, &name.to_string_lossy());
        }
        for path in &self.engine.lexicon_paths {
            if path.is_dir() {
                watch(path, "*.toml");
            } else if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
                watch(dir, &name.to_string_lossy());
            }
        }
        self.next_id += 1;
        let id = format!("vblint-watch-{}", self.next_id);
        self.watching = Some(id.clone());
        self.request(
            "client/registerCapability",
            json!({ "registrations": [{
                "id": id,
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": watchers },
            }] }),
            Pending::Registration,
        );
    }

    fn did_change_configuration(&mut self, params: &Value) {
        let settings = params.get("settings").unwrap_or(&Value::Null);
        let mut ignored = Vec::new();
        if ClientSettings::from_json(settings, &mut ignored).is_some() {
            self.apply_settings(settings);
        } else if self.caps.configuration {
            // Clients using the pull model send an empty notification.
            self.request(
                "workspace/configuration",
                json!({ "items": [{ "section": "vblint" }] }),
                Pending::Configuration,
            );
        }
    }

    fn did_change_watched_files(&mut self, params: DidChangeWatchedFilesParams) {
        let config_changed = params.changes.iter().any(|c| {
            uri::to_path(&c.uri).is_some_and(|p| {
                p.file_name()
                    .is_some_and(|n| n == "vblint.toml" || n == ".vblint.toml")
            })
        });
        if config_changed {
            // The file on disk is the truth again.
            self.session_disabled.clear();
        }
        self.rebuild();
    }

    // ==== documents ==========================================================

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let td = p.text_document;
        let doc = Document::new(td.uri, td.language_id, td.version, td.text);
        if let Mode::Undecided(None) = self.mode {
            self.mode = Mode::Undecided(Some(Instant::now() + PULL_GRACE));
        }
        self.docs.insert(doc.uri.as_str().to_string(), doc);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let enc = self.enc;
        let Some(doc) = self.docs.get_mut(p.text_document.uri.as_str()) else {
            eprintln!(
                "vblint lsp: didChange for {}, which is not open; ignored",
                p.text_document.uri.as_str()
            );
            return;
        };
        doc.apply(p.content_changes, enc);
        doc.version = p.text_document.version;
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        if self.docs.remove(p.text_document.uri.as_str()).is_some() && self.mode == Mode::Push {
            self.publish(p.text_document.uri.as_str(), None, "[]");
        }
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        // Without file watchers, saving a configuration or lexicon file is
        // how changes reach the scanner.
        let kind = self.docs.get(p.text_document.uri.as_str()).map(|d| d.kind);
        if !self.caps.watch_dynamic && matches!(kind, Some(Kind::Config | Kind::Lexicon)) {
            if kind == Some(Kind::Config) {
                self.session_disabled.clear();
            }
            self.rebuild();
        }
    }

    /// Brings a prose document's findings up to date and says whether they
    /// are (`None` if it is not open). A large document is left to the
    /// background scanner unless `wait` is set, so its findings may be stale.
    fn check(&mut self, key: &str, wait: bool) -> Option<bool> {
        let doc = self.docs.get_mut(key)?;
        if !doc.dirty || doc.kind != Kind::Prose {
            return Some(true);
        }
        let scanner = &self.engine.scanner;
        if doc.is_large() && !wait && !quick_check(scanner, doc) {
            return Some(false);
        }
        doc.refresh(scanner);
        doc.dirty = false;
        Some(true)
    }

    /// Hands a large document to the background scanner, unless it is
    /// already being scanned.
    fn submit(&mut self, key: &str) {
        if self.worker.is_none() {
            self.worker = Worker::spawn();
        }
        let generation = self.generation;
        let scanner = self.engine.scanner.clone();
        let Some(doc) = self.docs.get_mut(key) else {
            return;
        };
        if doc.in_flight.is_some() {
            return;
        }
        let job = Job {
            key: key.to_string(),
            revision: doc.revision,
            generation,
            text: doc.text.clone(),
            scanner,
        };
        match &self.worker {
            Some(worker) if worker.jobs.send(job).is_ok() => {
                doc.in_flight = Some((doc.revision, generation));
            }
            _ => {
                // No thread: scan here.
                self.worker = None;
                self.check(key, true);
                self.publish_now(key);
            }
        }
    }

    /// Takes the findings of a background scan, if they still fit the text.
    fn scan_done(&mut self, done: Done) {
        let generation = self.generation;
        let Some(doc) = self.docs.get_mut(&done.key) else {
            return;
        };
        if doc.in_flight == Some((done.revision, done.generation)) {
            doc.in_flight = None;
        }
        if done.revision != doc.revision || done.generation != generation || !doc.dirty {
            // Stale: the next flush scans the current text.
            return;
        }
        doc.findings = done.findings;
        doc.stale = Stale::No;
        doc.dirty = false;
        if self.mode == Mode::Push {
            self.publish_now(&done.key);
        }
    }

    /// Publishes a document's current diagnostics.
    fn publish_now(&mut self, key: &str) {
        let version = self.docs.get(key).map(|d| d.version);
        let mut body = publish_prefix(key, version);
        if self.diagnostics_json(key, &mut body) {
            body.extend_from_slice(b"}}");
            self.send_body(body);
        }
    }

    /// Appends the diagnostics of a document, as a JSON array, to `out`;
    /// false if it is not open. Written straight to JSON text: a 5 MB report
    /// can have tens of thousands of diagnostics.
    fn diagnostics_json(&mut self, key: &str, out: &mut Vec<u8>) -> bool {
        let enc = self.enc;
        let Some(kind) = self.docs.get(key).map(|d| d.kind) else {
            return false;
        };
        match kind {
            Kind::Prose => {
                self.check(key, true);
                let Some(doc) = self.docs.get(key) else {
                    return false;
                };
                write_prose_json(&self.engine, doc, enc, out);
            }
            Kind::Lexicon | Kind::Config => {
                let Some(doc) = self.docs.get_mut(key) else {
                    return false;
                };
                doc.dirty = false;
                let diags = if kind == Kind::Lexicon {
                    files::lexicon_diagnostics(doc, enc)
                } else {
                    files::config_diagnostics(doc, enc)
                };
                if serde_json::to_writer(&mut *out, &diags).is_err() {
                    out.extend_from_slice(b"[]");
                }
            }
        }
        true
    }

    /// Publishes `diagnostics` (a JSON array) for a document.
    fn publish(&self, key: &str, version: Option<i32>, diagnostics: &str) {
        let mut body = publish_prefix(key, version);
        body.extend_from_slice(diagnostics.as_bytes());
        body.extend_from_slice(b"}}");
        self.send_body(body);
    }

    fn send_body(&self, body: Vec<u8>) {
        match String::from_utf8(body) {
            Ok(body) => self.out.send_raw(body),
            Err(e) => eprintln!("vblint lsp: internal error: a message is not UTF-8: {e}"),
        }
    }

    /// Checks and publishes every changed document (in push mode).
    fn flush(&mut self) {
        if self.mode != Mode::Push {
            return;
        }
        let scanner = &self.engine.scanner;
        let dirty: Vec<(String, bool)> = self
            .docs
            .iter()
            .filter(|(_, d)| d.dirty)
            .map(|(k, d)| (k.clone(), d.is_large() && !quick_check(scanner, d)))
            .collect();
        for (key, large) in dirty {
            if large {
                self.submit(&key);
            } else {
                self.publish_now(&key);
            }
        }
    }

    fn deadline(&self) -> Option<Instant> {
        match self.mode {
            Mode::Undecided(at) => at,
            _ => None,
        }
    }

    fn deadline_passed(&mut self) {
        if let Mode::Undecided(Some(_)) = self.mode {
            eprintln!("vblint lsp: the client has not pulled diagnostics; pushing them instead");
            self.mode = Mode::Push;
            for doc in self.docs.values_mut() {
                doc.dirty = true;
            }
        }
    }

    // ==== requests ===========================================================

    fn pull_diagnostics(&mut self, p: DocumentDiagnosticParams) -> Result<Reply, ResponseError> {
        if self.mode == Mode::Push && self.caps.pull {
            // Pushed diagnostics would now show twice: clear them.
            for key in self.docs.keys() {
                self.publish(key, None, "[]");
            }
        }
        self.mode = Mode::Pull;
        let key = p.text_document.uri.as_str();
        let mut result = br#"{"kind":"full","items":"#.to_vec();
        if !self.diagnostics_json(key, &mut result) {
            eprintln!("vblint lsp: diagnostics asked for {key}, which is not open");
            result.extend_from_slice(b"[]");
        }
        result.push(b'}');
        String::from_utf8(result)
            .map(Reply::RawResult)
            .map_err(|e| error(lsp_server::ErrorCode::InternalError, e.to_string()))
    }

    fn hover(&mut self, p: HoverParams) -> Result<Reply, ResponseError> {
        let enc = self.enc;
        let markdown = self.caps.markdown;
        let pos = p.text_document_position_params;
        let key = pos.text_document.uri.as_str();
        match self.check(key, false) {
            None => {
                eprintln!("vblint lsp: hover in {key}, which is not open");
                return reply(Value::Null);
            }
            // Still being scanned: nothing to say yet.
            Some(false) => return reply(Value::Null),
            Some(true) => {}
        }
        let Some(doc) = self.docs.get(key) else {
            return reply(Value::Null);
        };
        let offset = doc.index.offset(&doc.text, pos.position, enc);
        let Some(f) = finding_at(&doc.findings, offset) else {
            return reply(Value::Null);
        };
        let range = doc.index.cursor(&doc.text, enc).range(f.span.clone());
        let entry = self.engine.scanner.lexicon().get(f.entry);
        let text = actions::explain(entry, f.quoted, false);
        reply(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: if markdown {
                    MarkupKind::Markdown
                } else {
                    MarkupKind::PlainText
                },
                value: text,
            }),
            range: Some(range),
        })
    }

    // lsp-types keys WorkspaceEdit changes by Uri, which clippy thinks mutable.
    #[allow(clippy::mutable_key_type)]
    fn code_action(&mut self, p: CodeActionParams) -> Result<Reply, ResponseError> {
        let enc = self.enc;
        let key = p.text_document.uri.as_str().to_string();
        let config_target = self.config_target(&key);
        match self.check(&key, false) {
            None => {
                eprintln!("vblint lsp: code actions asked for {key}, which is not open");
                return reply(Value::Null);
            }
            Some(false) => return reply(Vec::<CodeActionOrCommand>::new()),
            Some(true) => {}
        }
        let Some(doc) = self.docs.get(&key) else {
            return reply(Value::Null);
        };
        let a = doc.index.offset(&doc.text, p.range.start, enc);
        let b = doc.index.offset(&doc.text, p.range.end, enc);
        let (a, b) = (a.min(b), a.max(b));
        let lexicon = self.engine.scanner.lexicon();
        let style = MarkerStyle::for_language(&doc.language_id);
        let mut cursor = doc.index.cursor(&doc.text, enc);
        let mut fixes = Vec::new();
        let mut others = Vec::new();
        let mut seen_rules = BTreeSet::new();
        let mut disabled_rules = BTreeSet::new();
        let first = doc.findings.partition_point(|f| f.span.end < a);
        for f in doc.findings[first..]
            .iter()
            .take_while(|f| f.span.start <= b)
            .take(MAX_ACTION_FINDINGS)
        {
            let entry = lexicon.get(f.entry);
            let range = cursor.range(f.span.clone());
            let diagnostic = lsp_diagnostic(&self.engine, f, range);
            let edit = |range: lsp_types::Range, new_text: String| {
                let mut changes = HashMap::new();
                changes.insert(
                    p.text_document.uri.clone(),
                    vec![TextEdit { range, new_text }],
                );
                WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }
            };
            // Only replacements that fit the sentence (none in a quotation).
            let fits = crate::fix::drop_ins(&self.engine.scanner, &doc.text, f);
            for (i, fix) in fits.into_iter().enumerate() {
                let range = lsp_types::Range {
                    start: doc.index.position(&doc.text, fix.span.start, enc),
                    end: doc.index.position(&doc.text, fix.span.end, enc),
                };
                let title = match fix.replacement.as_str() {
                    "" => format!("Remove “{}”", doc.text[fix.span.clone()].trim()),
                    new => format!("Replace with “{new}”"),
                };
                fixes.push(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(edit(range, fix.replacement)),
                    is_preferred: Some(i == 0),
                    ..CodeAction::default()
                });
            }
            let end = super::position::line_end(&doc.index, &doc.text, f.span.start);
            let at = doc.index.position(&doc.text, end, enc);
            others.push(CodeAction {
                title: format!("Ignore this occurrence of `{}`", entry.id),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit(
                    lsp_types::Range { start: at, end: at },
                    style.marker(&entry.id),
                )),
                ..CodeAction::default()
            });
            // A quotation is someone's own words: only ignore or explain.
            if !f.quoted
                && !disabled_rules.contains(&entry.id)
                && let Some(target) = &config_target
            {
                disabled_rules.insert(entry.id.clone());
                let title = format!(
                    "Disable `{}` in this workspace ({})",
                    entry.id,
                    target.display()
                );
                others.push(CodeAction {
                    title: title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    command: Some(Command {
                        title,
                        command: DISABLE_COMMAND.into(),
                        arguments: Some(vec![json!(entry.id)]),
                    }),
                    ..CodeAction::default()
                });
            }
            if !seen_rules.insert(entry.id.clone()) {
                continue;
            }
            let title = format!("Explain `{}`", entry.id);
            others.push(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::EMPTY),
                command: Some(Command {
                    title,
                    command: EXPLAIN_COMMAND.into(),
                    arguments: Some(vec![json!(entry.id)]),
                }),
                ..CodeAction::default()
            });
        }
        fixes.extend(others);
        if let Some(only) = &p.context.only {
            fixes.retain(|a| {
                let kind = a.kind.as_ref().map_or("", |k| k.as_str());
                only.iter()
                    .any(|o| kind == o.as_str() || kind.starts_with(&format!("{}.", o.as_str())))
            });
        }
        let actions: Vec<CodeActionOrCommand> = fixes
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect();
        reply(actions)
    }

    /// The `vblint.toml` a "disable" action writes: the one in effect, or a
    /// new one in the workspace root (or the document's folder).
    fn config_target(&self, key: &str) -> Option<PathBuf> {
        if let Some(p) = &self.engine.config_path {
            return Some(p.clone());
        }
        let dir = self
            .root
            .clone()
            .or_else(|| self.docs.get(key)?.folder().map(Path::to_path_buf))?;
        Some(dir.join("vblint.toml"))
    }

    fn execute_command(&mut self, p: ExecuteCommandParams) -> Result<Reply, ResponseError> {
        let id = p
            .arguments
            .first()
            .and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.get("rule")?.as_str().map(str::to_string))
            })
            .ok_or_else(|| {
                invalid_params(format!(
                    "{}: the first argument must be a rule id",
                    p.command
                ))
            })?;
        let lexicon = self.engine.scanner.lexicon();
        let Some(entry_id) = lexicon.find(&id) else {
            return Err(invalid_params(format!(
                "there is no rule `{id}` in the lexicon"
            )));
        };
        match p.command.as_str() {
            EXPLAIN_COMMAND => {
                let text = actions::explain(lexicon.get(entry_id), false, true);
                self.notify(
                    "window/showMessage",
                    json!({ "type": MessageType::INFO, "message": text }),
                );
                reply(text)
            }
            DISABLE_COMMAND => {
                let key = p
                    .arguments
                    .get(1)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let target = self.config_target(&key).ok_or_else(|| {
                    invalid_params("there is no workspace folder to hold vblint.toml")
                })?;
                self.disable_rule(&id, &target)?;
                reply(Value::Null)
            }
            other => Err(invalid_params(format!("unknown command {other}"))),
        }
    }

    /// Adds `id` to `disable` in `target`, through the editor when it can
    /// apply edits, else on disk; the rule is off at once either way.
    // lsp-types keys WorkspaceEdit changes by Uri, which clippy thinks mutable.
    #[allow(clippy::mutable_key_type)]
    fn disable_rule(&mut self, id: &str, target: &Path) -> Result<(), ResponseError> {
        let open = uri::from_path(target).and_then(|u| self.docs.get(u.as_str()));
        let exists = open.is_some() || target.is_file();
        let current = match open {
            Some(doc) => doc.text.clone(),
            None if exists => std::fs::read_to_string(target)
                .map_err(|e| invalid_params(format!("cannot read {}: {e}", target.display())))?,
            None => String::new(),
        };
        let updated = actions::add_disabled(&current, id).map_err(invalid_params)?;
        self.session_disabled.insert(id.to_string());
        self.rebuild();
        let Some(text) = updated else {
            return Ok(());
        };
        let target_uri = uri::from_path(target);
        let can_edit = self.caps.apply_edit
            && target_uri.is_some()
            && (exists || (self.caps.create_files && self.caps.document_changes));
        if can_edit {
            let target_uri = target_uri.expect("checked above");
            let end = {
                let index = LineIndex::new(&current);
                index.position(&current, current.len(), self.enc)
            };
            let whole = lsp_types::Range {
                start: Position::default(),
                end,
            };
            let replace = TextEdit {
                range: whole,
                new_text: text.clone(),
            };
            let edit = if exists && !self.caps.document_changes {
                let mut changes = HashMap::new();
                changes.insert(target_uri, vec![replace]);
                WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }
            } else {
                let mut ops = Vec::new();
                if !exists {
                    ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                        CreateFile {
                            uri: target_uri.clone(),
                            options: Some(CreateFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(true),
                            }),
                            annotation_id: None,
                        },
                    )));
                }
                ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: target_uri,
                        version: None,
                    },
                    edits: vec![lsp_types::OneOf::Left(replace)],
                }));
                WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Operations(ops)),
                    ..WorkspaceEdit::default()
                }
            };
            self.request(
                "workspace/applyEdit",
                json!({ "label": format!("Disable `{id}` in this workspace"), "edit": edit }),
                Pending::ApplyEdit {
                    path: target.to_path_buf(),
                    text: format!("disable = [\"{id}\"]"),
                },
            );
        } else {
            write_atomically(target, &text).map_err(|e| {
                error(
                    lsp_server::ErrorCode::RequestFailed,
                    format!("cannot write {}: {e}", target.display()),
                )
            })?;
        }
        Ok(())
    }
}

/// Writes a file through a temporary file in the same folder and a rename.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(
        || "vblint.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = dir.join(format!(".{name}.vblint-{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The finding under `offset` (a cursor just after a finding counts).
fn finding_at(findings: &[Finding], offset: usize) -> Option<&Finding> {
    let i = findings.partition_point(|f| f.span.end < offset);
    findings
        .get(i)
        .filter(|f| f.span.start <= offset && offset <= f.span.end)
}

/// One diagnostic, serialised without building a JSON tree.
#[derive(Serialize)]
struct Diag<'a> {
    range: lsp_types::Range,
    severity: lsp_types::DiagnosticSeverity,
    code: &'a str,
    source: &'static str,
    message: &'a str,
    data: Data<'a>,
}

/// What code actions need from a diagnostic.
#[derive(Serialize)]
struct Data<'a> {
    rule: &'a str,
    alternatives: &'a [String],
    quoted: bool,
}

fn diag<'a>(engine: &'a Engine, f: &Finding, range: lsp_types::Range) -> Diag<'a> {
    let entry = engine.scanner.lexicon().get(f.entry);
    let (plain, quoted) = &engine.messages[f.entry.0 as usize];
    Diag {
        range,
        severity: lsp_severity(f.severity),
        code: &entry.id,
        source: "vblint",
        message: if f.quoted { quoted } else { plain },
        data: Data {
            rule: &entry.id,
            alternatives: &entry.alternatives,
            quoted: f.quoted,
        },
    }
}

/// Appends the diagnostics of a prose document to `out` as a JSON array,
/// serialised as they are converted (no intermediate list or JSON tree).
fn write_prose_json(engine: &Engine, doc: &Document, enc: Encoding, out: &mut Vec<u8>) {
    use serde::Serializer as _;
    let mut cursor = doc.index.cursor(&doc.text, enc);
    let items = doc
        .findings
        .iter()
        .map(|f| diag(engine, f, cursor.range(f.span.clone())));
    let mut ser = serde_json::Serializer::new(&mut *out);
    if let Err(e) = ser.collect_seq(items) {
        eprintln!("vblint lsp: internal error: cannot serialise diagnostics: {e}");
    }
}

/// The diagnostics of a prose document as a JSON array.
fn prose_json(engine: &Engine, doc: &Document, enc: Encoding) -> String {
    let mut out = Vec::new();
    write_prose_json(engine, doc, enc, &mut out);
    String::from_utf8(out).unwrap_or_else(|_| "[]".into())
}

/// The start of a `publishDiagnostics` body, up to its `diagnostics` value.
fn publish_prefix(key: &str, version: Option<i32>) -> Vec<u8> {
    let uri = serde_json::to_string(key).unwrap_or_default();
    let version = version.map_or_else(String::new, |v| format!(r#","version":{v}"#));
    format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{{"uri":{uri}{version},"diagnostics":"#
    )
    .into_bytes()
}

fn lsp_diagnostic(engine: &Engine, f: &Finding, range: lsp_types::Range) -> lsp_types::Diagnostic {
    let d = diag(engine, f, range);
    lsp_types::Diagnostic {
        range,
        severity: Some(d.severity),
        code: Some(lsp_types::NumberOrString::String(d.code.to_string())),
        source: Some(d.source.into()),
        message: d.message.to_string(),
        data: serde_json::to_value(&d.data).ok(),
        ..lsp_types::Diagnostic::default()
    }
}

/// Whether checking a document is quick: its findings are current, or only
/// the paragraphs near its edits need scanning again.
fn quick_check(scanner: &crate::scan::Scanner, doc: &Document) -> bool {
    match &doc.stale {
        Stale::No => true,
        Stale::Edited(changed) => scanner.rescans_locally(&doc.text, changed.clone()),
        Stale::All => false,
    }
}

/// Benchmark hooks: the work of one check, without a connection.
#[doc(hidden)]
pub mod bench {
    use super::{Document, Encoding, Engine, Stale, prose_json};
    use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

    /// A document and the built-in scanner.
    pub struct Bench {
        engine: Engine,
        doc: Document,
    }

    impl Bench {
        /// Opens `text` as a plain-text document.
        pub fn new(text: String) -> Bench {
            Bench {
                engine: Engine::fallback(),
                doc: Document::new(
                    "file:///bench.txt".parse().expect("a valid URI"),
                    "plaintext".into(),
                    1,
                    text,
                ),
            }
        }

        /// Scans the document and serialises its diagnostics; returns the
        /// number of findings and the JSON length.
        pub fn check(&mut self) -> (usize, usize) {
            (self.scan(), self.diagnostics())
        }

        /// Scans the document (the library's part); returns the number of
        /// findings.
        pub fn scan(&mut self) -> usize {
            let doc = &mut self.doc;
            doc.findings.clear();
            self.engine
                .scanner
                .scan_into(&doc.text, &mut doc.norm, &mut doc.findings);
            doc.stale = Stale::No;
            doc.findings.len()
        }

        /// Brings the findings up to date after edits, as the server does
        /// (rescanning the paragraphs near them); returns the number of
        /// findings.
        pub fn rescan(&mut self) -> usize {
            self.doc.refresh(&self.engine.scanner);
            self.doc.findings.len()
        }

        /// Converts the last scan's findings to UTF-16 diagnostics and
        /// serialises them (the server's part); returns the JSON length.
        pub fn diagnostics(&self) -> usize {
            prose_json(&self.engine, &self.doc, Encoding::Utf16).len()
        }

        /// Inserts `text` at a UTF-16 position, as a keystroke would.
        pub fn edit(&mut self, line: u32, character: u32, text: &str) {
            let at = Position { line, character };
            self.doc.apply(
                vec![TextDocumentContentChangeEvent {
                    range: Some(Range { start: at, end: at }),
                    range_length: None,
                    text: text.into(),
                }],
                Encoding::Utf16,
            );
        }

        /// Deletes the UTF-16 columns `from..to` of a line.
        pub fn delete(&mut self, line: u32, from: u32, to: u32) {
            self.doc.apply(
                vec![TextDocumentContentChangeEvent {
                    range: Some(Range {
                        start: Position {
                            line,
                            character: from,
                        },
                        end: Position {
                            line,
                            character: to,
                        },
                    }),
                    range_length: None,
                    text: String::new(),
                }],
                Encoding::Utf16,
            );
        }
    }
}
