//! The language server, driven in-process over `Connection::memory()`, and
//! its stdio framing driven with raw bytes.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The client side of an in-process server.
struct Client {
    conn: Connection,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    next_id: i32,
    /// Notifications not yet looked at.
    inbox: Vec<Notification>,
    /// Requests the server sent us, in order.
    server_requests: Vec<Request>,
    /// What `workspace/configuration` answers.
    configuration: Value,
}

fn caps_utf16() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "workspace": { "applyEdit": true, "configuration": false,
                       "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] } },
        "textDocument": { "hover": { "contentFormat": ["markdown", "plaintext"] } },
    })
}

impl Client {
    fn start(params: Value) -> (Client, Value) {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || vblint::lsp::serve(server_side));
        let mut client = Client {
            conn: client_side,
            server: Some(server),
            next_id: 0,
            inbox: Vec::new(),
            server_requests: Vec::new(),
            configuration: json!([null]),
        };
        let init = client.request("initialize", params);
        let result = init.response_result.expect("initialize succeeds");
        client.notify("initialized", json!({}));
        (client, result)
    }

    /// A server in `root` (or none) with these client capabilities.
    fn with(root: Option<&Path>, capabilities: Value, options: Value) -> (Client, Value) {
        let mut params = json!({ "processId": null, "capabilities": capabilities });
        if let Some(root) = root {
            params["rootUri"] = json!(format!("file://{}", root.display()));
        }
        if !options.is_null() {
            params["initializationOptions"] = options;
        }
        Client::start(params)
    }

    fn plain() -> Client {
        Client::with(None, caps_utf16(), Value::Null).0
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        self.pump(|msg| match msg {
            Message::Response(r) if r.id == id => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no reply to {method}"))
    }

    fn ok(&mut self, method: &str, params: Value) -> Value {
        match self.request(method, params).response_result {
            Ok(v) => v,
            Err(e) => panic!("{method} failed: {e:?}"),
        }
    }

    /// Reads messages until `want` picks one (or the timeout); answers the
    /// server's requests and keeps notifications in the inbox.
    fn pump<T>(&mut self, mut want: impl FnMut(&Message) -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.conn.receiver.recv_deadline(deadline).ok()?;
            if let Some(t) = want(&msg) {
                return Some(t);
            }
            match msg {
                Message::Request(req) => {
                    let result = match req.method.as_str() {
                        "workspace/configuration" => self.configuration.clone(),
                        "workspace/applyEdit" => json!({ "applied": true }),
                        _ => Value::Null,
                    };
                    self.conn
                        .sender
                        .send(Response::new_ok(req.id.clone(), result).into())
                        .unwrap();
                    self.server_requests.push(req);
                }
                Message::Notification(n) => self.inbox.push(n),
                Message::Response(_) => {}
            }
        }
    }

    /// The next notification `method` (already received or arriving).
    fn notification(&mut self, method: &str) -> Notification {
        if let Some(i) = self.inbox.iter().position(|n| n.method == method) {
            return self.inbox.remove(i);
        }
        self.pump(|msg| match msg {
            Message::Notification(n) if n.method == method => Some(n.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {method}"))
    }

    /// The next published diagnostics for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let n = self.notification("textDocument/publishDiagnostics");
            if n.params["uri"] == uri {
                return n.params["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    /// Waits until the server has handled everything sent so far.
    fn sync(&mut self) {
        let r = self.request("vblint/sync", json!({}));
        assert_eq!(r.response_result.unwrap_err().code, -32601);
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
        self.diagnostics(uri)
    }

    fn shutdown(mut self) {
        assert_eq!(self.ok("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert!(result.is_ok(), "{result:?}");
    }
}

/// The text a range covers, with columns in UTF-16 units or UTF-8 bytes.
fn text_at(text: &str, range: &Value, utf16: bool) -> String {
    let offset = |pos: &Value| {
        let line = pos["line"].as_u64().unwrap() as usize;
        let col = pos["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units == col {
                return start + i;
            }
            units += if utf16 { c.len_utf16() } else { c.len_utf8() };
        }
        text.len()
    };
    text[offset(&range["start"])..offset(&range["end"])].to_string()
}

fn covered(text: &str, diags: &[Value], utf16: bool) -> Vec<String> {
    diags
        .iter()
        .map(|d| text_at(text, &d["range"], utf16))
        .collect()
}

const NOTE: &str = "Amy is putting herself at risk by going to the address.\n";
const URI: &str = "file:///case/note.txt";

// ==== lifecycle and encodings ==================================================

#[test]
fn initialize_negotiates_utf8_only_when_offered() {
    let mut caps = caps_utf16();
    let (c, init) = Client::with(None, caps.clone(), Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    assert!(
        init["capabilities"]["codeActionProvider"]
            .as_bool()
            .unwrap()
    );
    assert!(init["capabilities"].get("diagnosticProvider").is_none());
    assert_eq!(init["serverInfo"]["name"], "vblint");
    c.shutdown();

    caps["general"]["positionEncodings"] = json!(["utf-8", "utf-16"]);
    let (c, init) = Client::with(None, caps, Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    c.shutdown();

    // No positionEncodings at all (Neovim 0.7, Eglot): UTF-16.
    let (c, init) = Client::with(None, json!({}), Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    c.shutdown();
}

#[test]
fn requests_before_initialize_and_after_shutdown_get_errors() {
    let (server_side, client) = Connection::memory();
    let server = std::thread::spawn(move || vblint::lsp::serve(server_side));
    let send = |m: Message| client.sender.send(m).unwrap();
    let recv = || match client.receiver.recv_timeout(TIMEOUT).unwrap() {
        Message::Response(r) => r,
        other => panic!("{other:?}"),
    };
    send(Request::new(1.into(), "textDocument/hover".into(), json!({})).into());
    assert_eq!(recv().response_result.unwrap_err().code, -32002);
    send(Request::new(2.into(), "initialize".into(), json!({ "capabilities": {} })).into());
    assert!(recv().response_result.is_ok());
    send(Request::new(3.into(), "shutdown".into(), Value::Null).into());
    assert_eq!(recv().response_result.unwrap(), Value::Null);
    send(Request::new(4.into(), "textDocument/hover".into(), json!({})).into());
    assert_eq!(recv().response_result.unwrap_err().code, -32600);
    send(Notification::new("exit".into(), Value::Null).into());
    assert!(server.join().unwrap().is_ok());
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let (server_side, client) = Connection::memory();
    let server = std::thread::spawn(move || vblint::lsp::serve(server_side));
    client
        .sender
        .send(Notification::new("exit".into(), Value::Null).into())
        .unwrap();
    assert!(server.join().unwrap().is_err());
}

// ==== diagnostics ==============================================================

#[test]
fn did_open_publishes_diagnostics_with_code_source_severity_and_data() {
    let mut c = Client::plain();
    let diags = c.open(URI, "plaintext", NOTE);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(covered(NOTE, &diags, true), ["putting herself at risk"]);
    assert_eq!(d["code"], "put-self-at-risk");
    assert_eq!(d["source"], "vblint");
    assert_eq!(d["severity"], 2);
    assert!(d.get("codeDescription").is_none());
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("The phrase inspectors found most often")
    );
    // The rule and whether it is quoted; the alternatives come with the
    // code actions, not with every diagnostic.
    assert_eq!(
        d["data"],
        json!({ "rule": "put-self-at-risk", "quoted": false })
    );
    c.shutdown();
}

#[test]
fn incremental_changes_move_and_clear_diagnostics() {
    let mut c = Client::plain();
    let text = "21:40 Amy texted “ok” 😢 and is putting herself at risk.\r\nNext line.\r\n";
    let diags = c.open(URI, "plaintext", text);
    let start = diags[0]["range"]["start"].clone();
    assert_eq!(start["line"], 0);
    // Insert curly quotes and an emoji (8 UTF-16 units) just before it.
    let insert = "“ok” 🙂 ";
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 },
                "contentChanges": [{ "range": { "start": start, "end": start }, "text": insert }] }),
    );
    let moved = c.diagnostics(URI);
    assert_eq!(
        moved[0]["range"]["start"]["character"].as_u64().unwrap(),
        start["character"].as_u64().unwrap() + 8
    );
    let edited = text.replacen("putting", &format!("{insert}putting"), 1);
    assert_eq!(covered(&edited, &moved, true), ["putting herself at risk"]);
    // Replace the flagged words: the diagnostic goes away.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 3 },
                "contentChanges": [{ "range": moved[0]["range"], "text": "at risk from the adults" }] }),
    );
    assert!(c.diagnostics(URI).is_empty());
    // A full-text change brings it back; several changes in one message apply in order.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 4 },
                "contentChanges": [{ "text": "x\n" },
                                   { "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } },
                                     "text": "She is putting herself at risk." }] }),
    );
    let back = c.diagnostics(URI);
    assert_eq!(
        back[0]["range"]["start"],
        json!({ "line": 1, "character": 7 })
    );
    c.shutdown();
}

