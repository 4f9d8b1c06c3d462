//! Arbitrary bytes as the language server's whole stdin: `run_with` never
//! panics (a panic anywhere, even one the server catches, aborts the fuzzer)
//! and returns at the end of the input, and every frame it writes is
//! `Content-Length`-framed, well-formed JSON-RPC 2.0.
//!
//! The first byte picks the shape: bit 0 prefixes a valid `initialize`,
//! `initialized` and (bit 2) a `didOpen` of a document with findings, so
//! the request handlers are reached; bit 1 cuts the rest into bodies framed
//! with valid `Content-Length` headers (each body's length is the next
//! byte); bit 3 negotiates UTF-8 positions; bit 4 appends `shutdown` and
//! `exit`.
#![no_main]

use std::io::Write;
use std::sync::{Arc, Mutex};

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

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

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
}

/// Checks one JSON-RPC body the server wrote.
fn check_body(body: &[u8]) {
    let v: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "output body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(body)
        )
    });
    let m = v.as_object().expect("output body is an object");
    assert_eq!(m.get("jsonrpc"), Some(&Value::from("2.0")), "{v}");
    let id_ok = |id: Option<&Value>| {
        matches!(id, Some(Value::Null | Value::String(_)))
            || id
                .and_then(Value::as_i64)
                .is_some_and(|n| i32::try_from(n).is_ok())
    };
    if let Some(method) = m.get("method") {
        // A request or notification from the server.
        assert!(method.is_string(), "{v}");
        assert!(!m.contains_key("result") && !m.contains_key("error"), "{v}");
        if let Some(id) = m.get("id") {
            assert!(!id.is_null() && id_ok(Some(id)), "{v}");
        }
    } else {
        // A response: an id and exactly one of result and error.
        assert!(id_ok(m.get("id")), "{v}");
        assert!(
            m.contains_key("result") != m.contains_key("error"),
            "response needs exactly one of result/error: {v}"
        );
        if let Some(e) = m.get("error") {
            assert!(e["code"].as_i64().is_some(), "{v}");
            assert!(e["message"].is_string(), "{v}");
        }
    }
}

fn check_output(out: &[u8]) {
    let mut rest = out;
    while !rest.is_empty() {
        let text = std::str::from_utf8(&rest[..rest.len().min(64)]).unwrap_or("");
        let after = text
            .strip_prefix("Content-Length: ")
            .unwrap_or_else(|| panic!("bad frame header: {:?}", String::from_utf8_lossy(rest)));
        let (n, _) = after
            .split_once("\r\n\r\n")
            .expect("header ends with CRLF CRLF");
        let n: usize = n.parse().expect("a decimal length");
        let head = "Content-Length: ".len() + after.find("\r\n\r\n").unwrap() + 4;
        assert!(rest.len() >= head + n, "truncated frame");
        check_body(&rest[head..head + n]);
        rest = &rest[head + n..];
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    // Never let the fuzzer reach `vblint.disableRule` or `vblint.ignore`,
    // which may write a `vblint.toml` or `.vblint-ignore` in a workspace
    // folder on disk (a `\u` escape could spell them in a JSON string, so
    // skip those too when a command is near).
    let has = |s: &[u8]| rest.windows(s.len()).any(|w| w == s);
    if has(b"isableRule") || has(b"gnore") || (has(b"\\u") && has(b"xecute")) {
        return;
    }
    let mut input = Vec::new();
    if flags & 1 != 0 {
        let enc = if flags & 8 != 0 {
            r#"["utf-8","utf-16"]"#
        } else {
            r#"["utf-16"]"#
        };
        let init = format!(
            r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"processId":null,"capabilities":{{"general":{{"positionEncodings":{enc}}},"workspace":{{"applyEdit":true,"configuration":false}},"textDocument":{{"hover":{{"contentFormat":["markdown"]}}}}}}}}}}"#
        );
        frame(&mut input, init.as_bytes());
        frame(
            &mut input,
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        );
        if flags & 4 != 0 {
            frame(
                &mut input,
                "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///vblint-fuzz/a.txt\",\"languageId\":\"plaintext\",\"version\":1,\"text\":\"She 😢 consented.\\r\\nHer boyfriend, a child prostitute\\n\"}}}".as_bytes(),
            );
        }
    }
    if flags & 2 != 0 {
        let mut r = rest;
        while let Some((&len, tail)) = r.split_first() {
            let n = usize::from(len).min(tail.len());
            frame(&mut input, &tail[..n]);
            r = &tail[n..];
        }
    } else {
        input.extend_from_slice(rest);
    }
    if flags & 16 != 0 {
        frame(
            &mut input,
            br#"{"jsonrpc":"2.0","id":"end","method":"shutdown"}"#,
        );
        frame(&mut input, br#"{"jsonrpc":"2.0","method":"exit"}"#);
    }
    let out = Shared::default();
    let _ = vblint::lsp::run_with(std::io::Cursor::new(input), out.clone());
    check_output(&out.0.lock().unwrap());
});
