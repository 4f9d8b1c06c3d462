//! The command line's side of reading input files: the `--max-file-size`
//! option. The reading itself (bounded, never blocking on a pipe or
//! device, not through links found by a walk) is [`crate::input::file`],
//! shared by `vblint check`, `vblint report` and `vblint fix`.

pub(crate) use crate::input::file::{Contents, NotRead, read_stdin};

/// The default `--max-file-size`: 256 MB.
pub(crate) const DEFAULT_MAX_FILE_SIZE: &str = "256M";

/// Parses a size such as `256M`, `1G`, `500K` or `1048576` (bytes).
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let upper = t.to_ascii_uppercase();
    let upper = upper.strip_suffix('B').unwrap_or(&upper);
    let (digits, shift) = match upper.chars().last() {
        Some('K') => (&upper[..upper.len() - 1], 10),
        Some('M') => (&upper[..upper.len() - 1], 20),
        Some('G') => (&upper[..upper.len() - 1], 30),
        _ => (upper, 0),
    };
    let n: u64 = digits.trim().parse().map_err(|_| {
        format!("`{t}` is not a size; write a number with K, M or G, such as 256M or 1G")
    })?;
    n.checked_mul(1 << shift)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{t}` is not a usable size; write a size such as 256M or 1G"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("500KB"), Ok(500 << 10));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }
}
