//! The lenient matcher: walks expected and actual together and collects every mismatch. The
//! same walk, with a sink that only adds up costs, prices each expected/actual element pair
//! for the optimal assignment behind `$unordered` and `$contains`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::assign::min_cost_assignment;
use super::lint::MatcherProblemKind;
use super::matcher::{self, ABSENT, CONTAINS, Matcher, UNORDERED};
use super::mismatch::{Mismatch, MismatchKind};
use super::pointer::escape_token;
use super::template::{IdTemplate, Vars, interpolate_str};

/// Compares `expected` (with matchers and placeholders) against `actual`.
/// Returns every mismatch; an empty vector means the values match.
pub fn match_value(expected: &Value, actual: &Value, vars: &Vars) -> Vec<Mismatch> {
    match_with_bindings(expected, actual, vars).0
}

/// Where a symbolic id (`$id:NAME`, or `${id:NAME}` inside a string) matched, and the value
/// it matched there. Whether ids bind consistently is decided over a whole scenario, so the
/// matcher only reports them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Binding {
    /// The id's name.
    pub name: String,
    /// The value it matched.
    pub value: String,
    /// Where, as a JSON Pointer into the actual document.
    pub pointer: String,
}

/// [`match_value`], also returning every symbolic id it matched, in document order.
pub fn match_with_bindings(expected: &Value, actual: &Value, vars: &Vars) -> (Vec<Mismatch>, Vec<Binding>) {
    let ctx = Ctx::new(vars);
    let mut sink = Collect(Vec::new());
    ctx.walk(expected, actual, &mut String::new(), &mut sink);
    (sink.0, ctx.bindings.into_inner())
}

/// What one comparison needs besides the two values: the variables, and the `$regex:`
/// patterns compiled so far (an assignment compares every pair, so each pattern would
/// otherwise be compiled n·m times).
pub(crate) struct Ctx<'e> {
    vars: &'e Vars,
    regexes: RefCell<HashMap<&'e str, Result<regex::Regex, String>>>,
    /// Symbolic ids matched by detailed walks (cost walks do not record them).
    bindings: RefCell<Vec<Binding>>,
    /// Templates with symbolic ids, compiled once per comparison.
    templates: RefCell<HashMap<&'e str, Result<Option<IdTemplate>, String>>>,
}

/// Receives mismatches. `Collect` keeps them; `Cost` only adds up their weights, so pricing
/// a pair for an assignment neither clones values nor builds pointers.
pub(crate) trait Sink {
    /// Whether mismatches (and pointers) are wanted, or only their total weight.
    const DETAIL: bool;
    /// Records one mismatch of the given weight (at least 1).
    fn push(&mut self, weight: impl FnOnce() -> u64, build: impl FnOnce() -> Mismatch);
    /// Adds a weight already known from a cost matrix, without a mismatch behind it; only
    /// cost sinks count it (detail sinks get the mismatches themselves).
    fn add_weight(&mut self, weight: u64);
}

struct Collect(Vec<Mismatch>);

impl Sink for Collect {
    const DETAIL: bool = true;
    fn push(&mut self, _weight: impl FnOnce() -> u64, build: impl FnOnce() -> Mismatch) {
        self.0.push(build());
    }
    fn add_weight(&mut self, _weight: u64) {}
}

struct Cost(u64);

impl Sink for Cost {
    const DETAIL: bool = false;
    fn push(&mut self, weight: impl FnOnce() -> u64, _build: impl FnOnce() -> Mismatch) {
        self.0 = self.0.saturating_add(weight().max(1));
    }
    fn add_weight(&mut self, weight: u64) {
        self.0 = self.0.saturating_add(weight);
    }
}

/// How an expected array is compared, decided by its first element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArrayMode {
    Ordered,
    Unordered,
    Contains,
}

/// The expected array's mode and its elements without the marker.
pub(crate) fn array_mode(expected: &[Value]) -> (ArrayMode, &[Value]) {
    match expected.first().and_then(Value::as_str) {
        Some(UNORDERED) => (ArrayMode::Unordered, &expected[1..]),
        Some(CONTAINS) => (ArrayMode::Contains, &expected[1..]),
        _ => (ArrayMode::Ordered, expected),
    }
}

