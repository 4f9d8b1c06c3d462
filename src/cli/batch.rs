//! Batch inputs shared by `check` and `report`: CSV and JSON Lines records,
//! dip sampling and baselines.
//!
//! Records are read one by one and scanned in parallel batches; results come
//! back in input order, so output is deterministic and memory is bounded by
//! one batch whatever the size of the export.

use std::collections::HashSet;
use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use crate::input::{self, BadRecord, Record, Records};

/// Records per parallel batch.
const RECORD_BATCH: usize = 2048;
/// Bytes of text per parallel batch.
const RECORD_BATCH_BYTES: usize = 8 * 1024 * 1024;
/// The most bytes a baseline file may have (a fingerprint is about 40).
const MAX_BASELINE_BYTES: u64 = 256 << 20;

/// Options for exports, sampling and baselines.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Exports (CSV, JSON Lines)")]
pub(super) struct BatchArgs {
    /// The CSV column with text to check: its name or number (1 = first). Repeatable.
    #[arg(long, value_name = "COLUMN")]
    pub(super) csv_text_column: Vec<String>,
    /// The CSV column with the record id (shown with each finding).
    #[arg(long, value_name = "COLUMN")]
    pub(super) csv_id_column: Option<String>,
    /// The CSV separator: `,` `;` `tab` or one character (default: detected).
    #[arg(long, value_name = "CHAR")]
    pub(super) csv_delimiter: Option<String>,
    /// The CSV column naming the author (report: counts per author).
    #[arg(long, value_name = "COLUMN")]
    pub(super) csv_author_column: Option<String>,
    /// The CSV column naming the team (report: counts per team).
    #[arg(long, value_name = "COLUMN")]
    pub(super) csv_team_column: Option<String>,
    /// The CSV column with the date (report: counts per month).
    #[arg(long, value_name = "COLUMN")]
    pub(super) csv_date_column: Option<String>,
    /// The CSV column with the age of the child the record is about: the
    /// record's context for entries that apply to a child ("She is
    /// sexually active" in a record whose age column says 14).
    #[arg(long, value_name = "COLUMN")]
    pub(super) csv_age_column: Option<String>,
    /// The CSV column with the child's date of birth; with
    /// --csv-date-column, gives the child's age on the record's date.
    #[arg(long, value_name = "COLUMN", requires = "csv_date_column")]
    pub(super) csv_dob_column: Option<String>,
    /// The JSON Lines field with the age of the child the record is about.
    #[arg(long, value_name = "FIELD")]
    pub(super) json_age_field: Option<String>,
    /// The JSON Lines field with text to check (repeatable).
    #[arg(long, value_name = "FIELD")]
    pub(super) json_text_field: Vec<String>,
    /// The JSON Lines field with the record id.
    #[arg(long, value_name = "FIELD")]
    pub(super) json_id_field: Option<String>,
    /// Dip sample: check only N records (or files), picked at random.
    #[arg(long, value_name = "N", help_heading = "Sampling and baselines")]
    pub(super) sample: Option<usize>,
    /// The seed for --sample: the same seed picks the same records.
    #[arg(
        long,
        value_name = "S",
        default_value_t = 0,
        help_heading = "Sampling and baselines"
    )]
    pub(super) seed: u64,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE", help_heading = "Sampling and baselines")]
    pub(super) baseline: Option<PathBuf>,
    /// Write the fingerprints of all findings to FILE (for a later --baseline).
    #[arg(long, value_name = "FILE", help_heading = "Sampling and baselines")]
    pub(super) write_baseline: Option<PathBuf>,
}

impl BatchArgs {
    /// The reading options.
    pub(super) fn options(&self) -> Result<input::Options, String> {
        let delimiter = match self.csv_delimiter.as_deref() {
            None => None,
            Some("tab" | "\\t" | "\t") => Some(b'\t'),
            Some("comma") => Some(b','),
            Some("semicolon") => Some(b';'),
            Some(s) if s.len() == 1 => Some(s.as_bytes()[0]),
            Some(s) => {
                return Err(format!(
                    "--csv-delimiter `{s}` is not one character; write `,` `;` `tab` or another single character"
                ));
            }
        };
        Ok(input::Options {
            csv_text_columns: self.csv_text_column.clone(),
            csv_id_column: self.csv_id_column.clone(),
            csv_delimiter: delimiter,
            csv_author_column: self.csv_author_column.clone(),
            csv_team_column: self.csv_team_column.clone(),
            csv_date_column: self.csv_date_column.clone(),
            csv_age_column: self.csv_age_column.clone(),
            csv_dob_column: self.csv_dob_column.clone(),
            json_age_field: self.json_age_field.clone(),
            json_text_fields: self.json_text_field.clone(),
            json_id_field: self.json_id_field.clone(),
        })
    }

