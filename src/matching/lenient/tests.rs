use serde_json::json;

use super::*;

fn vars() -> Vars {
    Vars::from([
        ("session".to_owned(), json!("0002DaAVKJ0V0095")),
        ("count".to_owned(), json!(3)),
        ("obj".to_owned(), json!({"a": 1})),
        ("dollar".to_owned(), json!("$any")),
    ])
}

fn check(expected: Value, actual: Value) -> Vec<Mismatch> {
    match_value(&expected, &actual, &vars())
}

fn pointers(mismatches: &[Mismatch]) -> Vec<&str> {
    mismatches.iter().map(|m| m.pointer.as_str()).collect()
}

/// A first-fit matcher for `$unordered`, as other tools implement it, to show that it fails
/// where the optimal assignment succeeds.
fn greedy_unordered(expected: &[Value], actual: &[Value]) -> bool {
    let mut used = vec![false; actual.len()];
    expected.len() == actual.len()
        && expected.iter().all(|e| {
            let found =
                (0..actual.len()).find(|&j| !used[j] && match_value(e, &actual[j], &vars()).is_empty());
            found.inspect(|&j| used[j] = true).is_some()
        })
}

#[test]
fn object_subset_matches() {
    assert!(check(json!({"a": 1}), json!({"a": 1, "b": 2})).is_empty());
}

#[test]
fn reports_every_mismatch_with_pointer() {
    let m = check(
        json!({"facebooksession": {"state": "LeftChat", "id": "${session}"}, "x": 1}),
        json!({"facebooksession": {"state": "Completed", "id": "other"}}),
    );
    assert_eq!(
        pointers(&m),
        ["/facebooksession/id", "/facebooksession/state", "/x"]
    );
    assert_eq!(m[0].expected, json!("0002DaAVKJ0V0095"));
    assert_eq!(m[1].kind, MismatchKind::NotEqual);
    assert_eq!(m[2].kind, MismatchKind::Missing);
    assert_eq!(m[2].actual, None);
}

#[test]
fn pointers_escape_keys() {
    let m = check(json!({"a/b": {"c~d": 1}}), json!({"a/b": {"c~d": 2}}));
    assert_eq!(pointers(&m), ["/a~1b/c~0d"]);
}

#[test]
fn numbers_compare_by_value() {
    assert!(check(json!(1), json!(1.0)).is_empty());
    assert!(check(json!(-5), json!(-5.0)).is_empty());
    assert!(check(json!(u64::MAX), json!(u64::MAX)).is_empty());
    assert_eq!(check(json!(1), json!(2)).len(), 1);
    assert_eq!(check(json!(1), json!("1"))[0].kind, MismatchKind::NotEqual);
    assert_eq!(check(json!(null), json!(false)).len(), 1);
    assert!(check(json!(true), json!(true)).is_empty());
}

#[test]
fn structural_type_mismatches() {
    let m = check(json!({"a": {"b": 1}, "c": [1]}), json!({"a": [1], "c": {"x": 1}}));
    assert_eq!(pointers(&m), ["/a", "/c"]);
    assert_eq!(
        m[0].kind,
        MismatchKind::Type {
            expected: "object".into()
        }
    );
    assert_eq!(
        m[1].kind,
        MismatchKind::Type {
            expected: "array".into()
        }
    );
}

#[test]
fn arrays_compare_by_index_and_length() {
    let m = check(json!([1, 2]), json!([1, 3, 4]));
    assert_eq!(m.len(), 2);
    assert!(matches!(
        m[0].kind,
        MismatchKind::Length {
            expected: 2,
            actual: 3
        }
    ));
    assert_eq!(m[1].pointer, "/1");
}

#[test]
fn string_matchers() {
    assert!(check(json!({"a": "$any"}), json!({"a": null})).is_empty());
    assert_eq!(
        check(json!({"a": "$any"}), json!({}))[0].kind,
        MismatchKind::Missing
    );
    assert!(check(json!({"a": "$absent"}), json!({})).is_empty());
    assert_eq!(
        check(json!({"a": "$absent"}), json!({"a": 1}))[0].kind,
        MismatchKind::NotAbsent
    );
    assert!(check(json!("$type:integer"), json!(3)).is_empty());
    assert_eq!(
        check(json!("$type:string"), json!(3))[0].kind,
        MismatchKind::Type {
            expected: "string".into()
        }
    );
    assert_eq!(
        check(json!("$regex:[0-9A-Z]{16}"), json!("0002DaAVKJ0V0095")).len(),
        1
    );
    assert!(check(json!("$regex:[0-9A-Za-z]{16}"), json!("0002DaAVKJ0V0095")).is_empty());
    assert!(check(json!("$$any"), json!("$any")).is_empty());
    assert_eq!(check(json!("$$any"), json!("x"))[0].expected, json!("$any"));
    assert!(check(json!("$${session}"), json!("${session}")).is_empty());
}

