//! The `vblint` binary: parses the command line and hands over to
//! [`vblint::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = vblint::cli::Cli::parse();
    std::process::ExitCode::from(vblint::cli::run(cli) as u8)
}