#[test]
fn positions_on_lines_with_emoji_combining_marks_and_crlf() {
    let text = "Foster carer’s call: “leave me alone” 😢\r\n\
                👩\u{200d}👧 at the cafe\u{301}; Amy is putting herself at risk.\r\n\
                Since then her risk-taking behaviour has increased.\r\n";
    for (offered, utf16) in [(json!(["utf-16"]), true), (json!(["utf-8"]), false)] {
        let mut caps = caps_utf16();
        caps["general"]["positionEncodings"] = offered;
        let (mut c, _) = Client::with(None, caps, Value::Null);
        let diags = c.open(URI, "plaintext", text);
        assert_eq!(
            covered(text, &diags, utf16),
            ["putting herself at risk", "risk-taking behaviour"]
        );
        let expected = if utf16 { 27 } else { 34 };
        assert_eq!(
            diags[0]["range"]["start"],
            json!({ "line": 1, "character": expected })
        );
        c.shutdown();
    }
}

#[test]
fn pull_diagnostics_when_the_client_can_pull() {
    let mut caps = caps_utf16();
    caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    let (mut c, init) = Client::with(None, caps, Value::Null);
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "vblint"
    );
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": NOTE } }),
    );
    let report = c.ok(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "put-self-at-risk");
    // Pulled, so nothing is pushed, even after the grace period.
    std::thread::sleep(Duration::from_millis(1300));
    c.sync();
    assert!(
        c.inbox
            .iter()
            .all(|n| n.method != "textDocument/publishDiagnostics")
    );
    // An unknown document gets an empty report, not an error.
    let empty = c.ok(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": "file:///nope.txt" } }),
    );
    assert_eq!(empty["items"], json!([]));
    c.shutdown();
}

#[test]
fn a_client_that_can_pull_but_does_not_gets_pushed_diagnostics() {
    let mut caps = caps_utf16();
    caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": true });
    let (mut c, _) = Client::with(None, caps, Value::Null);
    let diags = c.open(URI, "plaintext", NOTE);
    assert_eq!(diags[0]["code"], "put-self-at-risk");
    c.shutdown();
}

#[test]
fn did_close_clears_diagnostics() {
    let mut c = Client::plain();
    assert_eq!(c.open(URI, "plaintext", NOTE).len(), 1);
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert!(c.diagnostics(URI).is_empty());
    // The document is gone: hover answers null.
    let h = c.ok(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 8 } }),
    );
    assert_eq!(h, Value::Null);
    c.shutdown();
}

#[test]
fn large_documents_are_scanned_in_the_background_and_stay_current() {
    let mut c = Client::plain();
    let unit = "21:40 Amy “ok” 😢 is putting herself at risk by going to the address.\n";
    let text = unit.repeat((300 << 10) / unit.len());
    let lines = text.lines().count();
    let diags = c.open(URI, "plaintext", &text);
    assert_eq!(diags.len(), lines);
    // Requests are answered while a scan runs; an edit is reflected once
    // the background scan of the new text is in.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "" }] }),
    );
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 5, "character": 20 } }),
    );
    assert!(h.response_result.is_ok());
    let diags = c.diagnostics(URI);
    assert_eq!(diags.len(), lines - 1);
    assert_eq!(
        diags.last().unwrap()["range"]["start"]["line"],
        lines as u64 - 2
    );
    c.shutdown();
}

// ==== code actions and hover ===================================================

fn actions(c: &mut Client, uri: &str, diag: &Value) -> Vec<Value> {
    let r = c.ok(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diag["range"],
                "context": { "diagnostics": [diag] } }),
    );
    r.as_array().unwrap().clone()
}

fn titles(actions: &[Value]) -> Vec<&str> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

fn first_edit(action: &Value, uri: &str) -> Value {
    action["edit"]["changes"][uri][0].clone()
}

