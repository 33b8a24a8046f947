//! Mismatches: structured data (pointer, expectation, actual value), never prose.
//! `report` renders them.

use serde::Serialize;
use serde_json::Value;

use super::lint::MatcherProblemKind;

/// One difference between an expected and an actual JSON value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// JSON Pointer (RFC 6901) of the differing value in the actual document.
    pub pointer: String,
    /// What was expected, as written in the scenario (placeholders resolved, `$$` literals
    /// unescaped, matchers as written); `null` for [`MismatchKind::Unexpected`].
    pub expected: Value,
    /// What was found; `None` when the key or element is missing.
    pub actual: Option<Value>,
    /// Why it does not match.
    pub kind: MismatchKind,
}

/// The reason for a [`Mismatch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MismatchKind {
    /// Values differ.
    NotEqual,
    /// An expected key or element is missing.
    Missing,
    /// A key marked `$absent` is present.
    NotAbsent,
    /// An array has the wrong number of elements.
    Length {
        /// Expected element count.
        expected: usize,
        /// Actual element count.
        actual: usize,
    },
    /// The value has the wrong JSON type for `$type:` (or for a structural comparison).
    Type {
        /// The expected type name.
        expected: String,
    },
    /// A `$regex:` did not match, or the pattern itself is invalid.
    Regex {
        /// Set when the pattern does not compile.
        invalid: Option<String>,
    },
    /// A `$uri:` path/query did not match.
    Uri,
    /// A `${name}` placeholder names no variable.
    UndefinedVariable {
        /// The variable name.
        name: String,
    },
    /// No distinct element of the actual array matches this expected element (`$contains`,
    /// or `$unordered` with too few actual elements). The pointer names the array; `actual`
    /// is the closest candidate (the one the optimal assignment gave it), if there was one.
    NoMatch {
        /// Index of the closest candidate in the actual array.
        closest: Option<usize>,
    },
    /// An element of an `$unordered` array that no expected element accounts for.
    Unexpected,
    /// The expectation itself is malformed (unknown matcher, misplaced `$unordered`,
    /// `$absent` outside an object ...); [`lint()`](crate::matching::lint()) reports the same at load time.
    InvalidMatcher {
        /// What is wrong with it.
        problem: MatcherProblemKind,
    },
}
