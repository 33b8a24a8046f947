//! Lenient JSON matching (DESIGN.md §4): pure, synchronous, no I/O, no text rendering.
//!
//! [`match_value`] compares an expected JSON value (as written in a scenario, with matchers
//! and `${name}` placeholders) against an actual value and returns *every* mismatch, each
//! with the JSON Pointer (RFC 6901) of the differing value in the **actual** document, what was
//! expected and what was found. It never stops at the first mismatch and never returns a bare
//! bool: an empty vector means the values match. [`normalize()`] rewrites the two documents so
//! that a textual diff shows only the mismatches; [`lint()`] finds malformed matchers at load time.
//!
//! # The rules (this is the specification)
//!
//! 1. **Objects**: every expected key must be present and match ([`MismatchKind::Missing`]
//!    otherwise); extra actual keys are allowed. Keys are never matchers.
//! 2. **Arrays** compare element by element and must have the same length
//!    ([`MismatchKind::Length`], plus the mismatches of the common prefix) — unless the first
//!    element of the expected array is one of these markers (which is not itself an element):
//!    - `"$unordered"`: the remaining elements are a multiset. The actual array must have as
//!      many elements, and expected elements are paired one-to-one with actual elements by an
//!      **optimal assignment** (Hungarian algorithm, O(n³), never greedy): first as few
//!      imperfect pairs as possible, then the least total difference. The cost of a pair is the
//!      weight of its mismatches, each weighing the number of leaves of what it expected (a
//!      missing object weighs all its fields). When no perfect pairing exists, the result is
//!      [`MismatchKind::Length`] if the counts differ, the mismatches of every imperfect pair
//!      (pointers into the actual array, at the actual element's index),
//!      [`MismatchKind::NoMatch`] (pointer: the array) for each expected element left without a
//!      partner, and [`MismatchKind::Unexpected`] for each actual element left without one.
//!    - `"$contains"`: each remaining element must match a *distinct* actual element (also an
//!      optimal assignment: two expected elements may both fit one actual element); extra
//!      actual elements are allowed. Each expected element without a perfect partner gives
//!      [`MismatchKind::NoMatch`] (pointer: the array) naming its closest candidate, followed,
//!      when both are objects or both arrays, by that candidate's own mismatches.
//!
//!    Nested markers work at any depth; the cost of an inner unordered array is its optimal
//!    cost.
//! 3. **Scalars** must be equal; numbers compare by value (`1` equals `1.0`, and any `i64`
//!    `n` equals `n as f64`).
//! 4. **Strings** starting with `$` are matchers:
//!    - `$any`: any value (including `null`), as long as it is present.
//!    - `$absent`: as the value of an object key, the key must be missing
//!      ([`MismatchKind::NotAbsent`] otherwise). Anywhere else it is a malformed expectation.
//!    - `$type:NAME` with NAME one of `string`, `number`, `integer` (a number without a
//!      fractional part, `3.0` included), `boolean`, `null`, `object`, `array`.
//!    - `$regex:PATTERN`: the actual value is a string and the pattern (Rust `regex` syntax)
//!      matches **all** of it (the pattern is anchored at both ends). No interpolation.
//!    - `$uri:PATH`: the actual value is a string whose path and query equal those of PATH;
//!      the scheme, host, port and any fragment are ignored (vendors report their own host).
//!      The authority is skipped textually (everything up to the first `/` after `//`), so the
//!      mangled URLs of vendor documentation (`"http: //192.168.83.25: 8090/api/..."`) still
//!      compare by path. PATH may itself be a whole URL and may contain `${name}`.
//!    - `${name}`: a whole-string placeholder is replaced by the variable's value *with its
//!      JSON type* and compared exactly (structurally, numbers by value; a captured string is
//!      never read as a matcher). Placeholders inside a longer string are replaced by the
//!      value's text (strings unquoted) and the result compared as literal text.
//!    - `$id:NAME`: a symbolic id — any non-empty string, reported as a [`Binding`] by
//!      [`match_with_bindings`]; `${id:NAME}` inside a longer string (or a `$uri:` path)
//!      matches the text there. Whether ids bind consistently (the same name, the same value;
//!      different names, different values) is decided over a whole scenario or golden by the
//!      caller, so the matcher itself stays pure.
//!    - `$$text` is the literal string `$text`: no matcher, no interpolation.
//!    - Anything else starting with `$` (`$anyy`, `$5`, `$type:int`, `$unordered` outside the
//!      first array position, an unclosed `${`) is a **malformed expectation**, never a
//!      literal: it gives [`MismatchKind::InvalidMatcher`] whatever the actual value, and
//!      [`lint()`] reports it at load time. An invalid `$regex:` pattern gives
//!      [`MismatchKind::Regex`] with the compiler's reason. A placeholder naming no variable
//!      gives [`MismatchKind::UndefinedVariable`].
//!
//!    Strings that do not start with `$` are plain text, except for embedded `${name}`. So
//!    literal text with `${` after its first character can only be matched by a `$regex:`
//!    (or, when it starts with `$`, by `$$`, which turns interpolation off).
//! 5. Every mismatch carries its pointer, expected (placeholders resolved, matchers as
//!    written) and actual (`None` when missing). Every pointer resolves in the actual document,
//!    except a [`MismatchKind::Missing`] one, which names a missing key of an existing object.
//!    Mismatches come in the expectation's order (object keys sorted); under `$unordered` the
//!    length problem comes first, then the imperfect pairs in expected order, then
//!    [`MismatchKind::NoMatch`], then [`MismatchKind::Unexpected`].
//! 6. Diffs are normalised to the expected: see [`normalize()`] for the exact rewriting. The
//!    normalised sides are equal exactly when there is no mismatch.

mod assign;
mod lenient;
mod lint;
mod matcher;
mod mismatch;
mod normalize;
mod pointer;
pub mod template;

pub use lenient::{Binding, match_value, match_with_bindings};
pub use lint::{MatcherProblem, MatcherProblemKind, lint};
pub(crate) use matcher::path_and_query;
pub use mismatch::{Mismatch, MismatchKind};
pub use normalize::{Normalized, normalize};
pub use pointer::{escape_token, resolve_pointer};
pub use template::{TemplateError, Vars, interpolate, interpolate_str};
