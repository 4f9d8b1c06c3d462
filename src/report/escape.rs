//! How names that vblint did not choose (paths, record ids, `--stdin-name`,
//! the names of authors and teams) are shown in output read by people and
//! by CI systems, and in messages.
//!
//! A name is shown as it is, except for the characters that could make it
//! pass for something else: control characters (a line break could start a
//! fake finding or a GitHub workflow command; an escape byte could drive
//! the terminal), line and paragraph separators, and the Unicode controls
//! that reorder text on screen. Each is shown as a visible escape in the
//! style of Rust string literals: `\n`, `\r`, `\t`, `\x1b` for the other
//! ASCII controls, `\u{202e}` for the rest. A backslash is left as it is,
//! since Windows paths are full of them.
//!
//! JSON, JSON Lines and SARIF need none of this: serde escapes every
//! control character, and their consumers read the exact name back.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is shown as an escape.
pub fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Appends the visible escape of `c` (one for which [`is_escaped`] holds).
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_ascii() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Appends `c`, or its visible escape when [`is_escaped`] holds.
pub fn push_char(out: &mut String, c: char) {
    if is_escaped(c) {
        push_escape(out, c);
    } else {
        out.push(c);
    }
}

/// Whether `s` has a character to escape. Names of printable ASCII are
/// passed over without decoding a character.
fn needs_escape(s: &str) -> bool {
    !s.bytes().all(|b| (0x20..0x7f).contains(&b)) && s.chars().any(is_escaped)
}

/// `s` with its control, separator and reordering characters shown as
/// escapes; borrowed when there are none.
pub fn name(s: &str) -> Cow<'_, str> {
    escape_where(s, is_escaped)
}

/// Appends [`name`]`(s)` to `buf`.
pub fn push_name(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(name(s).as_bytes());
}

/// A message for a person: like [`name`], but its line breaks are kept,
/// for messages that run over several lines on purpose. Names in a
/// message must already be escaped with [`name`].
pub fn message(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c != '\n' && is_escaped(c))
}

fn escape_where(s: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !needs_escape(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escaped(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_show_controls_as_escapes() {
        assert_eq!(name("notes/a b.txt"), "notes/a b.txt");
        assert!(matches!(name("C:\\notes\\é.txt"), Cow::Borrowed(_)));
        assert_eq!(
            name("x\n::error file=main.rs,line=1::INJECTED"),
            "x\\n::error file=main.rs,line=1::INJECTED"
        );
        assert_eq!(
            name("a\r\tb\u{1b}[31mred\u{7f}"),
            "a\\r\\tb\\x1b[31mred\\x7f"
        );
        assert_eq!(
            name("evil\u{202e}txt.exe\u{9b}\u{2028}"),
            "evil\\u{202e}txt.exe\\u{9b}\\u{2028}"
        );
        assert_eq!(name("Zoë “quoted” 😀"), "Zoë “quoted” 😀");
    }

    #[test]
    fn messages_keep_their_line_breaks() {
        assert_eq!(
            message("first line\n  second \u{1b}[2J line\r"),
            "first line\n  second \\x1b[2J line\\r"
        );
    }
}
