//! The language server (`vblint lsp`): diagnostics, quick fixes and hovers in
//! any editor with an LSP client.
//!
//! Built on `lsp-server` (messages and channels) and `lsp-types`, with its
//! own stdio framing (`transport`) so that a malformed message gets an
//! error reply instead of closing the connection. All protocol knowledge
//! lives in this module; the linting itself is [`crate::scan`].
//!
//! | module | owns |
//! |---|---|
//! | `server` | the server's state, the main loop, sending messages |
//! | `dispatch` | routing requests and notifications to handlers by method |
//! | `handlers` | one module per request or group of notifications |
//! | `diagnostics` | building diagnostics and publishing them |
//! | `scheduler` | the background scan of large documents, the pull deadline |
//! | `position` | byte offsets <-> LSP positions (the only UTF-16 code) |
//! | `document` | open documents and incremental edits |
//! | `settings` | editor settings, `vblint.toml`, building the scanner |
//! | `actions` | the text of quick fixes, comment markers, `vblint.toml` edits, hovers and explanations |
//! | `files` | diagnostics for open lexicon files and `vblint.toml` |
//! | `transport` | `Content-Length` framing over stdio |
//! | `uri` | `file:` URIs <-> paths |
//!
//! Logs go to stderr, prefixed `vblint lsp:`.

mod actions;
// Public (but hidden) only for `benches/lsp.rs`.
#[doc(hidden)]
pub mod bench;
mod diagnostics;
mod dispatch;
// Public (but hidden) only for the `lsp_edits` fuzz target in `fuzz/`.
#[doc(hidden)]
pub mod document;
mod files;
mod handlers;
#[doc(hidden)]
pub mod position;
mod scheduler;
mod server;
mod settings;
mod transport;
mod uri;

use std::io::{BufRead, Write};
use std::sync::Arc;

use lsp_server::{Connection, Message};

/// Runs the language server over stdin and stdout until the client sends
/// `exit`.
///
/// With `client_process_id` (the editor's `--clientProcessId`), the process
/// also ends, with code 1, once that process has gone, for an editor that
/// dies without closing the server's stdin. This is watched on Unix; other
/// systems rely on stdin closing.
///
/// # Errors
///
/// If the client exits without `shutdown` first, or closes the connection
/// without `exit`: the process should then exit with code 1.
pub fn run(client_process_id: Option<u32>) -> anyhow::Result<()> {
    if let Some(pid) = client_process_id {
        watch_client(pid);
    }
    run_with(std::io::BufReader::new(std::io::stdin()), std::io::stdout())
}

/// How often the editor's process is looked for.
#[cfg(unix)]
const CLIENT_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Ends this process once process `pid` no longer exists. Nothing is lost:
/// the server only holds the editor's copies of open documents.
#[cfg(unix)]
fn watch_client(pid: u32) {
    let raw = match libc::pid_t::try_from(pid) {
        Ok(raw) if raw > 0 => raw,
        _ => {
            eprintln!("vblint lsp: --clientProcessId {pid} is not a process id; not watching it");
            return;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("vblint-lsp-client-watch".into())
        .spawn(move || {
            while process_exists(raw) {
                std::thread::sleep(CLIENT_POLL);
            }
            eprintln!("vblint lsp: the editor (process {pid}) has gone; stopping");
            std::process::exit(1);
        });
    if let Err(e) = spawned {
        eprintln!("vblint lsp: cannot watch the editor's process ({e}); carrying on");
    }
}

#[cfg(not(unix))]
fn watch_client(_pid: u32) {}

/// Whether the process `pid` (> 0) exists; a zombie counts until reaped.
#[cfg(unix)]
fn process_exists(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 sends nothing; `kill` only checks that `pid` exists
    // and whether we may signal it.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Runs the language server over any byte streams (used by [`run`] and by
/// tests of the framing).
///
/// # Errors
///
/// As [`run`].
pub fn run_with<R, W>(input: R, output: W) -> anyhow::Result<()>
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    let (outlet, out_rx, out_budget) = transport::outlet();
    let (in_tx, in_rx) = crossbeam_channel::unbounded::<Message>();
    let inflow = transport::Budget::new(transport::MAX_INCOMING, transport::MAX_WAITING_REQUESTS);
    let writer = transport::spawn_writer(output, out_rx, out_budget);
    // The reader stops after forwarding `exit` or at the end of the input,
    // which is also when the main loop returns; it is not joined, so a
    // client that keeps stdin open after `exit` cannot hang us.
    let _reader = transport::spawn_reader(input, in_tx, Arc::clone(&inflow), outlet.clone());
    let result = server::main_loop(&in_rx, Some(&inflow), server::Outbox::Stdio(outlet));
    // The reader may be waiting for room to pass on a message: it stops
    // once the budget is closed.
    inflow.close();
    // Every sender is gone once the main loop's outbox and the reader are
    // dropped, which lets the writer drain and finish.
    drop(in_rx);
    match writer.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("vblint lsp: cannot write to the client: {e}"),
        Err(_) => eprintln!("vblint lsp: the writer thread panicked"),
    }
    result
}

/// Runs the server on an existing connection, such as one half of
/// [`Connection::memory`], until `exit`.
///
/// # Errors
///
/// As [`run`].
pub fn serve(connection: Connection) -> anyhow::Result<()> {
    let Connection { sender, receiver } = connection;
    server::main_loop(&receiver, None, server::Outbox::Channel(sender))
}
