//! The text of a plain text file: UTF-8, with or without a byte-order mark,
//! or UTF-16 (little- or big-endian) with a byte-order mark, as Windows
//! saves "Unicode text". Anything else that is not UTF-8 is refused, and
//! a file with a NUL byte near its start is taken for binary.
//!
//! Findings are found in the decoded text; [`OriginalOffsets`] turns their
//! byte offsets back into offsets in the file's own bytes, which is what
//! reports give (`start`, `end`). [`Encoding::encode`] writes a changed
//! text back in the file's encoding.

use std::borrow::Cow;
use std::io::{self, Read};

use super::file::NotRead;
use crate::diagnostic::Diagnostic;

/// How much of a file is looked at to decide that it is binary.
const BINARY_PROBE: usize = 8 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// The encoding of a text file, told by its byte-order mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 after a byte-order mark.
    Utf8Bom,
    /// UTF-16, little-endian, after a byte-order mark.
    Utf16Le,
    /// UTF-16, big-endian, after a byte-order mark.
    Utf16Be,
}

impl Encoding {
    /// The encoding the first bytes of a file announce (UTF-8 without a
    /// mark when they announce none).
    pub fn sniff(head: &[u8]) -> Encoding {
        if head.starts_with(UTF8_BOM) {
            Encoding::Utf8Bom
        } else if head.starts_with(UTF16LE_BOM) {
            Encoding::Utf16Le
        } else if head.starts_with(UTF16BE_BOM) {
            Encoding::Utf16Be
        } else {
            Encoding::Utf8
        }
    }

    /// The length of the byte-order mark.
    pub fn bom_len(self) -> usize {
        match self {
            Encoding::Utf8 => 0,
            Encoding::Utf8Bom => UTF8_BOM.len(),
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
        }
    }

    /// Whether the text is UTF-16.
    pub fn is_utf16(self) -> bool {
        matches!(self, Encoding::Utf16Le | Encoding::Utf16Be)
    }

    /// The bytes of a file in this encoding holding `text` (which has no
    /// byte-order mark): the mark, then the text.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Utf8Bom => [UTF8_BOM, text.as_bytes()].concat(),
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let mut out = Vec::with_capacity(2 + text.len() * 2);
                let le = self == Encoding::Utf16Le;
                out.extend_from_slice(if le { UTF16LE_BOM } else { UTF16BE_BOM });
                for unit in text.encode_utf16() {
                    out.extend_from_slice(&if le {
                        unit.to_le_bytes()
                    } else {
                        unit.to_be_bytes()
                    });
                }
                out
            }
        }
    }

    fn utf16(self) -> &'static encoding_rs::Encoding {
        if self == Encoding::Utf16Be {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        }
    }
}

/// The text of a file, decoded.
#[derive(Debug)]
pub struct Text<'b> {
    /// The text, without a byte-order mark.
    pub text: Cow<'b, str>,
    /// The file's encoding.
    pub encoding: Encoding,
    /// Where the text's bytes are in the file; `None` when at the same
    /// offsets (UTF-8 without a byte-order mark).
    pub offsets: Option<OriginalOffsets>,
}

/// Why bytes are not text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotText {
    /// A NUL byte near the start: a binary file.
    Binary,
    /// Not UTF-8; the offset of the first bad byte.
    NotUtf8(usize),
    /// Marked as UTF-16 but not valid UTF-16; the offset of the first bad
    /// byte.
    NotUtf16(usize),
}

impl NotText {
    /// The note or error for the file `shown`; `outcome` says what became
    /// of it ("not scanned", "not changed").
    pub fn not_read(self, shown: &str, outcome: &str) -> NotRead {
        match self {
            NotText::Binary => NotRead::Skipped(format!(
                "skipped `{shown}`: it looks like a binary file, not text"
            )),
            NotText::NotUtf8(at) => NotRead::Error(
                Diagnostic::error(format!(
                    "`{shown}` is not UTF-8 text (first bad byte at offset {at}); it was {outcome}"
                ))
                .help("save or export the file as UTF-8"),
            ),
            NotText::NotUtf16(at) => NotRead::Error(
                Diagnostic::error(format!(
                    "`{shown}` starts with a UTF-16 byte-order mark but is not UTF-16 text \
                     (first bad byte at offset {at}); it was {outcome}"
                ))
                .help("save or export the file again, as UTF-8 or as UTF-16 (\"Unicode text\")"),
            ),
        }
    }
}

