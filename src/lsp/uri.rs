//! `file:` URIs <-> paths.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The path of a `file:` URI; `None` for other schemes.
pub(crate) fn to_path(uri: &Uri) -> Option<PathBuf> {
    str_to_path(uri.as_str())
}

fn str_to_path(s: &str) -> Option<PathBuf> {
    let rest = s.strip_prefix("file://")?;
    // An authority of `localhost` (or nothing) means this machine.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = percent_decode(rest)?;
    let decoded = String::from_utf8(bytes).ok()?;
    // `file:///C:/x` is `C:/x` on Windows.
    let b = decoded.as_bytes();
    if cfg!(windows) && b.len() >= 3 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `file:` URI of an absolute path.
pub(crate) fn from_path(path: &Path) -> Option<Uri> {
    let s = path.to_str()?;
    let s = if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.to_string()
    };
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let p = Path::new("/tmp/a b/café #1.md");
        let u = from_path(p).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/a%20b/caf%C3%A9%20%231.md");
        assert_eq!(to_path(&u).unwrap(), p);
        let u: Uri = "file://localhost/x/y.txt".parse().unwrap();
        assert_eq!(to_path(&u).unwrap(), Path::new("/x/y.txt"));
        let u: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(to_path(&u), None);
    }
}
