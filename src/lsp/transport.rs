//! The stdio transport: `Content-Length` framing that survives bad input.
//!
//! lsp-server's own stdio reader stops at the first malformed message, which
//! closes the connection. This reader answers what it cannot read instead:
//! a body that is not JSON gets `-32700` (parse error), JSON that is not a
//! request, response or notification gets `-32600` (invalid request), and
//! a header block without a usable `Content-Length` gets `-32700`; then it
//! reads the next message. Valid messages go to the server as
//! [`lsp_server::Message`]s.
//!
//! Outgoing messages are either ordinary [`lsp_server::Message`]s or bodies
//! the server serialised itself ([`Outgoing::Raw`]): large diagnostic lists
//! are written straight to JSON text, which is several times smaller and
//! faster than building a `serde_json::Value` tree first, in pieces that
//! are written one after another rather than copied into one buffer.
//!
//! Both directions are bounded, so a client that floods the server, or
//! never reads its answers, cannot make it grow:
//!
//! - a body is at most [`MAX_BODY`] bytes; a larger one is skipped (up to
//!   [`MAX_SKIP`] bytes) and answered with a parse error, and a header
//!   announcing more than that closes the connection at once;
//! - messages read but not yet handled hold at most [`MAX_INCOMING`] bytes
//!   and [`MAX_WAITING_REQUESTS`] requests: a request beyond either is
//!   answered at once with "vblint is busy" (`ServerCancelled` with
//!   `retriggerRequest` for a diagnostic pull, `RequestFailed` for the
//!   rest), while a notification, a response, `initialize` and `shutdown`
//!   wait for room (they cannot be dropped without losing the session's
//!   state);
//! - answers not yet written hold at most [`MAX_OUTGOING`] bytes: past it,
//!   the server waits for the client to read, and so stops reading too.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message};
use lsp_types::notification::{Exit, Notification as _};
use lsp_types::request::{DocumentDiagnosticRequest, Request as _};
use serde_json::Value;

/// The largest message body read (a 5 MB document is about 5 MB of JSON;
/// this leaves room for heavy escaping).
pub(crate) const MAX_BODY: usize = 64 << 20;

/// The largest body skipped to read on after it; a header announcing more
/// closes the connection (the rest of the stream cannot be trusted, and
/// skipping it could take until the client hangs up).
pub(crate) const MAX_SKIP: u64 = 1 << 30;

/// The most bytes of messages read and waiting to be handled.
pub(crate) const MAX_INCOMING: usize = 64 << 20;

/// The most requests read and waiting to be handled; more are answered
/// "busy" at once.
pub(crate) const MAX_WAITING_REQUESTS: usize = 256;

/// The most bytes of messages waiting to be written to the client.
pub(crate) const MAX_OUTGOING: usize = 64 << 20;

/// A bound on the bytes (and requests) in one queue between two threads.
///
/// The sending side counts each message in ([`Budget::admit`] waits for
/// room, [`Budget::try_admit`] does not) before putting it on its channel;
/// the receiving side counts it out ([`Budget::release`] with its size, or
/// [`Budget::release_oldest`] when there is one sender, in order). A
/// message larger than the whole budget is let in when the queue is empty.
#[derive(Debug)]
pub(crate) struct Budget {
    state: Mutex<BudgetState>,
    room: Condvar,
    bytes: usize,
    requests: usize,
}

#[derive(Debug, Default)]
struct BudgetState {
    bytes: usize,
    requests: usize,
    /// Sizes (and whether a request) of the messages in the queue, oldest
    /// first, for [`Budget::release_oldest`].
    queued: VecDeque<(usize, bool)>,
    closed: bool,
}

impl Budget {
    pub(crate) fn new(bytes: usize, requests: usize) -> Arc<Budget> {
        Arc::new(Budget {
            state: Mutex::default(),
            room: Condvar::new(),
            bytes,
            requests,
        })
    }

    fn fits(&self, state: &BudgetState, size: usize, request: bool) -> bool {
        let empty = state.queued.is_empty();
        (empty || state.bytes + size <= self.bytes) && (!request || state.requests < self.requests)
    }

    fn count_in(state: &mut BudgetState, size: usize, request: bool) {
        state.bytes += size;
        state.requests += usize::from(request);
        state.queued.push_back((size, request));
    }

