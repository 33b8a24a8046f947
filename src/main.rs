//! The `gws-contract` binary: parse arguments, run, exit with the documented code.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Parser;
use gws_contract::app::{self, SharedWriter};
use gws_contract::cli::Cli;

fn main() -> ExitCode {
    let out: SharedWriter = Arc::new(Mutex::new(std::io::stdout()));
    let err: SharedWriter = Arc::new(Mutex::new(std::io::stderr()));
    let exit = match Cli::parse().into_invocation() {
        Ok(invocation) => app::run_with(invocation, &out, &err),
        Err(error) => {
            app::report_error(&err, &error);
            error.exit_code()
        }
    };
    ExitCode::from(exit)
}