#[test]
fn code_actions_offer_replacements_that_fit_in_the_original_case() {
    let mut c = Client::plain();
    let text = "14:05 CALL FROM CARER: YP IS PUTTING HERSELF AT RISK BY GOING TO THE ADDRESS.\n\
                Putting herself at risk again, Amy left at 21:00.\n\
                He keeps putting himself at risk.\n";
    let diags = c.open(URI, "plaintext", text);
    assert_eq!(diags.len(), 3);
    // The replacement fits the words around the term: "by going" becomes
    // "by [name the adult] when going", and nothing is left doubled.
    let expect = [
        "BEING PLACED AT RISK BY [NAME THE ADULT] WHEN",
        "Being placed at risk by [name the adult]",
        "being placed at risk by [name the adult]",
    ];
    let replaced = [
        "PUTTING HERSELF AT RISK BY",
        "Putting herself at risk",
        "putting himself at risk",
    ];
    for ((d, want), old) in diags.iter().zip(expect).zip(replaced) {
        let acts = actions(&mut c, URI, d);
        let fix = &acts[0];
        assert_eq!(fix["kind"], "quickfix");
        assert_eq!(fix["isPreferred"], true);
        assert_eq!(fix["title"], format!("Replace with “{want}”"));
        assert_eq!(fix["diagnostics"][0]["code"], "put-self-at-risk");
        let edit = first_edit(fix, URI);
        assert_eq!(edit["newText"], want);
        assert_eq!(text_at(text, &edit["range"], true), old);
        assert_eq!(edit["range"]["start"], d["range"]["start"]);
        // Only replacements that fit are offered, never an alternative
        // written for a girl ("her vulnerability") about a boy.
        assert_eq!(acts.iter().filter(|a| a["isPreferred"] == true).count(), 1);
        for a in &acts {
            let title = a["title"].as_str().unwrap();
            assert!(!title.contains("her vulnerability"), "{title}");
        }
    }
    c.shutdown();
}

/// Applies LSP text edits (each `{range, newText}`, not overlapping) to `text`.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| {
        let line = pos["line"].as_u64().unwrap() as usize;
        let col = pos["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units == col {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, new) in spans {
        out.replace_range(a..b, new);
    }
    out
}

#[test]
fn quick_fixes_write_the_case_vblint_fix_writes() {
    // Built-in safe entries, and a local one whose alternative does not
    // start with a letter, each in ALL CAPS, Title Case and lower case.
    let dir = workspace(Some("lexicon = [\"force-lexicon\"]\n"));
    let lex = dir.path().join("force-lexicon");
    std::fs::create_dir(&lex).unwrap();
    std::fs::write(
        lex.join("local.toml"),
        "[[entry]]\nid = \"online-flirting\"\ncategory = \"minimising\"\nterms = [\"online flirting\"]\n\
         alternatives = [\"(online) grooming by an adult\"]\nfix = \"safe\"\nwhy = \"Local guidance.\"\n\
         sources = [\"Force policy\"]\nexamples = [\"She reported online flirting.\"]\n",
    )
    .unwrap();
    let text = "HISTORICAL ABUSE WAS DISCLOSED. ONLINE FLIRTING WAS REPORTED. CHILD PORNOGRAPHY WAS FOUND.\n\
                Historical abuse was disclosed. Online flirting was reported. Child pornography was found.\n\
                There was historical abuse, then online flirting, and child pornography was found.\n";
    let note = dir.path().join("note.txt");
    std::fs::write(&note, text).unwrap();

    let (mut c, _) = Client::with(Some(dir.path()), caps_utf16(), Value::Null);
    let uri = doc_uri(dir.path(), "note.txt");
    let diags = c.open(&uri, "plaintext", text);
    assert_eq!(diags.len(), 9, "{diags:?}");
    let mut edits = Vec::new();
    for d in &diags {
        let acts = actions(&mut c, &uri, d);
        let preferred = acts.iter().find(|a| a["isPreferred"] == true).unwrap();
        edits.push(first_edit(preferred, &uri));
    }
    c.shutdown();
    let by_lsp = apply_edits(text, &edits);

    let status = std::process::Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args(["fix", "--write"])
        .arg(&note)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let by_cli = std::fs::read_to_string(&note).unwrap();
    assert_eq!(by_lsp, by_cli);
    assert!(
        by_cli.contains("(ONLINE) GROOMING BY AN ADULT WAS REPORTED"),
        "{by_cli}"
    );
    assert!(
        by_cli.contains("Non-recent abuse was disclosed. (Online) grooming by an adult was reported. Child sexual abuse material"),
        "{by_cli}"
    );
    assert!(
        by_cli.contains("There was non-recent abuse, then (online) grooming"),
        "{by_cli}"
    );
}

#[test]
fn no_replacement_is_offered_where_none_fits_or_for_reported_wording() {
    let mut c = Client::plain();
    let text = "Staff describe him as streetwise.\n\
                Earlier reports called them child pornography.\n\
                She said \"I went willingly\" to the officer.\n";
    let diags = c.open(URI, "plaintext", text);
    // The report of earlier wording (line 2) has no diagnostic at all.
    assert_eq!(diags.len(), 2);
    assert!(
        diags.iter().all(|d| d["range"]["start"]["line"] != 1),
        "{diags:?}"
    );
    for d in &diags {
        let acts = actions(&mut c, URI, d);
        let t = titles(&acts);
        assert!(!t.iter().any(|t| t.starts_with("Replace with")), "{t:?}");
        assert!(t.iter().any(|t| t.starts_with("Explain")), "{t:?}");
    }
    // The hover still says how to rewrite it.
    let hover = c.ok(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": diags[0]["range"]["start"]}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("needs protection"), "{value}");
    c.shutdown();
}

// ==== workspace folders ========================================================

fn workspace(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join("vblint.toml"), config).unwrap();
    }
    dir
}

fn doc_uri(dir: &Path, name: &str) -> String {
    format!("file://{}/{name}", dir.display())
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs the command of a code action, as an editor does.
fn run_command(c: &mut Client, action: &Value) -> Value {
    let cmd = &action["command"];
    c.ok(
        "workspace/executeCommand",
        json!({ "command": cmd["command"], "arguments": cmd["arguments"] }),
    )
}

fn find_action<'a>(acts: &'a [Value], prefix: &str) -> &'a Value {
    acts.iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no action {prefix}: {:?}", titles(acts)))
}

