//! The `vblint` binary: parses the command line and hands over to
//! [`vblint::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = vblint::cli::Cli::parse();
    if cli.is_language_server() {
        return_freed_memory_at_once();
    }
    std::process::ExitCode::from(vblint::cli::run(cli) as u8)
}

/// The language server stays up beside an editor for hours, and a large
/// document passes through several threads (read, scanned, answered), each
/// of which would keep the memory it freed for its own later use: the
/// server gives freed memory back to the system at once instead. With a
/// 5 MB note of 85,000 findings, its peak is then about 43 MiB rather than
/// 70 MiB. `vblint check` keeps jemalloc's default, which is faster for a
/// run that allocates the same buffers file after file.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn return_freed_memory_at_once() {
    use std::ffi::{CString, c_void};
    use std::ptr::null_mut;
    let set = |name: &str| {
        let Ok(name) = CString::new(name) else {
            return;
        };
        let mut zero: isize = 0;
        // SAFETY: every name set here is an `ssize_t` setting, written from
        // `zero` (of that size); nothing is read back.
        unsafe {
            tikv_jemalloc_sys::mallctl(
                name.as_ptr(),
                null_mut(),
                null_mut(),
                (&raw mut zero).cast::<c_void>(),
                size_of::<isize>(),
            );
        }
    };
    // The arenas made from now on, and those made already (only some of
    // the numbers are in use; setting another fails harmlessly).
    set("arenas.dirty_decay_ms");
    let mut narenas: u32 = 0;
    let mut len = size_of::<u32>();
    // SAFETY: `arenas.narenas` is an `unsigned`, read into `narenas` (of
    // that size, `len` says so); nothing is written.
    let read = unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arenas.narenas".as_ptr(),
            (&raw mut narenas).cast::<c_void>(),
            &raw mut len,
            null_mut(),
            0,
        )
    };
    if read == 0 {
        for i in 0..narenas {
            set(&format!("arena.{i}.dirty_decay_ms"));
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn return_freed_memory_at_once() {}

/// jemalloc, where it is well supported: a run allocates and frees a
/// buffer per file on every thread, and frees on one thread what another
/// allocated (each file's findings reach the writer), which the system
/// allocator serves more slowly. Elsewhere the system allocator serves.
#[cfg(any(target_os = "linux", target_os = "macos"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