/// The optimal pairing of expected elements with actual elements.
pub(crate) struct Pairing {
    /// `(expected index, actual index, cost)`, in expected order.
    pub(crate) pairs: Vec<(usize, usize, u64)>,
    /// Expected elements left without a partner (more expected than actual elements).
    pub(crate) lone_expected: Vec<usize>,
    /// For each actual element, the expected element paired with it.
    pub(crate) partner_of_actual: Vec<Option<usize>>,
}

/// The failure of a string expectation: what to show as expected, and why.
pub(crate) struct Failed {
    pub(crate) expected: Value,
    pub(crate) kind: MismatchKind,
}

/// A pair whose cost exceeds this is as bad as any other; capping keeps the lexicographic
/// assignment cost far from overflow.
const COST_CAP: u64 = 1 << 24;

impl<'e> Ctx<'e> {
    pub(crate) fn new(vars: &'e Vars) -> Self {
        Self {
            vars,
            regexes: RefCell::new(HashMap::new()),
            bindings: RefCell::new(Vec::new()),
            templates: RefCell::new(HashMap::new()),
        }
    }

    pub(crate) fn walk<S: Sink>(
        &self,
        expected: &'e Value,
        actual: &Value,
        pointer: &mut String,
        sink: &mut S,
    ) {
        match expected {
            Value::Object(exp) => match actual {
                Value::Object(act) => self.objects(exp, act, pointer, sink),
                _ => sink.push(
                    || leaves(expected),
                    || self.type_mismatch(pointer, expected, actual, "object"),
                ),
            },
            Value::Array(exp) => match actual {
                Value::Array(act) => self.arrays(exp, act, pointer, sink),
                _ => sink.push(
                    || leaves(expected),
                    || self.type_mismatch(pointer, expected, actual, "array"),
                ),
            },
            Value::String(text) => match self.eval_string(text, actual) {
                Ok(ids) => {
                    if S::DETAIL {
                        self.bindings
                            .borrow_mut()
                            .extend(ids.into_iter().map(|(name, value)| Binding {
                                name,
                                value,
                                pointer: pointer.clone(),
                            }));
                    }
                }
                Err(failed) => sink.push(
                    || 1,
                    || Mismatch {
                        pointer: pointer.clone(),
                        expected: failed.expected,
                        actual: Some(actual.clone()),
                        kind: failed.kind,
                    },
                ),
            },
            Value::Number(_) | Value::Bool(_) | Value::Null => {
                if !scalars_equal(expected, actual) {
                    sink.push(|| 1, || not_equal(pointer, expected.clone(), actual));
                }
            }
        }
    }

    fn objects<S: Sink>(
        &self,
        exp: &'e Map<String, Value>,
        act: &Map<String, Value>,
        pointer: &mut String,
        sink: &mut S,
    ) {
        for (key, exp_value) in exp {
            let len = enter_key::<S>(pointer, key);
            let absent = exp_value.as_str() == Some(ABSENT);
            match (act.get(key), absent) {
                (None, true) => {}
                (Some(found), true) => sink.push(
                    || 1,
                    || Mismatch {
                        pointer: pointer.clone(),
                        expected: exp_value.clone(),
                        actual: Some(found.clone()),
                        kind: MismatchKind::NotAbsent,
                    },
                ),
                (None, false) => sink.push(
                    || leaves(exp_value),
                    || Mismatch {
                        pointer: pointer.clone(),
                        expected: self.render(exp_value),
                        actual: None,
                        kind: MismatchKind::Missing,
                    },
                ),
                (Some(found), false) => self.walk(exp_value, found, pointer, sink),
            }
            pointer.truncate(len);
        }
    }

    fn arrays<S: Sink>(&self, exp: &'e [Value], act: &[Value], pointer: &mut String, sink: &mut S) {
        match array_mode(exp) {
            (ArrayMode::Ordered, items) => self.ordered(items, act, pointer, sink),
            (ArrayMode::Unordered, items) => self.unordered(items, act, pointer, sink),
            (ArrayMode::Contains, items) => self.contains(items, act, pointer, sink),
        }
    }

    fn ordered<S: Sink>(&self, exp: &'e [Value], act: &[Value], pointer: &mut String, sink: &mut S) {
        if exp.len() != act.len() {
            sink.push(
                || exp.len().abs_diff(act.len()) as u64,
                || self.length_mismatch(pointer, exp, act),
            );
        }
        for (index, (e, a)) in exp.iter().zip(act).enumerate() {
            let len = enter_index::<S>(pointer, index);
            self.walk(e, a, pointer, sink);
            pointer.truncate(len);
        }
    }