// ==== the set of code actions ==================================================

#[test]
fn code_actions_are_fixes_then_explain_ignore_and_disable() {
    let dir = workspace(None);
    let (mut c, _) = Client::with(Some(dir.path()), caps_utf16(), Value::Null);
    let uri = doc_uri(dir.path(), "note.txt");
    let diags = c.open(&uri, "plaintext", NOTE);
    let acts = actions(&mut c, &uri, &diags[0]);
    assert_eq!(
        titles(&acts),
        [
            "Replace with “being placed at risk by [name the adult] when”",
            "Explain `put-self-at-risk`",
            "Ignore `put-self-at-risk` here (outside the note)",
            "Disable `put-self-at-risk` in this workspace",
        ]
    );
    assert_eq!(acts[0]["isPreferred"], true);
    // Only the replacement edits the note.
    for a in &acts[1..] {
        assert!(a.get("edit").is_none(), "{a}");
        assert!(a["command"]["command"].is_string(), "{a}");
    }
    // Asked for quick fixes only, "Explain" (not a fix) is left out.
    let r = c.ok(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diags[0]["range"],
                "context": { "diagnostics": [diags[0]], "only": ["quickfix"] } }),
    );
    assert_eq!(r.as_array().unwrap().len(), 3);
    c.shutdown();

    // Without a workspace, the titles say nothing outlives the session.
    let mut c = Client::plain();
    let diags = c.open(URI, "plaintext", NOTE);
    let acts = actions(&mut c, URI, &diags[0]);
    let t = titles(&acts);
    assert_eq!(
        t[2],
        "Ignore `put-self-at-risk` here (until the editor closes; nothing is written into the note)"
    );
    assert_eq!(t[3], "Disable `put-self-at-risk` until the editor closes");
    c.shutdown();
}

#[test]
fn comment_markers_are_a_separate_action_only_where_the_language_has_comments() {
    let mut c = Client::plain();
    let text = "Amy is putting herself at risk.\r\nNext.\r\n";
    let plain = c.open("file:///c/a.txt", "plaintext", text);
    let acts = actions(&mut c, "file:///c/a.txt", &plain[0]);
    assert!(
        acts.iter().all(|a| a.get("edit").is_none()
            || a["title"].as_str().unwrap().starts_with("Replace")),
        "{:?}",
        titles(&acts)
    );
    let uri = "file:///c/a.md";
    let diags = c.open(uri, "markdown", text);
    let acts = actions(&mut c, uri, &diags[0]);
    let comment = acts.last().unwrap();
    assert_eq!(
        comment["title"],
        "Ignore `put-self-at-risk` with a comment in the file"
    );
    let edit = first_edit(comment, uri);
    assert_eq!(edit["newText"], " <!-- vblint: ignore put-self-at-risk -->");
    // At the end of the line, before its CRLF.
    assert_eq!(
        edit["range"]["start"],
        json!({ "line": 0, "character": 31 })
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": edit["range"], "text": edit["newText"] }] }),
    );
    assert!(c.diagnostics(uri).is_empty());
    c.shutdown();
}

// ==== ignoring one finding, outside the note ===================================

#[test]
fn ignoring_writes_nothing_into_a_plain_text_note_and_the_finding_goes() {
    let dir = workspace(None);
    let text = "Amy is putting herself at risk by going to the address.\n\
                Later, she is putting herself at risk at the park.\n";
    let note = dir.path().join("note.txt");
    std::fs::write(&note, text).unwrap();
    let (mut c, _) = Client::with(Some(dir.path()), caps_utf16(), Value::Null);
    let uri = doc_uri(dir.path(), "note.txt");
    let diags = c.open(&uri, "plaintext", text);
    assert_eq!(diags.len(), 2);
    let acts = actions(&mut c, &uri, &diags[0]);
    let ignore = find_action(&acts, "Ignore `put-self-at-risk` here");
    assert!(ignore.get("edit").is_none(), "{ignore}");
    assert_eq!(run_command(&mut c, ignore), Value::Null);
    // At once, with no edit and no save: only the other sentence is flagged.
    let after = c.diagnostics(&uri);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["range"]["start"]["line"], 1);
    c.sync();
    assert!(
        c.server_requests
            .iter()
            .all(|r| r.method != "workspace/applyEdit"),
        "{:?}",
        c.server_requests
    );
    // The dismissal is a fingerprint in the workspace, with no words of the note.
    assert_eq!(names_in(dir.path()), [".vblint-ignore", "note.txt"]);
    let kept = std::fs::read_to_string(dir.path().join(".vblint-ignore")).unwrap();
    for word in ["Amy", "putting", "herself", "address", "going"] {
        assert!(!kept.contains(word), "{kept}");
    }
    assert_eq!(
        kept.lines()
            .filter(|l| l.starts_with("put-self-at-risk "))
            .count(),
        1,
        "{kept}"
    );
    assert_eq!(std::fs::read_to_string(&note).unwrap(), text);
    // Another document with the same sentence (in another paragraph) is
    // not flagged either; other words around the phrase still are.
    let other = doc_uri(dir.path(), "other.txt");
    let copy = "New entry.\nAmy is putting herself at risk by going to the address.\nShe is putting herself at risk again.\n";
    let diags = c.open(&other, "plaintext", copy);
    assert_eq!(covered(copy, &diags, true), ["putting herself at risk"]);
    assert_eq!(diags[0]["range"]["start"]["line"], 2);
    c.shutdown();

    // A new session reads the dismissal back.
    let (mut c, _) = Client::with(Some(dir.path()), caps_utf16(), Value::Null);
    assert_eq!(c.open(&uri, "plaintext", text).len(), 1);
    c.shutdown();

    // And `vblint check` honours it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args(["check", "--format", "concise", "note.txt"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("note.txt:2:"), "{stdout}");
    // `--no-config` leaves it aside, as it does vblint.toml.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vblint"))
        .args(["check", "--no-config", "--format", "concise", "note.txt"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 2);
}

