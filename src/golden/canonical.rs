//! Canonical JSON (sorted keys, 2-space indent, trailing newline) and the mapping from a
//! scenario file to its golden file, so goldens diff cleanly in review.

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

/// Serialises `value` canonically. Keys are sorted because `serde_json::Map` is a `BTreeMap`
/// (the `preserve_order` feature is deliberately not enabled).
pub fn to_canonical_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_owned());
    text.push('\n');
    text
}

/// `golden/<path of the scenario below scenarios/, .yaml→.json>`. A scenario outside any
/// `scenarios/` directory keeps its relative path.
pub fn golden_path(golden_root: &Path, scenario: &Path) -> PathBuf {
    let components: Vec<Component<'_>> = scenario.components().collect();
    let below = components
        .iter()
        .rposition(|c| c.as_os_str() == "scenarios")
        .map_or(&components[..], |i| &components[i + 1..]);
    let mut relative: PathBuf = below
        .iter()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    relative.set_extension("json");
    golden_root.join(relative)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_ends_with_newline() {
        let text = to_canonical_json(&json!({"b": 1, "a": {"d": [1, 2], "c": null}}));
        assert_eq!(
            text,
            "{\n  \"a\": {\n    \"c\": null,\n    \"d\": [\n      1,\n      2\n    ]\n  },\n  \"b\": 1\n}\n"
        );
    }

    #[test]
    fn golden_path_mirrors_scenarios_dir() {
        assert_eq!(
            golden_path(Path::new("golden"), Path::new("scenarios/facebook/complete.yaml")),
            PathBuf::from("golden/facebook/complete.json")
        );
        assert_eq!(
            golden_path(Path::new("g"), Path::new("/abs/proj/scenarios/x.yaml")),
            PathBuf::from("g/x.json")
        );
        assert_eq!(
            golden_path(Path::new("g"), Path::new("other/x.yml")),
            PathBuf::from("g/other/x.json")
        );
    }
}
