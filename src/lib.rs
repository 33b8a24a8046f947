//! gws-contract: a record-and-replay contract test harness for Genesys Web Services (GWS).
//!
//! Scenarios (YAML) describe what several actors do over HTTP and which CometD notifications
//! each of them must then receive. The runner executes them against a target server (by
//! default the built-in reference server) and reports every difference with its JSON Pointer.
//!
//! Architecture (see `DESIGN.md` §8), dependencies point downwards only:
//!
//! ```text
//! main → cli → app ─┬─ scenario   (model, YAML loading with file:line:col, validation)
//!                   └─ suite ─┬─ runner ── transport (per-actor HTTP) ─ bayeux (CometD client)
//!                             │    → Transcript (observation only)
//!                             ├─ verdict  (pure judges: inline contract, golden) → outcome
//!                             ├─ golden   (record, rules, symbols, diff, store)
//!                             └─ report   (sinks; the only module that renders text)
//!                   server     (reference GWS simulator and `--replay` playback of goldens;
//!                               never imports runner/report)
//!                   proxy      (live-traffic recorder: transcript → golden + scenario)
//! ```
//!
//! The flow is one way: config → runner → transcript → judges → outcome → sinks. Results are
//! plain data (`verdict::ScenarioOutcome`); only [`report`] turns them into text.

pub mod app;
pub mod atomic;
pub mod bayeux;
pub mod cli;
pub mod cookies;
pub mod elide;
pub mod error;
pub mod error_chain;
pub mod golden;
pub mod limits;
pub mod matching;
pub mod open_files;
pub mod profile;
pub mod proxy;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod sendable;
pub mod server;
pub mod suite;
pub mod target;
pub mod transport;
pub mod verdict;
