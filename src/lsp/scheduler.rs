//! When checking happens: the background scan of large documents and the
//! deadline for clients that can pull diagnostics.
//!
//! A document of [`super::document::LARGE`] bytes or more is scanned on a
//! worker thread (started with the first one), in pieces on every core, so
//! that requests are not held up behind the scan; its findings are taken
//! only if they still fit the text (same revision, same scanner). Small
//! documents, and large ones whose edits only need the nearby paragraphs
//! rescanned, are checked in line.
//!
//! A client that says it can pull diagnostics gets [`PULL_GRACE`] after the
//! first document opens to pull; if it does not, the server pushes.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use crate::scan::{Finding, Scanner};

use super::document::{Document, Stale};
use super::server::{Mode, Server};

/// How long a client that can pull diagnostics has, after the first
/// document opens, to pull before the server pushes instead.
const PULL_GRACE: Duration = Duration::from_millis(1000);

/// A background scan of a large document.
struct Job {
    key: String,
    revision: u64,
    generation: u64,
    text: String,
    scanner: Scanner,
}

/// The findings of a background scan.
pub(crate) struct Done {
    key: String,
    revision: u64,
    generation: u64,
    findings: Vec<Finding>,
}

/// The thread that scans large documents.
pub(crate) struct Worker {
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
                for job in job_rx {
                    let mut findings = Vec::new();
                    // On every core: the same findings as one scan.
                    let scanned = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        crate::parallel::scan(&job.scanner, &job.text, &mut findings);
                    }));
                    if scanned.is_err() {
                        eprintln!("vblint lsp: internal error while scanning {}", job.key);
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

    /// Where finished scans arrive (for the main loop's `select!`).
    pub(super) fn done(&self) -> Receiver<Done> {
        self.done.clone()
    }
}

/// Whether checking a document is quick: its findings are current, or only
/// the paragraphs near its edits need scanning again.
pub(super) fn quick_check(scanner: &Scanner, doc: &Document) -> bool {
    match &doc.stale {
        Stale::No => true,
        Stale::Edited(changed) => scanner.rescans_locally(&doc.text, changed.clone()),
        Stale::All => false,
    }
}

impl Server {
    /// Hands a large document to the background scanner, unless it is
    /// already being scanned.
    pub(super) fn submit(&mut self, key: &str) {
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
    pub(super) fn scan_done(&mut self, done: Done) {
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
        self.dismissed
            .retain(self.engine.scanner.lexicon(), &doc.text, &mut doc.findings);
        doc.stale = Stale::No;
        doc.dirty = false;
        if self.mode == Mode::Push {
            self.publish_now(&done.key);
        }
    }

    /// Starts the pull grace period, if the client may pull and it has not
    /// started yet.
    pub(super) fn start_pull_grace(&mut self) {
        if let Mode::Undecided(None) = self.mode {
            self.mode = Mode::Undecided(Some(Instant::now() + PULL_GRACE));
        }
    }

    /// When the main loop must wake up even with no message.
    pub(super) fn deadline(&self) -> Option<Instant> {
        match self.mode {
            Mode::Undecided(at) => at,
            _ => None,
        }
    }

    pub(super) fn deadline_passed(&mut self) {
        if let Mode::Undecided(Some(_)) = self.mode {
            eprintln!("vblint lsp: the client has not pulled diagnostics; pushing them instead");
            self.mode = Mode::Push;
            for doc in self.docs.values_mut() {
                doc.dirty = true;
            }
        }
    }
}