    fn unordered<S: Sink>(&self, exp: &'e [Value], act: &[Value], pointer: &mut String, sink: &mut S) {
        let pairing = self.pair(exp, act);
        if !S::DETAIL {
            let lone_actual = pairing.partner_of_actual.iter().filter(|p| p.is_none()).count() as u64;
            let total = pairing.pairs.iter().map(|&(_, _, cost)| cost).sum::<u64>()
                + pairing
                    .lone_expected
                    .iter()
                    .map(|&i| leaves(&exp[i]))
                    .sum::<u64>()
                + lone_actual;
            sink.add_weight(total);
            return;
        }
        if exp.len() != act.len() {
            sink.push(|| 1, || self.length_mismatch(pointer, exp, act));
        }
        for &(i, j, _) in &pairing.pairs {
            // Perfect pairs add no mismatch but are walked too: their symbolic ids bind.
            let len = enter_index::<S>(pointer, j);
            self.walk(&exp[i], &act[j], pointer, sink);
            pointer.truncate(len);
        }
        for &i in &pairing.lone_expected {
            sink.push(|| 1, || self.no_match(pointer, &exp[i], None, act));
        }
        for (j, partner) in pairing.partner_of_actual.iter().enumerate() {
            if partner.is_none() {
                sink.push(
                    || 1,
                    || Mismatch {
                        pointer: format!("{pointer}/{j}"),
                        expected: Value::Null,
                        actual: Some(act[j].clone()),
                        kind: MismatchKind::Unexpected,
                    },
                );
            }
        }
    }

    fn contains<S: Sink>(&self, exp: &'e [Value], act: &[Value], pointer: &mut String, sink: &mut S) {
        let pairing = self.pair(exp, act);
        if !S::DETAIL {
            let total = pairing.pairs.iter().map(|&(_, _, cost)| cost).sum::<u64>()
                + pairing
                    .lone_expected
                    .iter()
                    .map(|&i| leaves(&exp[i]))
                    .sum::<u64>();
            sink.add_weight(total);
            return;
        }
        for &(i, j, cost) in &pairing.pairs {
            if cost == 0 {
                // No mismatch, but its symbolic ids bind.
                let len = enter_index::<S>(pointer, j);
                self.walk(&exp[i], &act[j], pointer, sink);
                pointer.truncate(len);
                continue;
            }
            sink.push(|| cost, || self.no_match(pointer, &exp[i], Some(j), act));
            // The closest candidate's own differences say *why* it does not fit, which is what
            // a bare "no element matches" (Pact's arrayContaining, JSONAssert) fails to say.
            // Between values of different kinds that adds nothing to the line above.
            let same_kind = matches!(
                (&exp[i], &act[j]),
                (Value::Object(_), Value::Object(_)) | (Value::Array(_), Value::Array(_))
            );
            if same_kind {
                let len = enter_index::<S>(pointer, j);
                self.walk(&exp[i], &act[j], pointer, sink);
                pointer.truncate(len);
            }
        }
        for &i in &pairing.lone_expected {
            sink.push(|| leaves(&exp[i]), || self.no_match(pointer, &exp[i], None, act));
        }
    }

    /// Pairs expected with actual elements by a minimum-cost assignment over the matrix of
    /// pair costs (each pair priced once). The cost is lexicographic: first as few imperfect
    /// pairs as possible, then the least total difference among them, so a perfect pairing
    /// wins whenever one exists and a failing element is paired with its closest candidate.
    pub(crate) fn pair(&self, exp: &'e [Value], act: &[Value]) -> Pairing {
        let (rows, cols) = (exp.len(), act.len());
        let mut costs = Vec::with_capacity(rows * cols);
        for e in exp {
            for a in act {
                costs.push(self.cost(e, a));
            }
        }
        let worst = costs.iter().copied().max().unwrap_or(0);
        let imperfect = worst * rows.min(cols) as u64 + 1;
        let ranked: Vec<u64> = costs
            .iter()
            .map(|&c| if c == 0 { 0 } else { imperfect + c })
            .collect();
        let assignment = min_cost_assignment(rows, cols, &ranked);
        let mut pairing = Pairing {
            pairs: Vec::with_capacity(rows.min(cols)),
            lone_expected: Vec::new(),
            partner_of_actual: vec![None; cols],
        };
        for (i, col) in assignment.into_iter().enumerate() {
            match col {
                Some(j) => {
                    pairing.pairs.push((i, j, costs[i * cols + j]));
                    pairing.partner_of_actual[j] = Some(i);
                }
                None => pairing.lone_expected.push(i),
            }
        }
        pairing
    }