#[test]
fn regex_must_match_the_whole_string() {
    assert_eq!(
        check(json!("$regex:abc"), json!("xabcx"))[0].kind,
        MismatchKind::Regex { invalid: None }
    );
    assert!(check(json!("$regex:a|b"), json!("b")).is_empty());
    assert_eq!(check(json!("$regex:a|b"), json!("ab")).len(), 1);
    assert_eq!(
        check(json!("$regex:.*"), json!(5)).len(),
        1,
        "only strings match a regex"
    );
    assert!(check(json!("$regex:"), json!("")).is_empty());
    let invalid = check(json!("$regex:("), json!("("));
    assert!(matches!(
        &invalid[0].kind,
        MismatchKind::Regex { invalid: Some(_) }
    ));
}

#[test]
fn uri_ignores_scheme_host_and_port() {
    let exp = json!("$uri:/api/v2/facebooksessions/${session}");
    assert!(
        check(
            exp.clone(),
            json!("http://192.168.83.25:8090/api/v2/facebooksessions/0002DaAVKJ0V0095")
        )
        .is_empty()
    );
    assert!(
        check(
            exp.clone(),
            json!("https://gws.example/api/v2/facebooksessions/0002DaAVKJ0V0095")
        )
        .is_empty()
    );
    assert!(check(exp.clone(), json!("/api/v2/facebooksessions/0002DaAVKJ0V0095")).is_empty());
    let wrong = check(exp, json!("http://h/api/v2/facebooksessions/other"));
    assert_eq!(wrong[0].kind, MismatchKind::Uri);
    assert_eq!(
        wrong[0].expected,
        json!("$uri:/api/v2/facebooksessions/0002DaAVKJ0V0095")
    );
}

#[test]
fn uri_compares_mangled_vendor_urls_by_path_and_query() {
    let mangled = json!("http: //192.168.83.25: 8090/api/v2/me/facebooksessions/0002DaAVKJ0V0095?x=1");
    assert!(
        check(
            json!("$uri:/api/v2/me/facebooksessions/${session}?x=1"),
            mangled.clone()
        )
        .is_empty()
    );
    assert_eq!(
        check(
            json!("$uri:/api/v2/me/facebooksessions/${session}"),
            mangled.clone()
        )
        .len(),
        1
    );
    assert!(
        check(
            json!("$uri:http: //10.0.0.1: 80/api/v2/me/facebooksessions/${session}?x=1"),
            mangled
        )
        .is_empty(),
        "the expected side may be a whole (mangled) URL too"
    );
    assert_eq!(check(json!("$uri:/x"), json!(1))[0].kind, MismatchKind::Uri);
    assert_eq!(
        check(json!("$uri:/x/${nope}"), json!("/x/1"))[0].kind,
        MismatchKind::UndefinedVariable { name: "nope".into() }
    );
}

#[test]
fn whole_placeholder_keeps_the_variable_type() {
    assert!(check(json!({"n": "${count}"}), json!({"n": 3.0})).is_empty());
    assert_eq!(
        check(json!({"n": "${count}"}), json!({"n": "3"}))[0].expected,
        json!(3)
    );
    assert!(check(json!("${obj}"), json!({"a": 1})).is_empty());
    assert_eq!(
        check(json!("${obj}"), json!({"a": 1, "b": 2})).len(),
        1,
        "captured objects compare exactly"
    );
    assert!(
        check(json!("${dollar}"), json!("$any")).is_empty(),
        "a captured string is never a matcher"
    );
    assert_eq!(check(json!("${dollar}"), json!("x")).len(), 1);
}

#[test]
fn embedded_placeholders_compare_as_text() {
    assert!(check(json!("s-${session}-${count}"), json!("s-0002DaAVKJ0V0095-3")).is_empty());
    assert_eq!(
        check(json!("s-${session}"), json!("s-x"))[0].expected,
        json!("s-0002DaAVKJ0V0095")
    );
}

#[test]
fn undefined_variable_is_a_mismatch() {
    let m = check(
        json!({"a": "${nope}", "b": "x${nope2}"}),
        json!({"a": 1, "b": "x"}),
    );
    assert_eq!(
        m[0].kind,
        MismatchKind::UndefinedVariable {
            name: "nope".to_owned()
        }
    );
    assert_eq!(
        m[1].kind,
        MismatchKind::UndefinedVariable {
            name: "nope2".to_owned()
        }
    );
}