/// Decodes a text file's bytes.
///
/// UTF-8 is checked with SIMD (`simdutf8`, several GB/s), in pieces on all
/// threads for a big file ([`utf8_in_pieces`]); only a file that fails it
/// is looked at again, by the standard library, for the offset of the
/// first bad byte. A UTF-16 file is decoded strictly (an unpaired
/// surrogate or an odd last byte is an error), so that writing the text
/// back gives the same bytes.
///
/// # Errors
///
/// A binary file, or bytes that are not text in their encoding.
pub fn decode(bytes: &[u8]) -> Result<Text<'_>, NotText> {
    let encoding = Encoding::sniff(bytes);
    let body = &bytes[encoding.bom_len()..];
    if encoding.is_utf16() {
        let probe = &body[..body.len().min(BINARY_PROBE) & !1];
        if probe.chunks_exact(2).any(|unit| unit == [0, 0]) {
            return Err(NotText::Binary);
        }
        let text = encoding
            .utf16()
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(|| NotText::NotUtf16(2 + first_bad_utf16(body, encoding)))?;
        let offsets = OriginalOffsets::utf16(&text, 2);
        return Ok(Text {
            text: Cow::Owned(text.into_owned()),
            encoding,
            offsets: Some(offsets),
        });
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some() {
        return Err(NotText::Binary);
    }
    let text = match utf8_in_pieces(body) {
        Some(text) => text,
        None => match simdutf8::basic::from_utf8(body) {
            Ok(text) => text,
            Err(_) => {
                let at = std::str::from_utf8(body).map_or_else(|e| e.valid_up_to(), str::len);
                return Err(NotText::NotUtf8(encoding.bom_len() + at));
            }
        },
    };
    Ok(Text {
        text: Cow::Borrowed(text),
        encoding,
        offsets: (encoding == Encoding::Utf8Bom).then(|| OriginalOffsets::after(UTF8_BOM.len())),
    })
}

/// The text of a document whose markup is extracted (HTML): UTF-8 or
/// UTF-16 after a byte-order mark, UTF-8 without one, else Windows-1252;
/// never refused (a bad sequence becomes U+FFFD).
pub fn decode_lossy(bytes: &[u8]) -> String {
    let encoding = Encoding::sniff(bytes);
    let body = &bytes[encoding.bom_len()..];
    if encoding.is_utf16() {
        let (text, _) = encoding.utf16().decode_without_bom_handling(body);
        return text.into_owned();
    }
    super::decode(body).0
}

