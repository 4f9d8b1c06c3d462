//! Lexicon validation beyond what loading checks.
