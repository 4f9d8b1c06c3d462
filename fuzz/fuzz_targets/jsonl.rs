//! Arbitrary bytes as a JSON Lines export, read through `input::read`:
//! never a panic; record numbers and lines go forward; at most 21
//! bad-record messages, each short; every text field scans with spans in
//! bounds.
//!
//! The first byte picks the options: bits 0-1 the text fields, bit 2 an id
//! field, bit 3 a small size limit.
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
        json_text_fields: match flags & 3 {
            0 => vec!["text".into()],
            1 => vec!["notes".into(), "text".into()],
            2 => vec!["a".into()],
            _ => vec![String::new()],
        },
        json_id_field: (flags & 4 != 0).then(|| "id".into()),
        ..Options::default()
    };
    let max = if flags & 8 != 0 { 64 } else { 1 << 20 };
    let Ok(Input::Export(export)) = input::read(bytes, "jsonl", Kind::Jsonl, max) else {
        return;
    };
    if let Ok(mut records) = export.records(&options) {
        input::drain(records.as_mut());
    }
});
