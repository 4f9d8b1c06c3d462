//! `vblint lsp` started as editors start it: with the VS Code extension's
//! default arguments (read from `editors/vscode/package.json`), with the
//! flags language clients add (`--stdio`, `--clientProcessId`), and with the
//! transports it refuses. Each session is a real process spoken to over
//! stdio.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);
const NOTE: &str = "The child has absconded from the placement again.\n";
const URI: &str = "file:///tmp/vblint-editor-launch/note.txt";

/// The arguments the VS Code extension starts the server with when the user
/// has not changed `vblint.server.args`.
fn vscode_default_args() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/editors/vscode/package.json");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let default =
        &manifest["contributes"]["configuration"]["properties"]["vblint.server.args"]["default"];
    serde_json::from_value(default.clone())
        .unwrap_or_else(|e| panic!("vblint.server.args default is not a list of strings: {e}"))
}

/// A `vblint` process and the messages it has written to stdout.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start(args: &[String]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vblint"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().expect("stdin is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its response; notifications that arrive
    /// first are collected in `seen`.
    fn request(&mut self, method: &str, params: Value, seen: &mut Vec<Value>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(seen, |m| m["id"] == id && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no response to {method}"))
    }

    /// Reads messages until `want` picks one (or the timeout), keeping the
    /// others in `seen`.
    fn wait_for(&self, seen: &mut Vec<Value>, want: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(msg) if want(&msg) => return Some(msg),
                Ok(msg) => seen.push(msg),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Waits for the process to end; returns its exit code and stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let status = wait_timeout(&mut self.child, TIMEOUT).expect("the server exits");
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status.code(), stderr)
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

/// A whole session as an editor runs it: initialize, open a note, get its
/// diagnostics, shut down. Returns the notifications seen and the stderr.
fn session(args: &[String]) -> (Vec<Value>, String) {
    let mut server = Server::start(args);
    let mut seen = Vec::new();
    let init = server.request(
        "initialize",
        json!({ "processId": std::process::id(), "rootUri": null,
                "capabilities": { "general": { "positionEncodings": ["utf-16"] } } }),
        &mut seen,
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "vblint", "{init}");
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": NOTE } }),
    );
    let published = server
        .wait_for(&mut seen, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| !d.is_empty())
        })
        .expect("diagnostics for the note");
    assert_eq!(
        published["params"]["diagnostics"][0]["code"], "absconded",
        "{published}"
    );
    let shutdown = server.request("shutdown", Value::Null, &mut seen);
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    server.notify("exit", Value::Null);
    let (code, stderr) = server.finish();
    assert_eq!(code, Some(0), "args {args:?}; stderr:\n{stderr}");
    (seen, stderr)
}

#[test]
fn the_vscode_extensions_default_arguments_start_the_server() {
    let args = vscode_default_args();
    let (seen, stderr) = session(&args);
    // A normal session writes nothing to stderr, which editors show as errors.
    assert_eq!(stderr, "", "args {args:?}");
    // Start-up is reported to the editor's log as information.
    let started: Vec<&Value> = seen
        .iter()
        .filter(|m| m["method"] == "window/logMessage")
        .collect();
    assert_eq!(started.len(), 1, "{seen:?}");
    assert_eq!(started[0]["params"]["type"], 3, "{seen:?}");
    let text = started[0]["params"]["message"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "vblint lsp {}: initialized",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
}

#[test]
fn the_flags_language_clients_add_are_accepted() {
    let pid = std::process::id().to_string();
    let extras: [&[&str]; 4] = [
        &["--stdio"],
        &["--clientProcessId", &pid],
        &[&format!("--clientProcessId={pid}")],
        &["--stdio", &format!("--clientProcessId={pid}")],
    ];
    for extra in extras {
        let mut args = vscode_default_args();
        args.extend(extra.iter().map(|s| (*s).to_string()));
        let (_, stderr) = session(&args);
        assert_eq!(stderr, "", "args {args:?}");
    }
}

#[test]
fn other_transports_are_refused_with_the_way_out() {
    for (extra, shown) in [
        (&["--node-ipc"][..], "--node-ipc"),
        (&["--socket=5007"][..], "--socket=5007"),
        (&["--socket", "5007"][..], "--socket=5007"),
        (
            &["--pipe=/tmp/vblint-lsp.sock"][..],
            "--pipe=/tmp/vblint-lsp.sock",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_vblint"))
            .arg("lsp")
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{extra:?}");
        assert_eq!(
            stderr,
            format!(
                "vblint lsp: {shown} is not supported: vblint talks to editors only over \
                 standard input and output (stdio). Set the editor to start `vblint lsp` \
                 with the stdio transport.\n"
            )
        );
    }
}

/// The editor is gone but the server's stdin is still open (held by another
/// process, here this test): `--clientProcessId` ends the server.
#[cfg(unix)]
#[test]
fn the_server_stops_when_the_editor_process_has_gone() {
    // Stands in for the editor: a process that waits on its stdin.
    let mut editor = Command::new(env!("CARGO_BIN_EXE_vblint"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut args = vscode_default_args();
    args.push(format!("--clientProcessId={}", editor.id()));
    let mut server = Server::start(&args);
    let mut seen = Vec::new();
    let init = server.request("initialize", json!({ "capabilities": {} }), &mut seen);
    assert_eq!(init["result"]["serverInfo"]["name"], "vblint");
    // While the editor runs, the server keeps serving (past one poll).
    std::thread::sleep(Duration::from_millis(2500));
    assert!(server.child.try_wait().unwrap().is_none());
    editor.kill().unwrap();
    editor.wait().unwrap();
    let status = wait_timeout(&mut server.child, Duration::from_secs(10))
        .expect("the server exits once the editor has gone");
    let mut stderr = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "vblint lsp: the editor (process {}) has gone; stopping\n",
            editor.id()
        )
    );
}