#[test]
fn deleting_the_ignore_file_shows_the_findings_again() {
    let dir = workspace(None);
    let mut caps = caps_utf16();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let (mut c, _) = Client::with(Some(dir.path()), caps, Value::Null);
    c.sync();
    let watchers = c
        .server_requests
        .iter()
        .find(|r| r.method == "client/registerCapability")
        .unwrap()
        .params
        .to_string();
    assert!(watchers.contains("**/.vblint-ignore"), "{watchers}");
    let uri = doc_uri(dir.path(), "note.txt");
    let diags = c.open(&uri, "plaintext", NOTE);
    let acts = actions(&mut c, &uri, &diags[0]);
    run_command(&mut c, find_action(&acts, "Ignore"));
    assert!(c.diagnostics(&uri).is_empty());
    std::fs::remove_file(dir.path().join(".vblint-ignore")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": doc_uri(dir.path(), ".vblint-ignore"), "type": 3 }] }),
    );
    assert_eq!(c.diagnostics(&uri).len(), 1);
    c.shutdown();
}

#[test]
fn ignoring_without_a_workspace_lasts_for_the_session() {
    let mut c = Client::plain();
    let diags = c.open(URI, "plaintext", NOTE);
    let acts = actions(&mut c, URI, &diags[0]);
    run_command(&mut c, find_action(&acts, "Ignore"));
    assert!(c.diagnostics(URI).is_empty());
    // Typing elsewhere in the note keeps it dismissed.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } },
                                     "text": "Next entry.\n" }] }),
    );
    assert!(c.diagnostics(URI).is_empty());
    c.shutdown();
}

// ==== quotations, hover and explain ============================================

#[test]
fn quoted_findings_get_no_fix_and_say_so() {
    let mut c = Client::plain();
    let text = "Her carer wrote “she is putting herself at risk” in the log.\n";
    let diags = c.open(URI, "plaintext", text);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["severity"], 3);
    assert_eq!(diags[0]["data"]["quoted"], true);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("inside a quotation")
    );
    let acts = actions(&mut c, URI, &diags[0]);
    assert_eq!(
        titles(&acts),
        [
            "Explain `put-self-at-risk`",
            "Ignore `put-self-at-risk` here (until the editor closes; nothing is written into the note)"
        ]
    );
    c.shutdown();
}

fn hover_at(c: &mut Client, uri: &str, diag: &Value) -> Value {
    c.ok(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": diag["range"]["start"] }),
    )
}

#[test]
fn hover_is_short_and_does_not_repeat_the_message() {
    let mut c = Client::plain();
    let diags = c.open(URI, "plaintext", NOTE);
    let h = hover_at(&mut c, URI, &diags[0]);
    assert_eq!(h["range"], diags[0]["range"]);
    assert_eq!(h["contents"]["kind"], "markdown");
    let md = h["contents"]["value"].as_str().unwrap();
    assert_eq!(
        md,
        "**Write instead:**\n\
         - is being placed at risk by [name the adult]\n\
         - adults are exploiting her vulnerability\n\
         - the location gives [name the adults] access to her\n\n\
         More: the quick fix “Explain `put-self-at-risk`”, or `vblint explain put-self-at-risk`."
    );
    assert!(!md.contains(diags[0]["message"].as_str().unwrap()));
    // An entry whose why says more than its message: that part, on one line.
    let text = "Amy (14) was with her boyfriend (25) at the flat.\n";
    let diags = c.open("file:///b.txt", "plaintext", text);
    let md = hover_at(&mut c, "file:///b.txt", &diags[0])["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let first = md.lines().next().unwrap();
    assert_eq!(
        first,
        "Record the child's own word in quotation marks and give the adult's age."
    );
    assert!(!md.contains(diags[0]["message"].as_str().unwrap()), "{md}");
    let none = c.ok(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 1 } }),
    );
    assert_eq!(none, Value::Null);
    c.shutdown();
}

#[test]
fn hover_links_to_explain_only_for_clients_with_an_explain_view() {
    let (mut c, _) = Client::with(None, caps_utf16(), json!({ "explainView": true }));
    let diags = c.open(URI, "plaintext", NOTE);
    let md = hover_at(&mut c, URI, &diags[0])["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        md.ends_with(
            "[More about `put-self-at-risk`…](command:vblint.explain?%5B%22put-self-at-risk%22%5D \"Why, alternatives, examples and sources\")"
        ),
        "{md}"
    );
    c.shutdown();
    // A client that shows plain text gets no Markdown at all.
    let mut caps = caps_utf16();
    caps["textDocument"]["hover"]["contentFormat"] = json!(["plaintext"]);
    let (mut c, _) = Client::with(None, caps, Value::Null);
    let diags = c.open(URI, "plaintext", NOTE);
    let h = hover_at(&mut c, URI, &diags[0]);
    assert_eq!(h["contents"]["kind"], "plaintext");
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        !text.contains('*') && !text.contains('`') && !text.contains("]("),
        "{text}"
    );
    assert!(
        text.contains("- adults are exploiting her vulnerability"),
        "{text}"
    );
    c.shutdown();
}

