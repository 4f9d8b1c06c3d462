//! Arbitrary bytes as a CSV export, read through `input::read`: never a
//! panic; record numbers and lines go forward; at most 21 bad-record
//! messages, each short (records are named by number, never quoted); every
//! text field scans with spans in bounds.
//!
//! The first byte picks the options: bits 0-1 the delimiter (detected, `,`,
//! `;`, tab), bits 2-3 the text columns, bit 4 an id column, bit 5 a small
//! size limit (the export stops at it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vblint::input::{Input, Kind, Options};

#[path = "common.rs"]
mod common;
#[path = "input.rs"]
mod input;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let options = Options {
        csv_delimiter: [None, Some(b','), Some(b';'), Some(b'\t')][usize::from(flags & 3)],
        csv_text_columns: match (flags >> 2) & 3 {
            0 => vec!["notes".into()],
            1 => vec!["2".into()],
            2 => vec!["3".into(), "1".into()],
            _ => vec!["text".into(), "notes".into()],
        },
        csv_id_column: (flags & 16 != 0).then(|| "id".into()),
        ..Options::default()
    };
    let max = if flags & 32 != 0 { 64 } else { 1 << 20 };
    let Ok(Input::Export(export)) = input::read(bytes, "csv", Kind::Csv, max) else {
        return;
    };
    match export.records(&options) {
        Ok(mut records) => input::drain(records.as_mut()),
        Err(message) => {
            // The header error lists column names only when they look like
            // names (64 characters at most, each escaped to at most 10), so
            // its length is bounded by the number of columns, never by the
            // length of a cell.
            let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
            let columns = 1 + first_line
                .iter()
                .filter(|b| matches!(b, b',' | b';' | b'\t'))
                .count();
            assert!(
                message.len() <= 1000 + columns * (64 * 10 + 16),
                "a header error of {} bytes for {columns} columns",
                message.len()
            );
        }
    }
});
