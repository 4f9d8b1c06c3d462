//! Input files for the `csv`, `jsonl`, `html` and `docx` targets: the fuzz
//! input is written to a file and read back through `vblint::input::read`,
//! the one door every input file goes through.
// Each target uses part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use vblint::input::{self, FileRef, Input, Kind, Limits, NotRead};

/// A folder for this process's input files (in memory where `/dev/shm` exists).
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::path::Path::new("/dev/shm");
        let dir = if base.is_dir() {
            tempfile::Builder::new()
                .prefix("vblint-fuzz-")
                .tempdir_in(base)
        } else {
            tempfile::Builder::new().prefix("vblint-fuzz-").tempdir()
        }
        .expect("a temporary folder");
        dir.keep()
    })
}

/// Writes `bytes` to a file named with `ext` and reads it as `kind` within
/// `max` bytes.
pub fn read(bytes: &[u8], ext: &str, kind: Kind, max: u64) -> Result<Input, NotRead> {
    let path = folder().join(format!("input.{ext}"));
    std::fs::write(&path, bytes).expect("write the input file");
    let shown = format!("input.{ext}");
    input::read(
        &FileRef::named(&path, &shown),
        kind,
        Limits { max_file_size: max },
    )
}

/// The longest message about one bad record: messages name records by
/// number and column, never by their content, so they stay short whatever
/// the record holds.
pub const MAX_REASON: usize = 400;

/// Reads every record of an export, checking what a user would rely on:
/// record numbers go up, lines and columns are 1-based and records' lines
/// never go back,
/// at most `MAX_BAD_RECORDS` + 1 bad records are reported (the last one
/// stops reading), messages stay short, and every field scans with spans in
/// bounds.
pub fn drain(records: &mut dyn input::Records) {
    let scanner = crate::common::scanner();
    let mut bad = 0;
    let mut last_number = 0;
    let mut last_line = 0;
    while let Some(next) = records.next_record() {
        match next {
            Ok(record) => {
                assert!(record.number > last_number, "record numbers go back");
                last_number = record.number;
                if let Some(first) = record.fields.iter().map(|f| f.line).min() {
                    assert!(first >= last_line, "records' lines go back");
                    last_line = first;
                }
                for field in &record.fields {
                    assert!(field.line >= 1 && field.column >= 1, "0-based position");
                    for f in scanner.scan(&field.text) {
                        assert!(f.span.start < f.span.end && f.span.end <= field.text.len());
                        if let Some(offsets) = &field.offsets {
                            let a = offsets.original(&field.text, f.span.start);
                            let b = offsets.original(&field.text, f.span.end);
                            assert!(a < b, "original offsets out of order");
                        }
                    }
                }
            }
            Err(e) => {
                bad += 1;
                assert!(e.line >= 1, "0-based line in a bad record");
                assert!(
                    e.reason.len() <= MAX_REASON,
                    "a bad-record message of {} bytes",
                    e.reason.len()
                );
                assert!(
                    bad <= input::MAX_BAD_RECORDS + 1,
                    "more than {} bad records reported",
                    input::MAX_BAD_RECORDS + 1
                );
                if e.fatal {
                    assert!(
                        records.next_record().is_none(),
                        "records after a fatal error"
                    );
                    break;
                }
            }
        }
    }
    for note in records.take_notes() {
        assert!(note.len() <= MAX_REASON, "a note of {} bytes", note.len());
    }
}
