//! Minimal entry point on the `lsp` branch: `vblint lsp` runs the language
//! server. The lead's CLI replaces this when merging.

fn main() -> std::process::ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("lsp") => match vblint::lsp::run() {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("vblint lsp: {e:#}");
                std::process::ExitCode::from(1)
            }
        },
        _ => {
            eprintln!("usage: vblint lsp");
            std::process::ExitCode::from(2)
        }
    }
}