    /// Waits for room for `size` bytes, then counts them in. `false` once
    /// the budget is closed (the other side has gone).
    pub(crate) fn admit(&self, size: usize) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while !state.closed && !self.fits(&state, size, false) {
            state = self
                .room
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.closed {
            return false;
        }
        Self::count_in(&mut state, size, false);
        true
    }

    /// Counts in a message of `size` bytes (a request when `request`) if
    /// there is room now.
    pub(crate) fn try_admit(&self, size: usize, request: bool) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.closed || !self.fits(&state, size, request) {
            return false;
        }
        Self::count_in(&mut state, size, request);
        true
    }

    /// Counts out the oldest message counted in.
    pub(crate) fn release_oldest(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((size, request)) = state.queued.pop_front() {
            state.bytes -= size;
            state.requests -= usize::from(request);
        }
        self.room.notify_all();
    }

    /// Counts out a message of `size` bytes (for a queue with several
    /// senders, whose messages may arrive in another order than counted
    /// in; none of them is a request).
    pub(crate) fn release(&self, size: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.bytes = state.bytes.saturating_sub(size);
        state.queued.pop_front();
        self.room.notify_all();
    }

    /// The other side has gone: nothing waits any more.
    pub(crate) fn close(&self) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .closed = true;
        self.room.notify_all();
    }
}

/// The sending end of the queue to the writer thread, bounded by
/// [`MAX_OUTGOING`] bytes.
#[derive(Clone, Debug)]
pub(crate) struct Outlet {
    sender: Sender<Outgoing>,
    budget: Arc<Budget>,
}

impl Outlet {
    /// Queues `msg` for the client, waiting while [`MAX_OUTGOING`] bytes
    /// are already queued. `false` when the client connection is closed.
    pub(crate) fn send(&self, msg: Outgoing) -> bool {
        let pieces = match msg {
            Outgoing::Message(m) => vec![serialize(&m).into_bytes()],
            Outgoing::Raw(pieces) => pieces,
        };
        let size = pieces.iter().map(Vec::len).sum();
        self.budget.admit(size) && self.sender.send(Outgoing::Raw(pieces)).is_ok()
    }
}

/// The queue to the writer thread: its [`Outlet`] and the receiving end
/// for [`spawn_writer`].
pub(crate) fn outlet() -> (Outlet, Receiver<Outgoing>, Arc<Budget>) {
    let (sender, receiver) = crossbeam_channel::unbounded();
    let budget = Budget::new(MAX_OUTGOING, usize::MAX);
    (
        Outlet {
            sender,
            budget: Arc::clone(&budget),
        },
        receiver,
        budget,
    )
}

/// The longest header line accepted.
const MAX_HEADER_LINE: usize = 8 << 10;

/// A message on its way to the client.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// An ordinary message.
    Message(Message),
    /// A complete JSON-RPC body, already serialised: these pieces, in order.
    Raw(Vec<Vec<u8>>),
}

/// Writes framed messages to `out` until every sender is dropped, counting
/// each out of `budget` once written. If writing fails, the budget is
/// closed so that no sender waits for room any more.
pub(crate) fn spawn_writer<W: Write + Send + 'static>(
    mut out: W,
    outgoing: Receiver<Outgoing>,
    budget: Arc<Budget>,
) -> thread::JoinHandle<io::Result<()>> {
    thread::Builder::new()
        .name("vblint-lsp-writer".into())
        .spawn(move || {
            let written = (|| {
                for msg in outgoing {
                    let pieces = match msg {
                        Outgoing::Message(m) => vec![serialize(&m).into_bytes()],
                        Outgoing::Raw(pieces) => pieces,
                    };
                    let length: usize = pieces.iter().map(Vec::len).sum();
                    write!(out, "Content-Length: {length}\r\n\r\n")?;
                    for piece in &pieces {
                        out.write_all(piece)?;
                    }
                    out.flush()?;
                    budget.release(length);
                }
                Ok(())
            })();
            budget.close();
            written
        })
        .expect("spawning a thread")
}

/// The JSON-RPC body of a message.
pub(crate) fn serialize(msg: &Message) -> String {
    #[derive(serde::Serialize)]
    struct JsonRpc<'a> {
        jsonrpc: &'static str,
        #[serde(flatten)]
        msg: &'a Message,
    }
    serde_json::to_string(&JsonRpc {
        jsonrpc: "2.0",
        msg,
    })
    .unwrap_or_default()
}

