//! The command line (DESIGN.md §2): clap definitions ([`args`]), the validated configuration
//! they become ([`config`]), and the conversion between them ([`resolve`]), which is the only
//! code that reads environment variables.

mod args;
mod config;
mod resolve;

pub use args::*;
pub use config::*;