#[test]
fn hover_of_a_quoted_finding_says_information_and_keep_verbatim() {
    let mut c = Client::plain();
    let text = "Her carer wrote “she is putting herself at risk” in the log.\n";
    let diags = c.open(URI, "plaintext", text);
    assert_eq!(diags[0]["severity"], 3, "shown as information");
    let md = hover_at(&mut c, URI, &diags[0])["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(md.starts_with("**Information only:**"), "{md}");
    assert!(
        md.contains("someone's own words, to be kept verbatim"),
        "{md}"
    );
    // No alternatives right after saying the words must stay.
    assert!(!md.contains("Write instead"), "{md}");
    assert!(!md.contains("is being placed at risk"), "{md}");
    c.shutdown();
}

#[test]
fn explain_returns_markdown_and_a_plain_message() {
    let mut c = Client::plain();
    let diags = c.open(URI, "plaintext", NOTE);
    let acts = actions(&mut c, URI, &diags[0]);
    let explain = find_action(&acts, "Explain `put-self-at-risk`");
    assert_eq!(explain["command"]["arguments"], json!(["put-self-at-risk"]));
    let answer = run_command(&mut c, explain);
    assert_eq!(answer["title"], "vblint: put-self-at-risk");
    let md = answer["markdown"].as_str().unwrap();
    for part in [
        "# `put-self-at-risk`",
        "## Why it matters\n\nThe phrase inspectors found most often",
        "## Write instead\n\n- is being placed at risk by [name the adult]",
        "## Examples\n\nFlagged:\n\n- 14:05 CALL FROM CARER",
        "Not flagged:\n\n- Risk assessment completed",
        "## Sources\n\n- HMICFRS (2024)",
    ] {
        assert!(md.contains(part), "{part} not in {md}");
    }
    // Without an explain view, a short plain-text message too.
    let shown = c.notification("window/showMessage");
    assert_eq!(shown.params["type"], 3);
    let message = shown.params["message"].as_str().unwrap();
    assert!(
        message.starts_with("put-self-at-risk: The phrase inspectors found most often"),
        "{message}"
    );
    assert!(message.contains("Write instead: is being placed at risk by [name the adult]; adults are exploiting her vulnerability;"), "{message}");
    for markup in ["**", "`", "##", "\n- "] {
        assert!(!message.contains(markup), "{message}");
    }
    // An unknown rule is an invalid-params error.
    let r = c.request(
        "workspace/executeCommand",
        json!({ "command": "vblint.explain", "arguments": ["no-such-rule"] }),
    );
    assert_eq!(r.response_result.unwrap_err().code, -32602);
    c.shutdown();

    // A client with its own explain view gets the answer and nothing else.
    let (mut c, _) = Client::with(None, caps_utf16(), json!({ "explainView": true }));
    c.open(URI, "plaintext", NOTE);
    let answer = c.ok(
        "workspace/executeCommand",
        json!({ "command": "vblint.explain", "arguments": ["put-self-at-risk"] }),
    );
    assert!(answer["markdown"].as_str().unwrap().contains("## Sources"));
    c.sync();
    assert!(
        c.inbox.iter().all(|n| n.method != "window/showMessage"),
        "{:?}",
        c.inbox
    );
    c.shutdown();
}

// ==== disabling a rule in the workspace ========================================

fn disable(c: &mut Client, uri: &str, diag: &Value) {
    let acts = actions(c, uri, diag);
    let disable = find_action(&acts, "Disable `put-self-at-risk`");
    assert_eq!(disable["kind"], "quickfix");
    run_command(c, disable);
}

#[test]
fn disable_applies_at_once_and_the_server_writes_vblint_toml_keeping_comments() {
    let config = "# Our force's settings\nquotes = \"info\" # quoted words stay info\n\n[severity]\nconsent = \"error\"\n";
    let dir = workspace(Some(config));
    let (mut c, _) = Client::with(Some(dir.path()), caps_utf16(), Value::Null);
    let uri = doc_uri(dir.path(), "note.txt");
    let diags = c.open(&uri, "plaintext", NOTE);
    disable(&mut c, &uri, &diags[0]);
    // Off at once: no save, no file event.
    assert!(c.diagnostics(&uri).is_empty());
    let shown = c.notification("window/showMessage");
    let message = shown.params["message"].as_str().unwrap();
    assert!(
        message.contains("is now off in this workspace"),
        "{message}"
    );
    assert!(message.contains("vblint.toml"), "{message}");
    c.sync();
    assert!(
        c.server_requests
            .iter()
            .all(|r| r.method != "workspace/applyEdit")
    );
    let written = std::fs::read_to_string(dir.path().join("vblint.toml")).unwrap();
    assert!(written.contains("# Our force's settings"), "{written}");
    assert!(written.contains("# quoted words stay info"), "{written}");
    let parsed: toml::Table = written.parse().unwrap();
    assert_eq!(parsed["disable"][0].as_str(), Some("put-self-at-risk"));
    assert_eq!(parsed["severity"]["consent"].as_str(), Some("error"));
    assert_eq!(names_in(dir.path()), ["vblint.toml"]);
    // The file event that follows keeps it off.
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": doc_uri(dir.path(), "vblint.toml"), "type": 2 }] }),
    );
    assert!(c.diagnostics(&uri).is_empty());
    c.shutdown();
}

#[test]
fn disable_creates_vblint_toml_in_the_workspace() {
    let dir = workspace(None);
    let caps = json!({ "general": { "positionEncodings": ["utf-16"] } });
    let (mut c, _) = Client::with(Some(dir.path()), caps, Value::Null);
    let uri = doc_uri(dir.path(), "note.txt");
    let diags = c.open(&uri, "plaintext", NOTE);
    c.ok(
        "workspace/executeCommand",
        json!({ "command": "vblint.disableRule", "arguments": [diags[0]["code"]] }),
    );
    assert!(c.diagnostics(&uri).is_empty());
    let written = std::fs::read_to_string(dir.path().join("vblint.toml")).unwrap();
    assert_eq!(written, "disable = [\"put-self-at-risk\"]\n");
    c.shutdown();
}