#[test]
fn malformed_matchers_never_match() {
    let cases = [
        (json!("$anyy"), json!("$anyy")),
        (json!("$type:int"), json!(1)),
        (json!(["$absent"]), json!([1])),
        (json!("$absent"), json!(null)),
        (json!([1, "$unordered"]), json!([1, "$unordered"])),
        (json!({"a": "$contains"}), json!({"a": "$contains"})),
        (json!("id-${session"), json!("id-${session")),
    ];
    for (expected, actual) in cases {
        let m = check(expected.clone(), actual);
        assert_eq!(m.len(), 1, "{expected}: {m:?}");
        assert!(
            matches!(m[0].kind, MismatchKind::InvalidMatcher { .. }),
            "{expected}: {m:?}"
        );
    }
}

#[test]
fn unordered_matches_any_permutation() {
    let exp = json!(["$unordered", {"type": "Agent"}, {"type": "Customer"}, 3]);
    assert!(
        check(
            exp.clone(),
            json!([3, {"type": "Customer", "x": 1}, {"type": "Agent"}])
        )
        .is_empty()
    );
    assert!(check(json!(["$unordered"]), json!([])).is_empty());
}

#[test]
fn unordered_is_optimal_where_greedy_first_fit_fails() {
    let items = [json!("$any"), json!(1)];
    let actual = [json!(1), json!(2)];
    assert!(
        !greedy_unordered(&items, &actual),
        "first-fit gives 1 to $any and finds nothing for 1"
    );
    assert!(check(json!(["$unordered", "$any", 1]), json!([1, 2])).is_empty());

    let items = [json!({"t": "$type:string"}), json!({"t": "Agent", "n": 2})];
    let actual = [json!({"t": "Agent", "n": 2}), json!({"t": "Bot"})];
    assert!(!greedy_unordered(&items, &actual));
    let mut expected = vec![json!("$unordered")];
    expected.extend(items);
    assert!(match_value(&Value::Array(expected), &Value::Array(actual.to_vec()), &vars()).is_empty());
}

#[test]
fn unordered_reports_the_best_assignment_with_actual_pointers() {
    let m = check(
        json!(["$unordered", {"t": "Customer", "n": "V"}, {"t": "Agent", "n": "a1"}]),
        json!([{"t": "Agent", "n": "a2"}, {"t": "Customer", "n": "V"}]),
    );
    assert_eq!(pointers(&m), ["/0/n"], "{m:#?}");
    assert_eq!(m[0].expected, json!("a1"));
}

#[test]
fn unordered_length_problems() {
    let more = check(json!(["$unordered", 1, 2]), json!([2, 5, 1]));
    assert!(matches!(
        more[0].kind,
        MismatchKind::Length {
            expected: 2,
            actual: 3
        }
    ));
    assert_eq!(more[1].kind, MismatchKind::Unexpected);
    assert_eq!(more[1].pointer, "/1");
    assert_eq!(more.len(), 2);

    let fewer = check(
        json!({"p": ["$unordered", 1, 2, {"a": 1}]}),
        json!({"p": [{"a": 1}, 1]}),
    );
    assert!(matches!(
        fewer[0].kind,
        MismatchKind::Length {
            expected: 3,
            actual: 2
        }
    ));
    assert_eq!(fewer[1].kind, MismatchKind::NoMatch { closest: None });
    assert_eq!((fewer[1].pointer.as_str(), &fewer[1].expected), ("/p", &json!(2)));
    assert_eq!(fewer.len(), 2);
}

#[test]
fn contains_allows_extras_and_needs_distinct_elements() {
    assert!(check(json!(["$contains", 2]), json!([1, 2, 3])).is_empty());
    assert!(check(json!(["$contains"]), json!([])).is_empty());
    assert!(check(json!(["$contains", "$any", 1]), json!([1, 2])).is_empty());
    let one = check(json!(["$contains", 1, 1]), json!([1, 2]));
    assert_eq!(
        one.len(),
        1,
        "two expected elements cannot share one actual element: {one:?}"
    );
    assert_eq!(one[0].kind, MismatchKind::NoMatch { closest: Some(1) });
    let none = check(json!(["$contains", 1]), json!([]));
    assert_eq!(none[0].kind, MismatchKind::NoMatch { closest: None });
}

#[test]
fn contains_names_the_closest_candidate_and_why() {
    let m = check(
        json!({"participants": ["$contains", {"type": "Agent", "nickname": "agent2", "visibility": "All"}]}),
        json!({"participants": [
            {"type": "Customer", "nickname": "VitaliyOnv"},
            {"type": "Agent", "nickname": "agent2", "visibility": "Agents"},
        ]}),
    );
    assert_eq!(
        pointers(&m),
        ["/participants", "/participants/1/visibility"],
        "{m:#?}"
    );
    assert_eq!(m[0].kind, MismatchKind::NoMatch { closest: Some(1) });
    assert_eq!(m[1].expected, json!("All"));
}

