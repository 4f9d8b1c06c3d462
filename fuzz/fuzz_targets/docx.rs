//! Arbitrary bytes as a Word document, read through `input::read`: never a
//! panic, and the text of a document read within a limit is bounded by it.
//!
//! The first byte picks the shape: bit 0 takes the rest as the whole file
//! (arbitrary zip bytes); otherwise the rest is `word/document.xml`, packed
//! stored (bit 1) or deflated, with (bit 2) its uncompressed size in both
//! zip headers rewritten to claim 16 bytes, as a hostile file may; bit 3
//! reads with a 256-byte limit instead of 1 MiB.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use vblint::input::{Input, Kind};

#[path = "common.rs"]
mod common;
#[path = "input.rs"]
mod input;

/// Rewrites the uncompressed size of `name` in the local header (`PK\3\4`,
/// size at 22, name at 30) and the central directory (`PK\1\2`, size at 24,
/// name at 46) to `claim`.
fn lie_about_size(zip: &mut [u8], name: &[u8], claim: u32) {
    for (signature, size_at, name_at) in [(b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)] {
        let Some(last) = zip.len().checked_sub(name_at + name.len()) else {
            return;
        };
        if let Some(at) = (0..last)
            .find(|&i| zip[i..].starts_with(signature) && zip[i + name_at..].starts_with(name))
        {
            zip[at + size_at..at + size_at + 4].copy_from_slice(&claim.to_le_bytes());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let file = if flags & 1 != 0 {
        rest.to_vec()
    } else {
        let name = "word/document.xml";
        let method = if flags & 2 != 0 {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        zip.start_file(name, options).unwrap();
        zip.write_all(rest).unwrap();
        let mut bytes = zip.finish().unwrap().into_inner();
        if flags & 4 != 0 {
            lie_about_size(&mut bytes, name.as_bytes(), 16);
        }
        bytes
    };
    let max: u64 = if flags & 8 != 0 { 256 } else { 1 << 20 };
    let text = match input::read(&file, "docx", Kind::Docx, max) {
        Ok(Input::Extracted(text)) => text,
        Ok(_) => panic!("a Word document read as something else"),
        Err(_) => return,
    };
    // The unpacked XML is at most `max` bytes; its text can grow only by
    // entities (4 bytes or more each, 4 bytes at most of text).
    let max = usize::try_from(max).unwrap();
    assert!(
        text.len() <= 2 * max,
        "{} bytes of text from a document read within {max} bytes",
        text.len()
    );
    for f in common::scanner().scan(&text) {
        assert!(f.span.start < f.span.end && f.span.end <= text.len());
    }
});
