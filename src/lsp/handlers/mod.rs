//! One module per request or group of notifications; each adds methods to
//! [`super::server::Server`], called by [`super::dispatch`].

mod code_action;
mod configuration;
mod diagnostics_pull;
mod execute_command;
mod hover;
mod lifecycle;
mod text_sync;

pub(crate) use execute_command::{DISABLE_COMMAND, EXPLAIN_COMMAND, IGNORE_COMMAND};
