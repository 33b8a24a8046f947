//! Lenient JSON matching (DESIGN.md §4): pure, synchronous, no I/O.
//!
//! [`match_value`] compares an expected JSON value (as written in a scenario, with matchers
//! and `${name}` placeholders) against an actual value and returns *every* mismatch, each
//! with its JSON Pointer. It never stops at the first mismatch and never returns a bare bool.
//!
//! The rules, which are the specification of this module:
//! 1. Objects: every expected key must be present and match; extra actual keys are allowed.
//! 2. Arrays: same length, compared element by element.
//! 3. Scalars: equal; numbers compare by value (`1` equals `1.0`).
//! 4. Strings are matchers when they start with `$`: `$any` (any value, key must exist),
//!    `$absent` (key must be missing), `$type:NAME` (`string|number|integer|boolean|null|
//!    object|array`), `$regex:PATTERN` (whole-string match), `$uri:PATH` (a URL whose path and
//!    query equal PATH; scheme, host and port ignored), `${name}` (a variable, whole or inside
//!    a string), and `$$` to escape a literal leading `$`.

mod lenient;
mod mismatch;
mod pointer;
pub mod template;

pub use lenient::match_value;
pub use mismatch::{Mismatch, MismatchKind};
pub use pointer::{escape_token, resolve_pointer};
pub use template::{TemplateError, Vars, interpolate, interpolate_str};