    /// The total weight of the mismatches between `expected` and `actual`; 0 iff they match.
    fn cost(&self, expected: &'e Value, actual: &Value) -> u64 {
        let mut sink = Cost(0);
        self.walk(expected, actual, &mut String::new(), &mut sink);
        sink.0.min(COST_CAP)
    }

    /// Decides a string expectation against `actual`; on success, the symbolic ids it matched
    /// (name, value).
    pub(crate) fn eval_string(&self, text: &'e str, actual: &Value) -> Result<Vec<(String, String)>, Failed> {
        // Text without a `$` is a literal, whatever else it holds: the common case, decided
        // with one byte scan instead of a search per matcher kind.
        if !text.as_bytes().contains(&b'$') {
            return if actual.as_str() == Some(text) {
                Ok(Vec::new())
            } else {
                Err(Failed {
                    expected: Value::String(text.to_owned()),
                    kind: MismatchKind::NotEqual,
                })
            };
        }
        if let Some(result) = self.eval_ids(text, actual) {
            return result;
        }
        self.eval_matcher(text, actual).map(|()| Vec::new())
    }

    /// `$id:NAME`, and text or `$uri:` templates holding `${id:NAME}`: `None` for anything else.
    fn eval_ids(&self, text: &'e str, actual: &Value) -> Option<Result<Vec<(String, String)>, Failed>> {
        let as_written = || Value::String(text.to_owned());
        if let Some(name) = text.strip_prefix("$id:")
            && matcher::is_id_name(name)
        {
            return Some(match actual.as_str() {
                Some(value) if !value.is_empty() => Ok(vec![(name.to_owned(), value.to_owned())]),
                _ => Err(Failed {
                    expected: as_written(),
                    kind: MismatchKind::Type {
                        expected: "string".to_owned(),
                    },
                }),
            });
        }
        if !text.contains("${id:") || text.starts_with("$$") {
            return None;
        }
        let (template, uri) = match text.strip_prefix("$uri:") {
            Some(path) => (path, true),
            None if !text.starts_with('$') || text.starts_with("${") => (text, false),
            None => return None,
        };
        let compiled = self
            .templates
            .borrow_mut()
            .entry(template)
            .or_insert_with(|| {
                // A `$uri:` template written as a whole URL compares by path and query.
                let pattern = if uri && !template.starts_with("${") {
                    matcher::path_and_query(template)
                } else {
                    template
                };
                IdTemplate::compile(pattern, self.vars).map_err(|e| e.name)
            })
            .clone();
        let template = match compiled {
            Ok(Some(t)) => t,
            Ok(None) => return None,
            Err(name) => {
                return Some(Err(Failed {
                    expected: as_written(),
                    kind: MismatchKind::UndefinedVariable { name },
                }));
            }
        };
        let observed = actual
            .as_str()
            .map(|a| if uri { matcher::path_and_query(a) } else { a });
        Some(match observed.and_then(|o| template.bind(o)) {
            Some(ids) => Ok(ids
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect()),
            None => Err(Failed {
                expected: as_written(),
                kind: if uri {
                    MismatchKind::Uri
                } else {
                    MismatchKind::NotEqual
                },
            }),
        })
    }