#[test]
fn disable_never_writes_above_the_workspace_or_through_a_link() {
    // The settings in effect are in the folder above the workspace.
    let parent = workspace(Some("quotes = \"info\"\n"));
    let ws = parent.path().join("team");
    std::fs::create_dir(&ws).unwrap();
    let (mut c, _) = Client::with(Some(&ws), caps_utf16(), Value::Null);
    let uri = doc_uri(&ws, "note.txt");
    let diags = c.open(&uri, "plaintext", NOTE);
    disable(&mut c, &uri, &diags[0]);
    assert!(c.diagnostics(&uri).is_empty());
    let message = c.notification("window/showMessage").params["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("outside this workspace"), "{message}");
    assert_eq!(
        std::fs::read_to_string(parent.path().join("vblint.toml")).unwrap(),
        "quotes = \"info\"\n"
    );
    assert!(names_in(&ws).is_empty());
    c.shutdown();

    // vblint.toml is a symbolic link: refused, the rule is off for the session.
    #[cfg(unix)]
    {
        let dir = workspace(None);
        let elsewhere = tempfile::tempdir().unwrap();
        let real = elsewhere.path().join("shared.toml");
        std::fs::write(&real, "quotes = \"info\"\n").unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("vblint.toml")).unwrap();
        let (mut c, _) = Client::with(Some(dir.path()), caps_utf16(), Value::Null);
        let uri = doc_uri(dir.path(), "note.txt");
        let diags = c.open(&uri, "plaintext", NOTE);
        disable(&mut c, &uri, &diags[0]);
        assert!(c.diagnostics(&uri).is_empty());
        let shown = c.notification("window/showMessage");
        assert_eq!(shown.params["type"], 2);
        assert!(
            shown.params["message"]
                .as_str()
                .unwrap()
                .contains("symbolic link"),
            "{shown:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&real).unwrap(),
            "quotes = \"info\"\n"
        );
        assert!(
            std::fs::symlink_metadata(dir.path().join("vblint.toml"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        c.shutdown();
    }
}

#[test]
fn disable_without_a_workspace_is_for_the_session() {
    let mut c = Client::plain();
    let diags = c.open(URI, "plaintext", NOTE);
    disable(&mut c, URI, &diags[0]);
    assert!(c.diagnostics(URI).is_empty());
    let message = c.notification("window/showMessage").params["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("until the editor closes"), "{message}");
    c.shutdown();
}

#[test]
fn settings_from_initialization_options_and_did_change_configuration() {
    let text = "Amy is putting herself at risk. Carer wrote “her risk-taking behaviour” down.\n";
    let (mut c, _) = Client::with(
        None,
        caps_utf16(),
        json!({ "quotes": "skip", "lexicon": [], "disable": [] }),
    );
    let diags = c.open(URI, "plaintext", text);
    assert_eq!(covered(text, &diags, true), ["putting herself at risk"]);
    // Nested under `vblint`, as VS Code sends it.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "vblint": { "quotes": "flag", "disable": ["put-self-at-risk"], "server": { "path": "vblint" } } } }),
    );
    let diags = c.diagnostics(URI);
    assert_eq!(covered(text, &diags, true), ["risk-taking behaviour"]);
    assert_eq!(diags[0]["severity"], 2);
    // Top level, as Neovim and Eglot may send it.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "quotes": "info" } }),
    );
    let diags = c.diagnostics(URI);
    assert_eq!(diags.len(), 2);
    assert_eq!(diags[1]["severity"], 3);
    // A bad value is reported and skipped.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "vblint": { "quotes": "loud" } } }),
    );
    let shown = c.notification("window/showMessage");
    assert!(shown.params["message"].as_str().unwrap().contains("quotes"));
    c.shutdown();
}

#[test]
fn settings_through_workspace_configuration() {
    let mut caps = caps_utf16();
    caps["workspace"]["configuration"] = json!(true);
    let (mut c, _) = Client::with(None, caps, Value::Null);
    c.configuration = json!([{ "disable": ["put-self-at-risk"] }]);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    c.sync();
    c.sync();
    let diags = c.open(URI, "plaintext", NOTE);
    assert!(diags.is_empty(), "{diags:?}");
    c.shutdown();
}

#[test]
fn vblint_toml_changes_apply_without_restart_and_bad_ones_keep_the_last_good() {
    let dir = workspace(Some("# ours\ndisable = [\"put-self-at-risk\"]\n"));
    let mut caps = caps_utf16();
    caps["workspace"]["didChangeWatchedFiles"] =
        json!({ "dynamicRegistration": true, "relativePatternSupport": true });
    let (mut c, _) = Client::with(Some(dir.path()), caps, Value::Null);
    c.sync();
    let reg = c
        .server_requests
        .iter()
        .find(|r| r.method == "client/registerCapability")
        .expect("file watchers registered");
    let watchers = reg.params["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(watchers.contains("**/vblint.toml"), "{watchers}");
    assert!(watchers.contains("**/.vblint.toml"), "{watchers}");

    let uri = doc_uri(dir.path(), "note.txt");
    let text = "Amy is putting herself at risk; her risk-taking behaviour worries staff.\n";
    let diags = c.open(&uri, "plaintext", text);
    assert_eq!(covered(text, &diags, true), ["risk-taking behaviour"]);

    let config = dir.path().join("vblint.toml");
    let changed = |c: &Client| {
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": format!("file://{}", config.display()), "type": 2 }] }),
        );
    };
    std::fs::write(&config, "disable = [\"risk-taking-behaviour\"]\n").unwrap();
    changed(&c);
    assert_eq!(
        covered(text, &c.diagnostics(&uri), true),
        ["putting herself at risk"]
    );

    // A broken file: the server says so and keeps the last good scanner.
    std::fs::write(&config, "disabel = [\"x\"]\n").unwrap();
    changed(&c);
    let shown = c.notification("window/showMessage");
    assert_eq!(shown.params["type"], 1);
    assert!(
        shown.params["message"]
            .as_str()
            .unwrap()
            .contains("disabel"),
        "{shown:?}"
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "text": text }] }),
    );
    assert_eq!(
        covered(text, &c.diagnostics(&uri), true),
        ["putting herself at risk"]
    );
    c.shutdown();
}

#[test]
fn local_lexicon_folders_are_loaded_and_watched() {
    let dir = workspace(None);
    let lex = dir.path().join("force-lexicon");
    std::fs::create_dir(&lex).unwrap();
    let entry = |term: &str| {
        format!(
            "[[entry]]\nid = \"local-term\"\ncategory = \"minimising\"\nterms = [\"{term}\"]\n\
             alternatives = [\"abuse\"]\nwhy = \"Local guidance.\"\nsources = [\"Force policy\"]\n\
             examples = [\"It was a {term}.\"]\n"
        )
    };
    std::fs::write(lex.join("local.toml"), entry("sexual encounter")).unwrap();
    let mut caps = caps_utf16();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let (mut c, _) = Client::with(
        Some(dir.path()),
        caps,
        json!({ "vblint": { "lexicon": ["force-lexicon"] } }),
    );
    let uri = doc_uri(dir.path(), "note.txt");
    let text = "It was described as a sexual encounter and a fling.\n";
    let diags = c.open(&uri, "plaintext", text);
    assert_eq!(covered(text, &diags, true), ["sexual encounter"]);
    c.sync();
    let watchers = c
        .server_requests
        .iter()
        .find(|r| r.method == "client/registerCapability")
        .unwrap()
        .params
        .to_string();
    assert!(watchers.contains("force-lexicon/*.toml"), "{watchers}");
    std::fs::write(lex.join("local.toml"), entry("fling")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}/local.toml", lex.display()), "type": 2 }] }),
    );
    assert_eq!(covered(text, &c.diagnostics(&uri), true), ["fling"]);
    c.shutdown();
}

// ==== vblint's own files =======================================================

