//! JSON Lines exports: one JSON object per line, read line by line (as
//! UTF-8, after any byte-order mark; a UTF-16 export is converted as it is
//! read, see [`super::Export`]).

use std::io::BufRead;

use serde_json::Value;

use super::{BadRecord, Encoding, Field, Meta, Options, OriginalOffsets, Record, Records};

/// Reads records from a JSON Lines file.
pub struct JsonlRecords {
    reader: Box<dyn BufRead + Send>,
    /// The export's encoding (field offsets are mapped back for UTF-16).
    encoding: Encoding,
    options: Options,
    line: usize,
    number: usize,
    buf: Vec<u8>,
    done: bool,
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

impl JsonlRecords {
    /// Reads the JSON Lines file `shown` from `reader` (UTF-8, after any
    /// byte-order mark).
    ///
    /// # Errors
    ///
    /// No text field was named.
    pub fn new(
        mut reader: Box<dyn BufRead + Send>,
        shown: String,
        encoding: Encoding,
        options: &Options,
    ) -> Result<JsonlRecords, String> {
        if options.json_text_fields.is_empty() {
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let keys = match serde_json::from_str::<Value>(&first) {
                Ok(Value::Object(m)) => m.keys().cloned().collect::<Vec<_>>().join(", "),
                _ => "(the first line is not a JSON object)".to_string(),
            };
            return Err(format!(
                "`{shown}` is a JSON Lines file: say which field holds the text to check, \
                 for example `--json-text-field text`.\n  the first record's fields are: {keys}"
            ));
        }
        Ok(JsonlRecords {
            reader,
            encoding,
            options: options.clone(),
            line: 0,
            number: 0,
            buf: Vec::new(),
            done: false,
        })
    }
}

impl Records for JsonlRecords {
    fn next_record(&mut self) -> Option<Result<Record, BadRecord>> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(BadRecord {
                        line: self.line + 1,
                        number: self.number + 1,
                        reason: format!("reading stopped: {}", crate::input::io_reason(&e)),
                        fatal: true,
                    }));
                }
            }
            self.line += 1;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.number += 1;
            let raw = String::from_utf8_lossy(&self.buf).into_owned();
            let object = match serde_json::from_str::<Value>(&raw) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    return Some(Err(BadRecord {
                        line: self.line,
                        number: self.number,
                        reason: "this line is not a JSON object; it was skipped".into(),
                        fatal: false,
                    }));
                }
                Err(e) => {
                    return Some(Err(BadRecord {
                        line: self.line,
                        number: self.number,
                        reason: format!("this line is not valid JSON ({e}); it was skipped"),
                        fatal: false,
                    }));
                }
            };
            let mut fields = Vec::new();
            for name in &self.options.json_text_fields {
                let Some(text) = object.get(name).and_then(value_text) else {
                    continue;
                };
                // Where the value's text starts on the line (after `"name":"`).
                let key = format!("\"{name}\"");
                let column = raw
                    .find(&key)
                    .and_then(|k| {
                        raw[k + key.len()..]
                            .find('"')
                            .map(|q| k + key.len() + q + 1)
                    })
                    .map_or(1, |b| raw[..b].chars().count() + 1);
                let offsets = self
                    .encoding
                    .is_utf16()
                    .then(|| OriginalOffsets::utf16(&text, 0));
                fields.push(Field {
                    name: name.clone(),
                    text,
                    line: self.line,
                    column,
                    offsets,
                });
            }
            let get =
                |f: &Option<String>| f.as_ref().and_then(|f| object.get(f)).and_then(value_text);
            let id = get(&self.options.json_id_field).unwrap_or_else(|| self.number.to_string());
            return Some(Ok(Record {
                number: self.number,
                id,
                fields,
                meta: Meta {
                    age: get(&self.options.json_age_field)
                        .as_deref()
                        .and_then(super::age::parse_age),
                    ..Meta::default()
                },
            }));
        }
    }

    fn take_notes(&mut self) -> Vec<String> {
        Vec::new()
    }
}