    /// Loads the baseline's fingerprints.
    pub(super) fn load_baseline(&self) -> Result<Option<HashSet<String>>, String> {
        let Some(path) = &self.baseline else {
            return Ok(None);
        };
        let text = input::read_small_text(path, MAX_BASELINE_BYTES, "baseline").map_err(|d| {
            let message = super::out::name_escaped_in(&d.message, &path.display().to_string());
            format!("{message}; create one with --write-baseline")
        })?;
        Ok(Some(
            text.lines()
                .map(|l| l.split('\t').next().unwrap_or("").trim().to_string())
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect(),
        ))
    }
}

/// A small deterministic PRNG (splitmix64): the same seed, the same sample.
pub(super) struct SplitMix64(u64);

impl SplitMix64 {
    pub(super) fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// Reservoir sampling: `n` items of a stream, each equally likely, in their
/// original order.
pub(super) struct Reservoir<T> {
    n: usize,
    seen: u64,
    rng: SplitMix64,
    items: Vec<(u64, T)>,
}

impl<T> Reservoir<T> {
    pub(super) fn new(n: usize, seed: u64) -> Reservoir<T> {
        Reservoir {
            n,
            seen: 0,
            rng: SplitMix64::new(seed),
            items: Vec::new(),
        }
    }

    pub(super) fn offer(&mut self, item: T) {
        let index = self.seen;
        self.seen += 1;
        if self.items.len() < self.n {
            self.items.push((index, item));
        } else {
            let j = self.rng.below(self.seen) as usize;
            if j < self.n {
                self.items[j] = (index, item);
            }
        }
    }

    pub(super) fn into_sorted(mut self) -> Vec<T> {
        self.items.sort_by_key(|(i, _)| *i);
        self.items.into_iter().map(|(_, t)| t).collect()
    }
}

/// What the record driver hands back, in input order.
pub(super) enum Item<T> {
    /// A scanned record's result.
    Done(T),
    /// A record that could not be read.
    Bad(BadRecord),
    /// A note about the file (such as an encoding fallback).
    Note(String),
}

/// Reads every record of `records` (or a sample), runs `work` on each in
/// parallel batches, and hands the results to `sink` in order. `sink`
/// returns `false` to stop (a closed pipe). Returns the number of records
/// read (with a sample, more than were scanned).
pub(super) fn for_each_record<T: Send>(
    records: &mut dyn Records,
    sample: Option<(usize, u64)>,
    work: impl Fn(&Record) -> T + Sync,
    mut sink: impl FnMut(Item<T>) -> bool,
) -> usize {
    let run = |batch: &mut Vec<Record>, sink: &mut dyn FnMut(Item<T>) -> bool| -> bool {
        let out: Vec<T> = batch.par_iter().map(&work).collect();
        batch.clear();
        out.into_iter().all(|t| sink(Item::Done(t)))
    };
    let notes = |records: &mut dyn Records, sink: &mut dyn FnMut(Item<T>) -> bool| -> bool {
        records
            .take_notes()
            .into_iter()
            .all(|n| sink(Item::Note(n)))
    };
    let mut read = 0usize;
    if let Some((n, seed)) = sample {
        let mut reservoir = Reservoir::new(n, seed);
        while let Some(r) = records.next_record() {
            match r {
                Ok(record) => {
                    read += 1;
                    reservoir.offer(record);
                }
                Err(bad) => {
                    if !sink(Item::Bad(bad)) {
                        return read;
                    }
                }
            }
        }
        if !notes(records, &mut sink) {
            return read;
        }
        let mut chosen = reservoir.into_sorted();
        run(&mut chosen, &mut sink);
        return read;
    }
    let mut batch = Vec::with_capacity(RECORD_BATCH);
    let mut bytes = 0;
    while let Some(r) = records.next_record() {
        match r {
            Ok(record) => {
                read += 1;
                bytes += record.fields.iter().map(|f| f.text.len()).sum::<usize>();
                batch.push(record);
                if batch.len() >= RECORD_BATCH || bytes >= RECORD_BATCH_BYTES {
                    bytes = 0;
                    if !notes(records, &mut sink) || !run(&mut batch, &mut sink) {
                        return read;
                    }
                }
            }
            Err(bad) => {
                // Keep the order: what was read before the bad record first.
                if !notes(records, &mut sink) || !run(&mut batch, &mut sink) {
                    return read;
                }
                bytes = 0;
                if !sink(Item::Bad(bad)) {
                    return read;
                }
            }
        }
    }
    if notes(records, &mut sink) {
        run(&mut batch, &mut sink);
    }
    read
}

/// Samples a list of files.
pub(super) fn sample_files<T>(files: Vec<T>, n: usize, seed: u64) -> Vec<T> {
    let mut r = Reservoir::new(n, seed);
    for f in files {
        r.offer(f);
    }
    r.into_sorted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservoir_is_stable_and_ordered() {
        let pick = |seed| {
            let mut r = Reservoir::new(3, seed);
            (0..100).for_each(|i| r.offer(i));
            r.into_sorted()
        };
        assert_eq!(pick(7), pick(7));
        assert_ne!(pick(7), pick(8));
        let p = pick(7);
        assert!(p.windows(2).all(|w| w[0] < w[1]));
    }
}