    fn eval_matcher(&self, text: &'e str, actual: &Value) -> Result<(), Failed> {
        let as_written = || Value::String(text.to_owned());
        let invalid = |problem| Failed {
            expected: as_written(),
            kind: MismatchKind::InvalidMatcher { problem },
        };
        let matcher = matcher::classify(text).map_err(invalid)?;
        match matcher {
            Matcher::Literal(literal) => {
                if actual.as_str() == Some(literal) {
                    Ok(())
                } else {
                    Err(Failed {
                        expected: Value::String(literal.to_owned()),
                        kind: MismatchKind::NotEqual,
                    })
                }
            }
            // `eval_ids` decides symbolic ids before any other matcher.
            Matcher::Any | Matcher::Id(_) => Ok(()),
            Matcher::Absent => Err(invalid(MatcherProblemKind::MisplacedAbsent)),
            Matcher::Marker(marker) => Err(invalid(MatcherProblemKind::MisplacedMarker {
                marker: marker.to_owned(),
            })),
            Matcher::Type(ty) => {
                if ty.holds(actual) {
                    Ok(())
                } else {
                    Err(Failed {
                        expected: as_written(),
                        kind: MismatchKind::Type {
                            expected: ty.name().to_owned(),
                        },
                    })
                }
            }
            Matcher::Regex(pattern) => match self.regex(pattern) {
                Ok(re) if actual.as_str().is_some_and(|a| re.is_match(a)) => Ok(()),
                Ok(_) => Err(Failed {
                    expected: as_written(),
                    kind: MismatchKind::Regex { invalid: None },
                }),
                Err(reason) => Err(Failed {
                    expected: as_written(),
                    kind: MismatchKind::Regex {
                        invalid: Some(reason),
                    },
                }),
            },
            Matcher::Uri(path) => {
                let wanted = match interpolate_str(path, self.vars) {
                    Ok(Value::String(p)) => p,
                    Ok(other) => other.to_string(),
                    Err(e) => {
                        return Err(Failed {
                            expected: as_written(),
                            kind: MismatchKind::UndefinedVariable { name: e.name },
                        });
                    }
                };
                let wanted_path = matcher::path_and_query(&wanted);
                if actual
                    .as_str()
                    .is_some_and(|a| matcher::path_and_query(a) == wanted_path)
                {
                    Ok(())
                } else {
                    Err(Failed {
                        expected: Value::String(format!("$uri:{wanted}")),
                        kind: MismatchKind::Uri,
                    })
                }
            }
            // Plain text, by far the most common expectation: no interpolation, no allocation.
            Matcher::Text(literal) if !literal.contains("${") => {
                if actual.as_str() == Some(literal) {
                    Ok(())
                } else {
                    Err(Failed {
                        expected: as_written(),
                        kind: MismatchKind::NotEqual,
                    })
                }
            }
            Matcher::Text(template) => match interpolate_str(template, self.vars) {
                Ok(Value::String(s)) if actual.as_str() == Some(s.as_str()) => Ok(()),
                Ok(value @ Value::String(_)) => Err(Failed {
                    expected: value,
                    kind: MismatchKind::NotEqual,
                }),
                // A whole placeholder holding a non-string compares structurally and exactly
                // (numbers by value): a captured value is an observation, not an expectation,
                // so its strings are never read as matchers and its objects never as subsets.
                Ok(value) if json_equal(&value, actual) => Ok(()),
                Ok(value) => Err(Failed {
                    expected: value,
                    kind: MismatchKind::NotEqual,
                }),
                Err(e) => Err(Failed {
                    expected: as_written(),
                    kind: MismatchKind::UndefinedVariable { name: e.name },
                }),
            },
        }
    }

    fn regex(&self, pattern: &'e str) -> Result<regex::Regex, String> {
        self.regexes
            .borrow_mut()
            .entry(pattern)
            .or_insert_with(|| compile_regex(pattern))
            .clone()
    }

    /// The expected value for display where there is no actual counterpart: placeholders
    /// resolved (undefined ones kept as written), `$$` literals unescaped, `$absent` keys
    /// dropped, matchers kept as written.
    pub(crate) fn render(&self, expected: &Value) -> Value {
        match expected {
            Value::String(text) => match matcher::classify(text) {
                Ok(Matcher::Literal(literal)) => Value::String(literal.to_owned()),
                Ok(Matcher::Text(template)) => {
                    interpolate_str(template, self.vars).unwrap_or_else(|_| expected.clone())
                }
                _ => expected.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|v| self.render(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(_, v)| v.as_str() != Some(ABSENT))
                    .map(|(k, v)| (k.clone(), self.render(v)))
                    .collect(),
            ),
            Value::Null | Value::Bool(_) | Value::Number(_) => expected.clone(),
        }
    }