/// The offset, in `body` (UTF-16 without its mark), of the first byte
/// that is not part of a character.
fn first_bad_utf16(body: &[u8], encoding: Encoding) -> usize {
    let unit = |i: usize| {
        let pair = [body[i], body[i + 1]];
        if encoding == Encoding::Utf16Be {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    };
    let mut i = 0;
    while i + 1 < body.len() {
        match unit(i) {
            0xD800..=0xDBFF if i + 3 < body.len() && (0xDC00..=0xDFFF).contains(&unit(i + 2)) => {
                i += 4;
            }
            0xD800..=0xDFFF => return i,
            _ => i += 2,
        }
    }
    i
}

/// Texts at least this big are checked for UTF-8 in pieces on all threads.
const UTF8_IN_PIECES_FROM: usize = 8 << 20;

/// The size of each piece [`utf8_in_pieces`] checks (about; a piece ends
/// where a character may start).
const UTF8_PIECE: usize = 1 << 20;

/// `bytes` as text if they are valid UTF-8, checked in pieces on all
/// threads; `None` when they are not, or are too few to be worth it, or
/// there is one thread.
///
/// A big file is checked whole before its pieces are scanned in parallel:
/// on one thread, this was a twentieth of a 100 MB file's scan, and the
/// part that the other threads waited for.
fn utf8_in_pieces(bytes: &[u8]) -> Option<&str> {
    use rayon::prelude::*;
    if bytes.len() < UTF8_IN_PIECES_FROM || rayon::current_num_threads() < 2 {
        return None;
    }
    // Each piece ends before a byte that is not a continuation byte
    // (`10xxxxxx`), so that valid text is never cut inside a character:
    // every byte after the first of a character's encoding is one.
    let mut cuts = vec![0];
    let mut at = UTF8_PIECE;
    while at < bytes.len() {
        let cut = (at..bytes.len())
            .find(|&i| bytes[i] & 0xC0 != 0x80)
            .unwrap_or(bytes.len());
        cuts.push(cut);
        at = cut + UTF8_PIECE;
    }
    cuts.push(bytes.len());
    cuts.dedup();
    let valid = cuts
        .par_windows(2)
        .all(|cut| simdutf8::basic::from_utf8(&bytes[cut[0]..cut[1]]).is_ok());
    // SAFETY: the pieces follow one another from the first byte to the
    // last, and each is valid UTF-8; valid UTF-8 followed by valid UTF-8
    // is valid UTF-8.
    valid.then(|| unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// Where the bytes of a decoded text are in the original bytes it was
/// decoded from: after a byte-order mark, and, for UTF-16, at two bytes
/// per UTF-16 code unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginalOffsets {
    /// Bytes before the text (a byte-order mark).
    skipped: usize,
    /// For UTF-16: the number of code units before each [`MARK_EVERY`]
    /// bytes of the text. `None` for UTF-8.
    utf16_marks: Option<Vec<usize>>,
}

/// How often [`OriginalOffsets`] notes the count of UTF-16 code units, in
/// bytes of the decoded text: at most this many are counted per offset.
const MARK_EVERY: usize = 4096;

impl OriginalOffsets {
    /// A text that starts `skipped` bytes into the original, with the same
    /// bytes.
    pub fn after(skipped: usize) -> OriginalOffsets {
        OriginalOffsets {
            skipped,
            utf16_marks: None,
        }
    }

    /// A text decoded from UTF-16 that started `skipped` bytes into the
    /// original (after a byte-order mark, or 0 for a field of a record).
    pub fn utf16(text: &str, skipped: usize) -> OriginalOffsets {
        let mut marks = Vec::with_capacity(text.len() / MARK_EVERY + 1);
        let mut units = 0;
        for piece in text.as_bytes().chunks(MARK_EVERY) {
            marks.push(units);
            units += utf16_units(piece);
        }
        OriginalOffsets {
            skipped,
            utf16_marks: Some(marks),
        }
    }

    /// The offset in the original bytes of byte `offset` of `text` (the
    /// text these offsets were made for; `offset` on a character boundary).
    pub fn original(&self, text: &str, offset: usize) -> usize {
        let Some(marks) = &self.utf16_marks else {
            return self.skipped + offset;
        };
        let k = offset / MARK_EVERY;
        let before = marks.get(k).copied().unwrap_or(0);
        let from = (k * MARK_EVERY).min(offset);
        self.skipped + 2 * (before + utf16_units(&text.as_bytes()[from..offset]))
    }
}

/// The number of UTF-16 code units of the UTF-8 `bytes` (whole
/// characters): one per character, two for one outside the Basic
/// Multilingual Plane (four bytes in UTF-8).
fn utf16_units(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// A reader of UTF-16 bytes (after the byte-order mark) that gives UTF-8:
/// exports are streamed through it, so that records are read with bounded
/// memory whatever their encoding. A bad sequence becomes U+FFFD, one
/// code unit as in the original.
pub(crate) struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Box<[u8]>,
    out: Vec<u8>,
    at: usize,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    /// Reads UTF-16 in `encoding` from `inner`, whose mark was read.
    pub(crate) fn new(inner: R, encoding: Encoding) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            decoder: encoding.utf16().new_decoder_without_bom_handling(),
            raw: vec![0; 64 * 1024].into_boxed_slice(),
            out: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            let room = self
                .decoder
                .max_utf8_buffer_length(n)
                .ok_or_else(|| io::Error::other("a piece of text too long to decode"))?;
            self.out.resize(room, 0);
            let (_, read, written, _) =
                self.decoder
                    .decode_to_utf8(&self.raw[..n], &mut self.out, last);
            debug_assert_eq!(read, n, "the buffer holds any decoded piece");
            self.out.truncate(written);
            self.at = 0;
            self.done = last;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        Encoding::Utf16Le.encode(text)
    }

    #[test]
    fn utf8_with_and_without_a_mark() {
        let t = decode(b"abc").unwrap();
        assert_eq!(
            (t.text.as_ref(), t.encoding, t.offsets),
            ("abc", Encoding::Utf8, None)
        );
        let t = decode(b"\xEF\xBB\xBFabc").unwrap();
        assert_eq!(t.text, "abc");
        assert_eq!(t.encoding.encode(&t.text), b"\xEF\xBB\xBFabc");
        assert_eq!(t.offsets.unwrap().original("abc", 1), 4);
        assert_eq!(decode(b"ab\xFFc").unwrap_err(), NotText::NotUtf8(2));
        assert_eq!(
            decode(b"\xEF\xBB\xBFab\xFF").unwrap_err(),
            NotText::NotUtf8(5)
        );
        assert_eq!(decode(b"ab\0c").unwrap_err(), NotText::Binary);
    }

    #[test]
    fn utf16_decodes_and_encodes_back_byte_for_byte() {
        let text = "Zoë 😀 – “risk”\r\nline two";
        for encoding in [Encoding::Utf16Le, Encoding::Utf16Be] {
            let bytes = encoding.encode(text);
            let t = decode(&bytes).unwrap();
            assert_eq!(t.text, text);
            assert_eq!(t.encoding, encoding);
            assert_eq!(encoding.encode(&t.text), bytes);
        }
    }

    #[test]
    fn utf16_offsets_are_those_of_the_file() {
        // Long enough to cross several marks, with characters of every
        // UTF-8 length.
        let text = "a é – 😀 ".repeat(2000);
        let bytes = utf16le(&text);
        let t = decode(&bytes).unwrap();
        let offsets = t.offsets.unwrap();
        for (i, c) in text.char_indices().step_by(7) {
            let at = offsets.original(&text, i);
            let unit = if c.len_utf16() == 1 { 2 } else { 4 };
            let expected = utf16le(&c.to_string());
            assert_eq!(&bytes[at..at + unit], &expected[2..], "at {i}");
        }
        assert_eq!(offsets.original(&text, text.len()), bytes.len());
    }

    #[test]
    fn bad_utf16_is_refused_where_it_goes_wrong() {
        let mut bytes = utf16le("ab");
        bytes.extend_from_slice(&0xD800u16.to_le_bytes());
        bytes.extend_from_slice(&utf16le("c")[2..]);
        assert_eq!(decode(&bytes).unwrap_err(), NotText::NotUtf16(6));
        let mut odd = utf16le("ab");
        odd.push(b'c');
        assert_eq!(decode(&odd).unwrap_err(), NotText::NotUtf16(6));
        let mut binary = utf16le("ab");
        binary.extend_from_slice(&[0, 0, 1, 2]);
        assert_eq!(decode(&binary).unwrap_err(), NotText::Binary);
    }

    #[test]
    fn the_utf16_reader_gives_utf8_across_pieces() {
        let text = "Zoë 😀 ".repeat(40_000);
        for encoding in [Encoding::Utf16Le, Encoding::Utf16Be] {
            let bytes = encoding.encode(&text);
            let mut out = String::new();
            Utf16Reader::new(&bytes[2..], encoding)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
    }

    #[test]
    fn big_texts_are_checked_for_utf8_in_pieces_as_whole() {
        // Two threads even on a machine with one core, so that pieces are
        // checked in parallel.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(big_texts_are_checked_for_utf8_in_pieces);
    }

    fn big_texts_are_checked_for_utf8_in_pieces() {
        // Characters of one to four bytes, so that pieces end inside them.
        let text = "a é – 😀 ".repeat(UTF8_IN_PIECES_FROM / 8 + 1000);
        let bytes = text.as_bytes();
        assert_eq!(utf8_in_pieces(bytes), Some(text.as_str()));
        // Too small: left to the check of the whole.
        assert_eq!(utf8_in_pieces(&bytes[..UTF8_IN_PIECES_FROM - 1]), None);
        // A bad byte anywhere, including just before and after a piece's
        // end, and a character cut short at the end.
        let cut = (UTF8_PIECE..)
            .find(|&i| bytes[i] & 0xC0 != 0x80)
            .expect("a cut");
        for at in [0, cut - 1, cut, cut + 1, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.to_vec();
            bad[at] = 0xFF;
            assert_eq!(utf8_in_pieces(&bad), None, "a bad byte at {at}");
        }
        let short = bytes.len() - " ".len() - "😀".len() + 2;
        assert!(std::str::from_utf8(&bytes[..short]).is_err());
        assert_eq!(utf8_in_pieces(&bytes[..short]), None);
    }
}