/// Reads framed messages from `input`, sends the valid ones to `incoming`
/// (counted into `inflow`, which the server counts out as it takes them)
/// and answers the broken ones, and the requests there is no room for,
/// through `outgoing`. Stops at the end of the input, after forwarding an
/// `exit` notification, at a header it cannot read past, or when the
/// server has gone.
pub(crate) fn spawn_reader<R: BufRead + Send + 'static>(
    input: R,
    incoming: Sender<Message>,
    inflow: Arc<Budget>,
    outgoing: Outlet,
) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name("vblint-lsp-reader".into())
        .spawn(move || read_loop(input, &incoming, &inflow, &outgoing))
        .expect("spawning a thread")
}

fn read_loop<R: BufRead>(
    mut input: R,
    incoming: &Sender<Message>,
    inflow: &Budget,
    outgoing: &Outlet,
) {
    loop {
        let frame = match read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            Ok(None) => return,
            Err(e) => {
                eprintln!("vblint lsp: cannot read from the client: {e}");
                return;
            }
        };
        let mut last = false;
        let reply = match frame {
            Frame::Body(body) => match decode(&body) {
                Ok(msg) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == Exit::METHOD);
                    let room = match &msg {
                        Message::Request(r) if !LIFECYCLE.contains(&r.method.as_str()) => {
                            inflow.try_admit(body.len(), true)
                        }
                        _ => inflow.admit(body.len()),
                    };
                    drop(body);
                    if room {
                        if incoming.send(msg).is_err() || exit {
                            return;
                        }
                        continue;
                    }
                    match msg {
                        Message::Request(r) => busy(&r),
                        // The server has gone.
                        _ => return,
                    }
                }
                Err(reply) => reply,
            },
            Frame::BadHeader(why) => {
                eprintln!("vblint lsp: {why}");
                error_body(&Value::Null, -32700, &format!("Parse error: {why}"))
            }
            Frame::Unreadable(why) => {
                eprintln!("vblint lsp: {why}; closing the connection");
                last = true;
                error_body(
                    &Value::Null,
                    -32700,
                    &format!("Parse error: {why}; vblint closed the connection"),
                )
            }
        };
        if !reply.is_empty() && !outgoing.send(Outgoing::Raw(vec![reply.into_bytes()])) {
            return;
        }
        if last {
            return;
        }
    }
}

/// Requests that wait for room rather than being answered "busy": the
/// session depends on them.
const LIFECYCLE: [&str; 2] = [
    lsp_types::request::Initialize::METHOD,
    lsp_types::request::Shutdown::METHOD,
];

/// The answer to a request there is no room for.
fn busy(request: &lsp_server::Request) -> String {
    let id = serde_json::to_value(&request.id).unwrap_or(Value::Null);
    let message = format!(
        "vblint is busy ({MAX_WAITING_REQUESTS} requests or {} MB of messages are waiting); \
         ask again shortly",
        MAX_INCOMING >> 20
    );
    if request.method == DocumentDiagnosticRequest::METHOD {
        serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {
                "code": ErrorCode::ServerCancelled as i32,
                "message": message,
                "data": { "retriggerRequest": true },
            },
        })
        .to_string()
    } else {
        error_body(&id, ErrorCode::RequestFailed as i32, &message)
    }
}

/// What one header block and its body held.
enum Frame {
    /// A body of the length announced.
    Body(Vec<u8>),
    /// A header block that could not be used (its body, if any, was
    /// skipped); the text says why.
    BadHeader(String),
    /// A header announcing a body too large to skip: nothing after it can
    /// be read.
    Unreadable(String),
}

