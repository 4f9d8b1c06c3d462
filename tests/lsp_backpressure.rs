//! The language server binary over real pipes, against clients that flood
//! it: requests pipelined without reading the answers, and headers that
//! announce absurd bodies. Peak memory comes from the kernel (wait4).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_vblint");

/// A running `vblint lsp` with its stderr in a file.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: tempfile::NamedTempFile,
}

fn frame(body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

impl Server {
    fn start() -> Server {
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new(BIN)
            .arg("lsp")
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().unwrap())
            .spawn()
            .expect("runs vblint lsp");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Server {
            child,
            stdin,
            stdout,
            stderr,
        }
    }

    fn send(&mut self, body: &Value) {
        self.stdin
            .as_mut()
            .unwrap()
            .write_all(&frame(body))
            .unwrap();
    }

    /// The next message the server writes, or `None` at the end of its
    /// output.
    fn read(&mut self) -> Option<Value> {
        let mut length = None;
        loop {
            let mut line = String::new();
            if self.stdout.read_line(&mut line).unwrap() == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = Some(n.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        self.stdout.read_exact(&mut body).unwrap();
        Some(serde_json::from_slice(&body).unwrap())
    }

    /// Reads until the answer to request `id`.
    fn answer(&mut self, id: i64) -> Value {
        loop {
            let msg = self.read().expect("an answer before the end of output");
            if msg["id"] == id && msg.get("method").is_none() {
                return msg;
            }
        }
    }

    fn initialize(&mut self) {
        self.send(&json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "processId": null,
                "capabilities": {
                    "general": { "positionEncodings": ["utf-16"] },
                    "textDocument": { "diagnostic": { "dynamicRegistration": false } },
                },
            },
        }));
        let init = self.answer(0);
        assert!(init.get("result").is_some(), "{init}");
        self.send(&json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap()
    }

    /// Waits (at most `limit`) for the server to exit: its exit code and
    /// peak resident memory in bytes.
    /// The child is reaped by wait4 (which also gives its peak memory),
    /// never by std.
    fn wait(&mut self, limit: Duration) -> (i32, u64) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        let start = Instant::now();
        loop {
            let mut status = 0;
            // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is
            // our own child, which std will not reap because we never wait
            // on it.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
            assert!(done >= 0, "wait4 failed");
            if done == pid {
                assert!(
                    libc::WIFEXITED(status),
                    "vblint lsp was killed by signal {}",
                    libc::WTERMSIG(status)
                );
                // Linux gives the peak resident set in kilobytes.
                return (
                    libc::WEXITSTATUS(status),
                    u64::try_from(usage.ru_maxrss).unwrap() * 1024,
                );
            }
            if start.elapsed() > limit {
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!(
                    "vblint lsp did not exit within {limit:?}; its log:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The server's resident memory now, in bytes (from /proc).
fn resident(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// 10,000 diagnostic pulls of a document with about 800 findings (an
/// answer of about 250 KB each: 2.5 GB in all) are written without reading
/// a single answer. The server stops reading once its queues are full
/// instead of growing; once the client reads, every request has exactly
/// one answer: its diagnostics, or "busy" (ServerCancelled with
/// retriggerRequest), and the server shuts down cleanly.
#[test]
fn bounded_lsp_requests_pipelined_without_reading_the_answers() {
    let mut server = Server::start();
    server.initialize();
    let uri = "file:///flood/note.txt";
    let text =
        "She is putting herself at risk. He was streetwise and mature for his age.\n".repeat(260);
    server.send(&json!({
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": uri, "languageId": "plaintext", "version": 1, "text": text } },
    }));
    const REQUESTS: i64 = 10_000;
    let mut stdin = server.stdin.take().unwrap();
    let flood = std::thread::spawn(move || {
        for id in 1..=REQUESTS {
            stdin
                .write_all(&frame(&json!({
                    "jsonrpc": "2.0", "id": id, "method": "textDocument/diagnostic",
                    "params": { "textDocument": { "uri": uri } },
                })))
                .unwrap();
        }
        stdin
            .write_all(&frame(
                &json!({ "jsonrpc": "2.0", "id": REQUESTS + 1, "method": "shutdown" }),
            ))
            .unwrap();
        stdin
            .write_all(&frame(&json!({ "jsonrpc": "2.0", "method": "exit" })))
            .unwrap();
    });
    // Nothing is read until the server has stopped taking requests: its
    // memory no longer grows for a while (or the flood is all written).
    let pid = server.child.id();
    let mut last = 0;
    let mut still = Instant::now();
    let start = Instant::now();
    while !flood.is_finished() && still.elapsed() < Duration::from_secs(3) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the server kept growing for two minutes"
        );
        std::thread::sleep(Duration::from_millis(100));
        let now = resident(pid);
        if now > last + (1 << 20) {
            last = now;
            still = Instant::now();
        }
    }
    let held = resident(pid);
    // Now read everything.
    let mut answers: HashMap<i64, Value> = HashMap::new();
    let mut busy = 0;
    while let Some(msg) = server.read() {
        if msg.get("method").is_some() {
            continue;
        }
        let id = msg["id"].as_i64().expect("an answer with a request's id");
        if let Some(error) = msg.get("error") {
            assert_eq!(error["code"], -32802, "{msg}");
            assert_eq!(error["data"]["retriggerRequest"], true, "{msg}");
            assert!(error["message"].as_str().unwrap().contains("busy"), "{msg}");
            busy += 1;
        } else if id <= REQUESTS {
            let items = msg["result"]["items"].as_array().expect("a full report");
            assert_eq!(items.len(), 2 * 260 + 260, "{}", items.len());
        }
        assert!(
            answers.insert(id, msg).is_none(),
            "request {id} answered twice"
        );
    }
    flood.join().unwrap();
    for id in 1..=REQUESTS + 1 {
        assert!(answers.contains_key(&id), "request {id} never answered");
    }
    assert_eq!(answers[&(REQUESTS + 1)]["result"], Value::Null);
    let (code, peak) = server.wait(Duration::from_secs(60));
    assert_eq!(code, 0, "{}", server.stderr());
    eprintln!(
        "held {} MiB while the client did not read; peak {} MiB; {busy} of {REQUESTS} answered busy",
        held >> 20,
        peak >> 20
    );
    assert!(peak < 400 << 20, "the server reached {} MiB", peak >> 20);
}

/// A header announcing a body of 2^40 bytes is answered with a parse error
/// and the connection is closed at once, though the client keeps its end
/// open; the server says why in its log.
#[test]
fn bounded_lsp_a_huge_content_length_closes_the_connection_at_once() {
    let mut server = Server::start();
    server.initialize();
    let stdin = server.stdin.as_mut().unwrap();
    stdin
        .write_all(b"Content-Length: 1099511627776\r\n\r\n{\"jsonrpc\":\"2.0\"")
        .unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    let reply = loop {
        let msg = server.read().expect("an answer before the end of output");
        if msg.get("error").is_some() {
            break msg;
        }
    };
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("a message of 1099511627776 bytes is larger than the 64 MB allowed")
            && message.contains("closed the connection"),
        "{message}"
    );
    while let Some(msg) = server.read() {
        assert!(
            msg.get("method").is_some(),
            "an answer after closing: {msg}"
        );
    }
    // stdin is still open: the server ends on its own.
    let (code, peak) = server.wait(Duration::from_secs(10));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_ne!(code, 0, "closed without shutdown is an error exit");
    assert!(peak < 400 << 20, "{} MiB", peak >> 20);
    let log = server.stderr();
    assert!(
        log.contains(
            "vblint lsp: a message of 1099511627776 bytes is larger than the 64 MB allowed; \
             closing the connection"
        ),
        "{log}"
    );
}

/// A body over 64 MB but under 1 GB is read past (not kept), answered with
/// a parse error, and the server goes on with the next message.
#[test]
fn bounded_lsp_an_oversized_body_is_skipped_and_the_server_goes_on() {
    let mut server = Server::start();
    server.initialize();
    let size = 65 << 20;
    {
        let stdin = server.stdin.as_mut().unwrap();
        stdin
            .write_all(format!("Content-Length: {size}\r\n\r\n").as_bytes())
            .unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..65 {
            stdin.write_all(&chunk).unwrap();
        }
    }
    server.send(&json!({ "jsonrpc": "2.0", "id": 7, "method": "shutdown" }));
    let mut errors = Vec::new();
    let shutdown = loop {
        let msg = server.read().expect("an answer before the end of output");
        if msg["id"] == 7 {
            break msg;
        }
        if msg.get("error").is_some() {
            errors.push(msg);
        }
    };
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["error"]["code"], -32700);
    assert!(
        errors[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "a message of {size} bytes is larger than the 64 MB allowed"
            )),
        "{errors:?}"
    );
    server.send(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    let (code, peak) = server.wait(Duration::from_secs(20));
    assert_eq!(code, 0, "{}", server.stderr());
    assert!(peak < 400 << 20, "{} MiB", peak >> 20);
}