    fn type_mismatch(&self, pointer: &str, expected: &Value, actual: &Value, name: &str) -> Mismatch {
        Mismatch {
            pointer: pointer.to_owned(),
            expected: self.render(expected),
            actual: Some(actual.clone()),
            kind: MismatchKind::Type {
                expected: name.to_owned(),
            },
        }
    }

    fn length_mismatch(&self, pointer: &str, exp: &[Value], act: &[Value]) -> Mismatch {
        Mismatch {
            pointer: pointer.to_owned(),
            expected: Value::Array(exp.iter().map(|v| self.render(v)).collect()),
            actual: Some(Value::Array(act.to_vec())),
            kind: MismatchKind::Length {
                expected: exp.len(),
                actual: act.len(),
            },
        }
    }

    fn no_match(&self, pointer: &str, expected: &Value, closest: Option<usize>, act: &[Value]) -> Mismatch {
        Mismatch {
            pointer: pointer.to_owned(),
            expected: self.render(expected),
            actual: closest.map(|j| act[j].clone()),
            kind: MismatchKind::NoMatch { closest },
        }
    }
}

/// The longest `$regex:` pattern compiled, in bytes; checked before compiling, as parsing a
/// pattern costs memory in proportion to its length (a 25 MB pattern took 2.5 GB).
pub(crate) const MAX_REGEX_BYTES: usize = 4096;
/// The largest compiled form of a pattern allowed: the regex crate's default, set here so the
/// bound is explicit (`\w{100}` fits, `(\w{100}){100}` does not).
const REGEX_SIZE_LIMIT: usize = 10 << 20;

/// Compiles a `$regex:` pattern so that it must match the whole string. The error is the
/// compiler's one-line reason about the pattern as the user wrote it (the regex crate's own
/// message is a multi-line rendering of the anchored pattern otherwise), or says the pattern
/// is too long; it never quotes the pattern.
pub(crate) fn compile_regex(pattern: &str) -> Result<regex::Regex, String> {
    if pattern.len() > MAX_REGEX_BYTES {
        return Err(format!(
            "the pattern is {} bytes long; at most {MAX_REGEX_BYTES} are compiled",
            pattern.len()
        ));
    }
    let build = |p: &str| regex::RegexBuilder::new(p).size_limit(REGEX_SIZE_LIMIT).build();
    build(pattern)
        .and_then(|_| build(&format!(r"\A(?:{pattern})\z")))
        .map_err(|e| {
            let text = e.to_string();
            let last = text.lines().last().unwrap_or_default();
            last.strip_prefix("error: ").unwrap_or(last).to_owned()
        })
}

/// The weight of an expected value in assignment costs: its number of leaves, so a missing
/// or mistyped object counts for everything it expected, not as one small difference.
fn leaves(expected: &Value) -> u64 {
    match expected {
        Value::Array(items) if !items.is_empty() => items.iter().map(leaves).sum(),
        Value::Object(map) if !map.is_empty() => map.values().map(leaves).sum(),
        _ => 1,
    }
}

fn enter_key<S: Sink>(pointer: &mut String, key: &str) -> usize {
    let len = pointer.len();
    if S::DETAIL {
        pointer.push('/');
        pointer.push_str(&escape_token(key));
    }
    len
}

fn enter_index<S: Sink>(pointer: &mut String, index: usize) -> usize {
    let len = pointer.len();
    if S::DETAIL {
        // Writing into a String cannot fail.
        let _ = write!(pointer, "/{index}");
    }
    len
}

/// Equality of non-string scalars, numbers by value.
pub(crate) fn scalars_equal(expected: &Value, actual: &Value) -> bool {
    match expected {
        Value::Number(_) => numbers_equal(expected, actual),
        _ => expected == actual,
    }
}

/// Structural equality with numbers compared by value.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => numbers_equal(a, b),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn numbers_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            if let (Some(x), Some(y)) = (e.as_i64(), a.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (e.as_u64(), a.as_u64()) {
                x == y
            } else {
                e.as_f64() == a.as_f64()
            }
        }
        _ => false,
    }
}

fn not_equal(pointer: &str, expected: Value, actual: &Value) -> Mismatch {
    Mismatch {
        pointer: pointer.to_owned(),
        expected,
        actual: Some(actual.clone()),
        kind: MismatchKind::NotEqual,
    }
}

#[cfg(test)]
mod tests;