#[test]
fn lexicon_files_get_their_own_diagnostics() {
    let dir = workspace(None);
    let lex = dir.path().join("lexicon");
    std::fs::create_dir(&lex).unwrap();
    let mut c = Client::plain();
    let uri = format!("file://{}/local.toml", lex.display());
    let text = "[[entry]]\nid = \"local-term\"\ncategory = \"minimising\"\nsevrity = \"info\"\n\
                terms = [\"fling\"]\nalternatives = [\"abuse\"]\nwhy = \"Local.\"\nsources = [\"x\"]\n\
                examples = [\"It was a fling.\"]\n";
    let diags = c.open(&uri, "toml", text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0]["message"].as_str().unwrap().contains("sevrity"));
    assert!(diags[0]["message"].as_str().unwrap().contains("severity"));
    assert_eq!(covered(text, &diags, true), ["sevrity"]);
    assert_eq!(diags[0]["severity"], 1);

    // Fix the key; now an example that is not flagged and a counterexample that is.
    let text = "[[entry]]\nid = \"local-term\"\ncategory = \"minimising\"\n\
                terms = [\"fling\"]\nalternatives = [\"abuse\"]\nwhy = \"Local.\"\nsources = [\"x\"]\n\
                examples = [\"It was a fling.\", \"It was a romance.\"]\n\
                counterexamples = [\"A fling of stones.\"]\n";
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text }] }),
    );
    let diags = c.diagnostics(&uri);
    let texts = covered(text, &diags, true);
    assert_eq!(
        texts,
        ["\"It was a romance.\"", "\"A fling of stones.\""],
        "{diags:?}"
    );
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("not flagged")
    );
    assert!(
        diags[1]["message"]
            .as_str()
            .unwrap()
            .contains("counterexample")
    );
    c.shutdown();
}

#[test]
fn lexicon_buffers_see_the_sets_of_their_sibling_files() {
    let dir = workspace(None);
    let lex = dir.path().join("force-lexicon");
    std::fs::create_dir(&lex).unwrap();
    std::fs::write(
        lex.join("common.toml"),
        "[sets]\nthing = [\"fling\", \"romance\"]\n",
    )
    .unwrap();
    let text = "[[entry]]\nid = \"local-term\"\ncategory = \"minimising\"\n\
                terms = [\"a {thing}\"]\nalternatives = [\"abuse\"]\nwhy = \"Local.\"\nsources = [\"x\"]\n\
                examples = [\"It was a fling.\", \"It was a romance.\"]\n";
    let mut c = Client::plain();
    let uri = format!("file://{}/local.toml", lex.display());
    let diags = c.open(&uri, "toml", text);
    assert!(diags.is_empty(), "{diags:?}");
    c.shutdown();
}

#[test]
fn vblint_toml_buffers_get_their_own_diagnostics() {
    let mut c = Client::plain();
    let text = "quotes = \"info\"\nqoutes = \"skip\"\n";
    let diags = c.open("file:///ws/vblint.toml", "toml", text);
    assert_eq!(covered(text, &diags, true), ["qoutes"]);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `quotes`")
    );
    c.shutdown();
}

// ==== robustness ===============================================================

#[test]
fn bad_requests_get_errors_and_the_server_carries_on() {
    let mut c = Client::plain();
    c.open(URI, "plaintext", NOTE);
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": 42, "position": "start" }),
    );
    assert_eq!(r.response_result.unwrap_err().code, -32602);
    let r = c.request("vblint/doesNotExist", json!({}));
    assert_eq!(r.response_result.unwrap_err().code, -32601);
    c.notify("vblint/unknownNotification", json!({ "x": 1 }));
    c.notify("$/cancelRequest", json!({ "id": 12345 }));
    c.notify("textDocument/didChange", json!({ "garbage": true }));
    // A document that was never opened.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///never.txt", "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" }] }),
    );
    let h = c.ok(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///never.txt" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(h, Value::Null);
    // Positions past the end clamp.
    let h = c.ok(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 9999, "character": 9999 } }),
    );
    assert_eq!(h, Value::Null);
    let acts = c.ok(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": URI },
                "range": { "start": { "line": 0, "character": 500 }, "end": { "line": 9999, "character": 0 } },
                "context": { "diagnostics": [] } }),
    );
    assert!(acts.is_array());
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 70, "character": 0 }, "end": { "line": 80, "character": 3 } }, "text": "She is putting herself at risk." }] }),
    );
    let diags = c.diagnostics(URI);
    assert_eq!(diags.len(), 2);
    assert_eq!(diags[1]["range"]["start"]["line"], 1);
    c.shutdown();
}

// ==== stdio framing ============================================================

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

fn replies(out: &[u8]) -> Vec<Value> {
    let mut text = std::str::from_utf8(out).unwrap();
    let mut msgs = Vec::new();
    while let Some(rest) = text.strip_prefix("Content-Length: ") {
        let (n, rest) = rest.split_once("\r\n\r\n").unwrap();
        let n: usize = n.parse().unwrap();
        msgs.push(serde_json::from_str(&rest[..n]).unwrap());
        text = &rest[n..];
    }
    assert!(text.is_empty(), "trailing output: {text:?}");
    msgs
}

#[test]
fn framing_answers_broken_messages_and_keeps_serving() {
    let input = [
        frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#),
        // A truncated JSON body.
        frame(r#"{"jsonrpc": "2.0", "method": "textDocument/hover", "id": 999, "params": {"#),
        // A garbage header block.
        "Hello there\r\nnot a header\r\n\r\n".to_string(),
        // JSON that is not a message.
        frame(r#"{"jsonrpc":"2.0","params":{}}"#),
        frame(r#"{"jsonrpc":"2.0","id":2,"method":"vblint/unknown"}"#),
        frame(r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ]
    .concat();
    let out = Shared::default();
    let result = vblint::lsp::run_with(std::io::Cursor::new(input.into_bytes()), out.clone());
    assert!(result.is_ok(), "{result:?}");
    let msgs = replies(&out.0.lock().unwrap());
    // The reader answers broken messages itself, so they may overtake the
    // main loop's replies: compare without order.
    let mut codes: Vec<String> = msgs
        .iter()
        .filter(|m| m.get("method").is_none())
        .map(|m| format!("{} {}", m["id"], m["error"]["code"]))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "1 null",
            "2 -32601",
            "3 null",
            "null -32600",
            "null -32700",
            "null -32700"
        ]
    );
    assert_eq!(msgs.last().unwrap()["id"], 3);
    assert_eq!(msgs.last().unwrap()["result"], Value::Null);
}

#[test]
fn framing_end_of_input_without_exit_is_an_error() {
    let input =
        frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    let out = Shared::default();
    let result = vblint::lsp::run_with(std::io::Cursor::new(input.into_bytes()), out.clone());
    assert!(result.is_err());
    assert_eq!(replies(&out.0.lock().unwrap()).len(), 1);
}
