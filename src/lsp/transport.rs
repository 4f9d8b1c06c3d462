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

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::Message;
use lsp_types::notification::{Exit, Notification as _};
use serde_json::Value;

/// The largest message body accepted (a 5 MB document is about 5 MB of
/// JSON; this leaves room for pathological escaping).
const MAX_BODY: usize = 256 << 20;

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

/// Writes framed messages to `out` until every sender is dropped.
pub(crate) fn spawn_writer<W: Write + Send + 'static>(
    mut out: W,
    outgoing: Receiver<Outgoing>,
) -> thread::JoinHandle<io::Result<()>> {
    thread::Builder::new()
        .name("vblint-lsp-writer".into())
        .spawn(move || {
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
            }
            Ok(())
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
/// and answers the broken ones through `outgoing`. Stops at the end of the
/// input, after forwarding an `exit` notification, or when the server has
/// gone.
pub(crate) fn spawn_reader<R: BufRead + Send + 'static>(
    input: R,
    incoming: Sender<Message>,
    outgoing: Sender<Outgoing>,
) -> thread::JoinHandle<()> {
    thread::Builder::new()
        .name("vblint-lsp-reader".into())
        .spawn(move || read_loop(input, &incoming, &outgoing))
        .expect("spawning a thread")
}

fn read_loop<R: BufRead>(mut input: R, incoming: &Sender<Message>, outgoing: &Sender<Outgoing>) {
    loop {
        let frame = match read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            Ok(None) => return,
            Err(e) => {
                eprintln!("vblint lsp: cannot read from the client: {e}");
                return;
            }
        };
        let reply = match frame {
            Frame::Body(body) => match decode(&body) {
                Ok(msg) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == Exit::METHOD);
                    if incoming.send(msg).is_err() || exit {
                        return;
                    }
                    continue;
                }
                Err(reply) => reply,
            },
            Frame::BadHeader(why) => {
                eprintln!("vblint lsp: {why}");
                error_body(&Value::Null, -32700, &format!("Parse error: {why}"))
            }
        };
        if !reply.is_empty()
            && outgoing
                .send(Outgoing::Raw(vec![reply.into_bytes()]))
                .is_err()
        {
            return;
        }
    }
}

/// What one header block and its body held.
enum Frame {
    /// A body of the length announced.
    Body(Vec<u8>),
    /// A header block that could not be used; the text says why.
    BadHeader(String),
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
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Some(Frame::BadHeader(format!(
            "a message of {length} bytes is larger than the {} MB allowed",
            MAX_BODY >> 20
        ))));
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
                Frame::BadHeader(why) => Err(why),
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
