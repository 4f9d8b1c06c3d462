//! Arbitrary bytes as an HTML export, read through `input::read`: never a
//! panic, the text is at most three times the file's size (bad bytes,
//! entities and block tags are the only things that grow), and it scans
//! with spans in bounds. Linear time is checked by running with `-timeout`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vblint::input::{Input, Kind};

#[path = "common.rs"]
mod common;
#[path = "input.rs"]
mod input;

fuzz_target!(|data: &[u8]| {
    let text = match input::read(data, "html", Kind::Html, 1 << 20) {
        Ok(Input::Extracted(text)) => text,
        Ok(_) => panic!("an HTML file read as something else"),
        Err(_) => return,
    };
    // Lossy decoding turns a bad byte into U+FFFD (3 bytes); a block tag
    // of 3 bytes or more becomes one line break; an entity of 4 bytes or
    // more becomes at most 6 bytes.
    assert!(
        text.len() <= 3 * data.len(),
        "{} bytes of HTML became {} bytes of text",
        data.len(),
        text.len()
    );
    for f in common::scanner().scan(&text) {
        assert!(f.span.start < f.span.end && f.span.end <= text.len());
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
    }
});
