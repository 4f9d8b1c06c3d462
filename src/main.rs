//! The `vblint` binary: parses the command line and hands over to
//! [`vblint::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = vblint::cli::Cli::parse();
    std::process::ExitCode::from(vblint::cli::run(cli) as u8)
}

/// jemalloc, where it is well supported: a run allocates and frees a
/// buffer per file on every thread, and frees on one thread what another
/// allocated (each file's findings reach the writer), which the system
/// allocator serves more slowly. Elsewhere the system allocator serves.
#[cfg(any(target_os = "linux", target_os = "macos"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
