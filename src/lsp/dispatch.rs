//! Routing messages to their handlers.
//!
//! Methods are matched by the `METHOD` constants of lsp-types' request and
//! notification types, and parameters are read into those types'
//! `Params`, so a method name is written nowhere else. Bad parameters get
//! an invalid-params error (requests) or a line in the log
//! (notifications); unknown requests get method-not-found.
//!
//! | method | handler |
//! |---|---|
//! | `initialize`, `initialized`, `shutdown` | [`super::handlers::lifecycle`] |
//! | `textDocument/didOpen`, `didChange`, `didClose`, `didSave` | [`super::handlers::text_sync`] |
//! | `workspace/didChangeConfiguration`, `didChangeWatchedFiles` | [`super::handlers::configuration`] |
//! | `textDocument/diagnostic` | [`super::handlers::diagnostics_pull`] |
//! | `textDocument/hover` | [`super::handlers::hover`] |
//! | `textDocument/codeAction` | [`super::handlers::code_action`] |
//! | `workspace/executeCommand` | [`super::handlers::execute_command`] |

use lsp_server::{ErrorCode, Notification, Request, ResponseError};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Exit, Initialized, Notification as _,
};
use lsp_types::request::{
    CodeActionRequest, DocumentDiagnosticRequest, ExecuteCommand, HoverRequest, Initialize,
    Request as _, Shutdown,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::server::{Flow, Lifecycle, Server};

/// What a request handler answers.
pub(super) enum Reply {
    Json(Value),
    /// The `result` already serialised, in pieces.
    RawResult(Vec<Vec<u8>>),
}

/// What a request handler returns.
pub(super) type Handled = Result<Reply, ResponseError>;

pub(super) fn error(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.into(),
        data: None,
    }
}

pub(super) fn invalid_params(message: impl Into<String>) -> ResponseError {
    error(ErrorCode::InvalidParams, message)
}

/// A reply of any serialisable value.
pub(super) fn reply<T: Serialize>(value: T) -> Handled {
    serde_json::to_value(value)
        .map(Reply::Json)
        .map_err(|e| error(ErrorCode::InternalError, e.to_string()))
}

fn parse<P: DeserializeOwned>(method: &str, params: Value) -> Result<P, ResponseError> {
    serde_json::from_value(params)
        .map_err(|e| invalid_params(format!("invalid params for {method}: {e}")))
}

/// One request on its way to the handler of its method.
struct RequestRoute<'a> {
    server: &'a mut Server,
    method: &'a str,
    params: Option<Value>,
    result: Option<Handled>,
}

impl RequestRoute<'_> {
    /// Handles the request if it is an `R`, with its params read as
    /// `R::Params`.
    fn on<R>(&mut self, handler: fn(&mut Server, R::Params) -> Handled) -> &mut Self
    where
        R: lsp_types::request::Request,
        R::Params: DeserializeOwned,
    {
        if self.result.is_none() && self.method == R::METHOD {
            let params = self.params.take().unwrap_or_default();
            self.result = Some(parse(R::METHOD, params).and_then(|p| handler(self.server, p)));
        }
        self
    }

    /// Handles the request if it is an `R`, with its params as JSON (for
    /// handlers that read them leniently).
    fn on_json<R>(&mut self, handler: fn(&mut Server, Value) -> Handled) -> &mut Self
    where
        R: lsp_types::request::Request,
    {
        if self.result.is_none() && self.method == R::METHOD {
            let params = self.params.take().unwrap_or_default();
            self.result = Some(handler(self.server, params));
        }
        self
    }

    fn finish(&mut self) -> Handled {
        self.result.take().unwrap_or_else(|| {
            Err(error(
                ErrorCode::MethodNotFound,
                format!("unknown method {}", self.method),
            ))
        })
    }
}

/// One notification on its way to the handler of its method.
struct NotificationRoute<'a> {
    server: &'a mut Server,
    method: &'a str,
    params: Option<Value>,
    /// `Ok(true)` once handled; an error if its params could not be read.
    handled: Result<bool, ResponseError>,
}

impl NotificationRoute<'_> {
    fn on<N>(&mut self, handler: fn(&mut Server, N::Params)) -> &mut Self
    where
        N: lsp_types::notification::Notification,
        N::Params: DeserializeOwned,
    {
        if matches!(self.handled, Ok(false)) && self.method == N::METHOD {
            let params = self.params.take().unwrap_or_default();
            self.handled = parse(N::METHOD, params).map(|p| {
                handler(self.server, p);
                true
            });
        }
        self
    }

    fn on_json<N>(&mut self, handler: fn(&mut Server, Value)) -> &mut Self
    where
        N: lsp_types::notification::Notification,
    {
        if matches!(self.handled, Ok(false)) && self.method == N::METHOD {
            let params = self.params.take().unwrap_or_default();
            handler(self.server, params);
            self.handled = Ok(true);
        }
        self
    }
}

impl Server {
    pub(super) fn on_request(&mut self, req: Request) {
        let Request { id, method, params } = req;
        let result = match self.lifecycle {
            Lifecycle::Uninitialized if method == Initialize::METHOD => self.initialize(params),
            Lifecycle::Uninitialized => Err(error(
                ErrorCode::ServerNotInitialized,
                format!("{method}: the server is not initialized yet"),
            )),
            Lifecycle::ShutDown => Err(error(
                ErrorCode::InvalidRequest,
                format!("{method}: the server is shutting down"),
            )),
            Lifecycle::Running => RequestRoute {
                server: self,
                method: &method,
                params: Some(params),
                result: None,
            }
            .on_json::<Initialize>(|_, _| {
                Err(error(
                    ErrorCode::InvalidRequest,
                    "the server is already initialized",
                ))
            })
            .on_json::<Shutdown>(|s, _| s.shutdown())
            .on::<HoverRequest>(Server::hover)
            .on::<CodeActionRequest>(Server::code_action)
            .on::<DocumentDiagnosticRequest>(Server::pull_diagnostics)
            .on::<ExecuteCommand>(Server::execute_command)
            .finish(),
        };
        if let Err(e) = &result {
            eprintln!("vblint lsp: {method}: {}", e.message);
        }
        self.respond(id, result);
    }

    pub(super) fn on_notification(&mut self, n: Notification) -> Flow {
        let Notification { method, params } = n;
        if method == Exit::METHOD {
            return Flow::Exit;
        }
        if self.lifecycle != Lifecycle::Running {
            return Flow::Continue;
        }
        let mut route = NotificationRoute {
            server: self,
            method: &method,
            params: Some(params),
            handled: Ok(false),
        };
        route
            .on_json::<Initialized>(|s, _| s.initialized())
            .on::<DidOpenTextDocument>(Server::did_open)
            .on::<DidChangeTextDocument>(Server::did_change)
            .on::<DidCloseTextDocument>(Server::did_close)
            .on::<DidSaveTextDocument>(Server::did_save)
            .on_json::<DidChangeConfiguration>(|s, p| s.did_change_configuration(&p))
            .on::<DidChangeWatchedFiles>(Server::did_change_watched_files);
        match route.handled {
            Ok(true) => {}
            Ok(false) if method.starts_with("$/") => {}
            Ok(false) => eprintln!("vblint lsp: ignored the notification {method}"),
            Err(e) => eprintln!("vblint lsp: ignored a notification: {}", e.message),
        }
        Flow::Continue
    }
}