/// Reads one header block and its body. `Ok(None)` at the end of the input.
fn read_frame<R: BufRead>(input: &mut R) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut problem: Option<String> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut *input)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") && n >= MAX_HEADER_LINE {
            // Skip the rest of an overlong line.
            skip_line(input)?;
            problem.get_or_insert_with(|| "a header line is too long".into());
            saw_header = true;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                // Blank lines between messages are harmless.
                continue;
            }
            break;
        }
        saw_header = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        problem = Some(format!(
                            "bad Content-Length `{}`",
                            value.trim().escape_debug()
                        ))
                    }
                }
            }
            Some((name, _)) if is_token(name) => {}
            _ => {
                problem.get_or_insert_with(|| {
                    let shown: String = text.chars().take(60).collect();
                    format!("malformed header `{}`", shown.escape_debug())
                });
            }
        }
    }
    let Some(length) = length else {
        return Ok(Some(Frame::BadHeader(
            problem.unwrap_or_else(|| "no Content-Length header".into()),
        )));
    };
    if length > MAX_BODY {
        let why = format!(
            "a message of {length} bytes is larger than the {} MB allowed",
            MAX_BODY >> 20
        );
        if length as u64 > MAX_SKIP {
            return Ok(Some(Frame::Unreadable(why)));
        }
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Some(Frame::BadHeader(why)));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    if let Some(problem) = problem {
        // The body is still usable; report the header problem and go on.
        eprintln!("vblint lsp: ignored a header problem: {problem}");
    }
    Ok(Some(Frame::Body(body)))
}

fn skip_line<R: BufRead>(input: &mut R) -> io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = memchr::memchr(b'\n', buf) {
            input.consume(i + 1);
            return Ok(());
        }
        let n = buf.len();
        input.consume(n);
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_!#$%&'*+.^`|~".contains(&b))
}

/// Decodes a body into a message, or the error reply to send instead.
fn decode(body: &[u8]) -> Result<Message, String> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("vblint lsp: a message is not valid JSON: {e}");
            return Err(error_body(
                &Value::Null,
                -32700,
                &format!("Parse error: {e}"),
            ));
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let Value::Object(map) = &value else {
        eprintln!("vblint lsp: a message is not a JSON object");
        return Err(error_body(
            &Value::Null,
            -32600,
            "Invalid Request: a message must be a JSON object",
        ));
    };
    let has_method = map.get("method").is_some_and(Value::is_string);
    let has_result = map.contains_key("result") || map.contains_key("error");
    let valid_id =
        matches!(&id, Value::String(_)) || id.as_i64().is_some_and(|n| i32::try_from(n).is_ok());
    let shape_ok = if has_method {
        id.is_null() && !map.contains_key("id") || valid_id
    } else {
        has_result && valid_id
    };
    if shape_ok {
        match serde_json::from_value::<Message>(value) {
            Ok(msg) => return Ok(msg),
            Err(e) => eprintln!("vblint lsp: not a message: {e}"),
        }
    } else {
        eprintln!("vblint lsp: not a request, response or notification");
    }
    if has_method || !has_result {
        // A request (or something like one) gets an answer; a broken
        // response cannot be answered.
        let id = if valid_id { id } else { Value::Null };
        Err(error_body(
            &id,
            -32600,
            "Invalid Request: expected a request (method and id), a notification (method) or a response (id and result or error)",
        ))
    } else {
        Err(String::new())
    }
}

/// The JSON-RPC body of an error reply.
pub(crate) fn error_body(id: &Value, code: i32, message: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Result<Message, String>> {
        let mut r = io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut r).unwrap() {
            out.push(match f {
                Frame::Body(b) => decode(&b),
                Frame::BadHeader(why) | Frame::Unreadable(why) => Err(why),
            });
        }
        out
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn reads_valid_and_answers_broken() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = [
            framed(r#"{"jsonrpc":"2.0","id":9,"method":"x","params":{"#),
            "garbage here\r\n\r\n".to_string(),
            framed(r#"{"jsonrpc":"2.0","params":{}}"#),
            framed("[1,2]"),
            framed(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#),
            framed(ok),
        ]
        .concat();
        let got = frames(&input);
        assert_eq!(got.len(), 6);
        assert!(got[0].as_ref().unwrap_err().contains("-32700"));
        assert!(got[1].as_ref().unwrap_err().contains("malformed header"));
        assert!(got[2].as_ref().unwrap_err().contains("-32600"));
        assert!(got[3].as_ref().unwrap_err().contains("-32600"));
        assert!(got[4].as_ref().unwrap_err().contains("-32600"));
        assert!(matches!(&got[5], Ok(Message::Request(r)) if r.method == "shutdown"));
    }

    #[test]
    fn accepts_bare_newlines_and_other_headers() {
        let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\ncontent-length: {}\n\n{body}",
            body.len()
        );
        let got = frames(&input);
        assert!(matches!(&got[0], Ok(Message::Notification(n)) if n.method == "initialized"));
    }
}
