//! The scan's inner loops, compiled twice and chosen at run time: for any
//! x86-64 processor, and for those with AVX2 and the bit-manipulation
//! instructions (BMI1, BMI2, LZCNT, POPCNT: the x86-64-v3 level, which
//! nearly every x86-64 processor made since 2015 has).
//!
//! Normalisation, the anchor search and the splitting of words around a
//! candidate shift 64-bit masks by amounts known only at run time and
//! count their zeros, word after word. Baseline x86-64 shifts by a variable
//! amount in several micro-operations and counts trailing zeros with a test
//! for zero; BMI2 and BMI1 do each in one, and AVX encodes the SIMD code
//! with three operands.
//!
//! Both builds are the same source: the work is an `#[inline(always)]`
//! closure, inlined into [`best`] for the portable build and into a
//! function compiled for the features for the other. Every function it
//! calls that is inlined too is compiled both ways; the rest, called
//! rarely, once. The processor is asked once which build it can run.
//! Tests hold the two builds to the same results.

/// Runs `work`, an `#[inline(always)]` closure, compiled for the best
/// instructions this processor has.
#[inline(always)]
pub(super) fn best<R>(work: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if x86_64_v3::available() {
        // SAFETY: `available` has checked that this processor has every
        // feature `x86_64_v3::run` is compiled for.
        return unsafe { x86_64_v3::run(work) };
    }
    work()
}

#[cfg(target_arch = "x86_64")]
mod x86_64_v3 {
    use std::sync::LazyLock;

    /// Whether this processor has the features of [`run`], asked once.
    #[inline]
    pub(super) fn available() -> bool {
        static AVAILABLE: LazyLock<bool> = LazyLock::new(|| {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("bmi1")
                && std::arch::is_x86_feature_detected!("bmi2")
                && std::arch::is_x86_feature_detected!("lzcnt")
                && std::arch::is_x86_feature_detected!("popcnt")
        });
        *AVAILABLE
    }

    /// Runs `work` compiled with these features, on a processor that has
    /// them (only [`available`] can tell).
    #[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
    pub(super) fn run<R>(work: impl FnOnce() -> R) -> R {
        work()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use crate::lexicon::Lexicon;
    use crate::scan::context::WordList;
    use crate::scan::phrases::RawMatch;
    use crate::scan::{Scanner, Settings};
    use crate::text::Normalized;

    static SCANNER: LazyLock<Scanner> = LazyLock::new(|| {
        Scanner::new(std::sync::Arc::new(Lexicon::builtin()), Settings::default())
            .expect("the built-in lexicon compiles")
    });

    /// What the scan's inner loops make of `text`: its normalised form, the
    /// map back to the original at every offset, the phrases found, and the
    /// words of the text split for the context rules. From the portable
    /// build (`chosen` false: the inlined work called here), or from the
    /// one this processor is given (the same where it has no other).
    fn inner_loops(text: &str, chosen: bool) -> (String, Vec<usize>, Vec<RawMatch>, String) {
        let phrases = &SCANNER.inner.phrases;
        // Buffers that held another text, as reused ones do.
        let mut norm = Normalized::new("Earlier text, – “quoted” – and\n\nmore.");
        let mut raw = vec![RawMatch {
            start: 0,
            end: 0,
            phrase: 0,
        }];
        // Words appended to a list that holds some already.
        let half = (0..=text.len() / 2)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let mut words = WordList::default();
        words.extend(text, 0..half);
        let rest = half..text.len();
        if chosen {
            super::super::normalise_and_find(phrases, text, &mut norm, &mut raw);
            words.extend(text, rest);
        } else {
            norm.reset(text);
            phrases.find(norm.as_str(), &mut raw);
            words.extend_inlined(text, rest);
        }
        let map = (0..=norm.as_str().len())
            .map(|i| norm.to_original(i))
            .collect();
        (norm.as_str().to_owned(), map, raw, format!("{words:?}"))
    }

    #[test]
    fn both_builds_find_the_same_in_the_test_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
        let (mut texts, mut found) = (0, 0);
        for entry in std::fs::read_dir(dir).expect("tests/corpus") {
            let text = std::fs::read_to_string(entry.expect("an entry").path()).expect("UTF-8");
            let portable = inner_loops(&text, false);
            found += portable.2.len();
            assert_eq!(portable, inner_loops(&text, true));
            texts += 1;
        }
        // The corpus is there, and phrases were found in it.
        assert!(texts >= 10 && found >= 100, "{texts} texts, {found} found");
    }

    proptest::proptest! {
        #[test]
        fn both_builds_find_the_same(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "she", "PUT", "herself", "at", "risk", "consented", "boyfriend", "sexually",
                    "active", "county", "lines", "not", "agreed", "older", "her-", "self",
                    " ", "  ", "\n", "\n\n", "\r\n", "\t", "-", "‐", "’", "'", "“", "”", "`",
                    "é", "£", "×", "\u{ad}", "\u{a0}", "\u{2028}", "\u{feff}", ".", "21:40",
                ]),
                0..160,
            ),
        ) {
            let text: String = pieces.concat();
            proptest::prop_assert_eq!(inner_loops(&text, false), inner_loops(&text, true));
        }
    }
}
