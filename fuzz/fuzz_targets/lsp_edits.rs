//! Arbitrary incremental edits (UTF-16 or UTF-8 ranges, possibly reversed
//! or out of range, inserting CRLF, lone CR, emoji, ZWJ sequences, combining
//! marks and arbitrary chars) applied to the server's `Document` and to a
//! shadow `String` through an independent reference that converts positions
//! by walking chars. After every edit the texts (and the line index) must
//! agree; then the diagnostic ranges the server would send for the final
//! text must convert back to each finding's byte span, on char boundaries.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};
use vblint::lsp::document::Document;
use vblint::lsp::position::{Encoding, LineIndex};

#[path = "common.rs"]
mod common;

const PIECES: &[&str] = &[
    "a",
    "b",
    " ",
    "\n",
    "\r",
    "\r\n",
    "é",
    "e\u{301}",
    "😢",
    "👩\u{200d}👧",
    "“",
    "’",
    "\u{FEFF}",
    "\u{10FFFF}",
    "ß",
    "\u{AD}",
    "-",
    "child prostitute",
    "boyfriend",
    "consented",
    "putting herself at risk",
    "risk-taking",
    "CONSENT",
    "'",
];

fn text(u: &mut Unstructured<'_>) -> Result<String> {
    let n = u.int_in_range(0..=12u8)?;
    let mut s = String::new();
    for _ in 0..n {
        if u.ratio(1, 6)? {
            s.push(u.arbitrary::<char>()?);
        } else {
            s.push_str(u.choose(PIECES)?);
        }
    }
    Ok(s)
}

fn is_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// The reference: the byte offset of `pos`, walking chars. Lines end at
/// `\n`, `\r\n` or a lone `\r`; a line past the end is the end of the text;
/// a column past the end of its line is the line's end (before its
/// terminator); a column inside a char is that char's start.
fn ref_offset(text: &str, pos: Position, utf8: bool) -> usize {
    let mut chars = text.char_indices().peekable();
    for _ in 0..pos.line {
        loop {
            match chars.next() {
                None => return text.len(),
                Some((_, '\n')) => break,
                Some((_, '\r')) => {
                    if let Some(&(_, '\n')) = chars.peek() {
                        chars.next();
                    }
                    break;
                }
                Some(_) => {}
            }
        }
    }
    let mut units = 0usize;
    for (o, c) in chars {
        let w = if utf8 { c.len_utf8() } else { c.len_utf16() };
        if is_break(c) || units + w > pos.character as usize {
            return o;
        }
        units += w;
    }
    text.len()
}

/// The reference: the position of byte `offset` (a char boundary).
fn ref_position(text: &str, offset: usize, utf8: bool) -> Position {
    let (mut line, mut col) = (0u32, 0u32);
    let mut prev = '\0';
    for (o, c) in text.char_indices() {
        if o >= offset {
            break;
        }
        if c == '\n' && prev == '\r' {
            // The second half of a CRLF: still the same line break.
        } else if is_break(c) {
            line += 1;
            col = 0;
        } else {
            col += if utf8 { c.len_utf8() } else { c.len_utf16() } as u32;
        }
        prev = c;
    }
    Position {
        line,
        character: col,
    }
}

fn position(u: &mut Unstructured<'_>, lines: u32) -> Result<Position> {
    let line = if u.ratio(1, 16)? {
        u.arbitrary()?
    } else {
        u.int_in_range(0..=lines + 1)?
    };
    let character = if u.ratio(1, 16)? {
        u.arbitrary()?
    } else {
        u.int_in_range(0..=40u32)?
    };
    Ok(Position { line, character })
}

fn changes(
    u: &mut Unstructured<'_>,
    shadow: &mut String,
    lines: u32,
    utf8: bool,
) -> Result<Vec<TextDocumentContentChangeEvent>> {
    let mut changes = Vec::new();
    for _ in 0..u.int_in_range(1..=3u8)? {
        let new_text = text(u)?;
        if u.ratio(1, 20)? {
            *shadow = new_text.clone();
            changes.push(TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: new_text,
            });
            continue;
        }
        let (start, end) = (position(u, lines)?, position(u, lines)?);
        let a = ref_offset(shadow, start, utf8);
        let b = ref_offset(shadow, end, utf8);
        shadow.replace_range(a.min(b)..a.max(b), &new_text);
        changes.push(TextDocumentContentChangeEvent {
            range: Some(Range { start, end }),
            range_length: None,
            text: new_text,
        });
    }
    Ok(changes)
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let utf8 = u.arbitrary::<bool>()?;
    let enc = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let initial = text(&mut u)?;
    let mut shadow = initial.clone();
    let mut doc = Document::new(
        "file:///vblint-fuzz/a.txt".parse().unwrap(),
        "plaintext".into(),
        1,
        initial,
    );
    while !u.is_empty() {
        let lines = shadow.split(['\n', '\r']).count() as u32;
        // Out of input half-way through a change: stop before applying it.
        let Ok(changes) = changes(&mut u, &mut shadow, lines, utf8) else {
            break;
        };
        let shown = format!("{changes:?}");
        doc.apply(changes, enc);
        assert_eq!(doc.text, shadow, "after {shown}");
        assert!(
            doc.index == LineIndex::new(&doc.text),
            "stale line index after {shown}"
        );
    }
    // The diagnostics the server would send for the final text.
    let text = &doc.text;
    let mut cursor = doc.index.cursor(text, enc);
    for f in common::scanner().scan(text) {
        let range = cursor.range(f.span.clone());
        assert_eq!(
            range.start,
            ref_position(text, f.span.start, utf8),
            "{text:?} {f:?}"
        );
        assert_eq!(
            range.end,
            ref_position(text, f.span.end, utf8),
            "{text:?} {f:?}"
        );
        for (p, want) in [(range.start, f.span.start), (range.end, f.span.end)] {
            let back = ref_offset(text, p, utf8);
            assert!(text.is_char_boundary(back));
            assert_eq!(back, want, "{text:?} {f:?} {range:?}");
            assert_eq!(doc.index.offset(text, p, enc), want);
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