#[test]
fn contains_prefers_more_perfect_pairs_over_a_smaller_total() {
    // Pairing e0-a1 and e1-a0 costs 2 in total but leaves both imperfect; e0-a0 is perfect.
    let m = check(
        json!(["$contains", {"a": 1, "b": 1}, {"a": 2, "b": 2, "c": 2, "d": 2}]),
        json!([{"a": 1, "b": 1}, {"a": 1, "b": 2}]),
    );
    let no_match: Vec<_> = m
        .iter()
        .filter(|m| matches!(m.kind, MismatchKind::NoMatch { .. }))
        .collect();
    assert_eq!(no_match.len(), 1, "{m:#?}");
    assert_eq!(no_match[0].expected, json!({"a": 2, "b": 2, "c": 2, "d": 2}));
}

#[test]
fn nested_markers() {
    let exp = json!(["$unordered", ["$unordered", 1, 2], ["$contains", 3]]);
    assert!(check(exp.clone(), json!([[9, 3], [2, 1]])).is_empty());
    let m = check(exp, json!([[9, 4], [2, 1]]));
    assert_eq!(pointers(&m), ["/0"]);
}

#[test]
fn large_unordered_arrays_stay_polynomial() {
    let n = 300;
    let expected: Vec<Value> = std::iter::once(json!("$unordered"))
        .chain((0..n).map(|i| json!({"id": i, "kind": "$type:string"})))
        .collect();
    let mut actual: Vec<Value> = (0..n).rev().map(|i| json!({"id": i, "kind": "k"})).collect();
    assert!(
        match_value(
            &Value::Array(expected.clone()),
            &Value::Array(actual.clone()),
            &vars()
        )
        .is_empty()
    );
    actual[17]["id"] = json!(-1);
    let m = match_value(&Value::Array(expected), &Value::Array(actual), &vars());
    assert_eq!(pointers(&m), ["/17/id"]);
}

fn bindings(expected: Value, actual: Value) -> (usize, Vec<(String, String, String)>) {
    let (mismatches, bindings) = match_with_bindings(&expected, &actual, &vars());
    (
        mismatches.len(),
        bindings
            .into_iter()
            .map(|b| (b.name, b.value, b.pointer))
            .collect(),
    )
}

#[test]
fn symbolic_ids_match_any_string_and_report_where_they_bound() {
    let (mismatches, bound) = bindings(
        json!({"a": "$id:p", "u": "$uri:/s/${session}/users/${id:user}", "t": "X-${id:user}"}),
        json!({"a": "P1", "u": "http://h:1/s/0002DaAVKJ0V0095/users/U7", "t": "X-U7"}),
    );
    assert_eq!(mismatches, 0);
    assert_eq!(
        bound,
        [
            ("p".into(), "P1".into(), "/a".into()),
            ("user".into(), "U7".into(), "/t".into()),
            ("user".into(), "U7".into(), "/u".into()),
        ]
    );
    // Not a string, an empty string, or text that does not fit the template: mismatches.
    assert_eq!(pointers(&check(json!({"a": "$id:p"}), json!({"a": 5}))), ["/a"]);
    assert_eq!(pointers(&check(json!({"a": "$id:p"}), json!({"a": ""}))), ["/a"]);
    assert_eq!(
        pointers(&check(json!({"t": "X-${id:u}"}), json!({"t": "Y-1"}))),
        ["/t"]
    );
    assert_eq!(
        pointers(&check(
            json!({"u": "$uri:/s/${id:s}/x"}),
            json!({"u": "http://h/s/1/y"})
        )),
        ["/u"]
    );
}

#[test]
fn ids_in_perfectly_matched_unordered_elements_still_bind() {
    let (mismatches, bound) = bindings(
        json!(["$unordered", {"id": "$id:a", "k": 1}, {"id": "$id:b", "k": 2}]),
        json!([{"id": "B", "k": 2}, {"id": "A", "k": 1}]),
    );
    assert_eq!(mismatches, 0);
    assert_eq!(
        bound,
        [
            ("a".into(), "A".into(), "/1/id".into()),
            ("b".into(), "B".into(), "/0/id".into())
        ]
    );
}

#[test]
fn a_malformed_id_is_an_invalid_expectation() {
    let m = check(json!({"a": "$id:"}), json!({"a": "x"}));
    assert!(matches!(m[0].kind, MismatchKind::InvalidMatcher { .. }), "{m:?}");
    let m = check(json!({"a": "$id:a b"}), json!({"a": "x"}));
    assert!(matches!(m[0].kind, MismatchKind::InvalidMatcher { .. }), "{m:?}");
}
