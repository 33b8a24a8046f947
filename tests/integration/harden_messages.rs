//! Issue 12, item 8 (messages): a scenario file that is not UTF-8 is located by line, column
//! and byte offset; YAML budget breaches (too deep, too many values, alias bombs) are worded
//! for people, once, at the line where the reader stopped, never as Rust debug text; a
//! megabyte-long line is never printed whole.

use std::fmt::Write;
use std::path::Path;

use crate::safety_support::{both, clean, run_cli_env};

async fn check_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write scenario");
    let output = run_cli_env(&["check", &path.to_string_lossy()], &[]).await;
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, dir));
    assert!(output.stderr.len() < 2_000, "{} bytes", output.stderr.len());
    let stderr = clean(&output.stderr, dir);
    let debug_text = regex::Regex::new(r"[A-Z]\w+ \{ \w+: \d").expect("valid regex");
    assert!(
        !stderr.contains("budget breached") && !debug_text.is_match(&stderr),
        "{stderr}"
    );
    stderr
}

#[tokio::test]
async fn a_file_that_is_not_utf8_is_located_by_byte_offset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = check_file(
        dir.path(),
        "latin1.yaml",
        b"actors: [agent1]\nsteps:\n  - actor: agent1\n    request: { path: /caf\xe9 }\n",
    )
    .await;
    insta::assert_snapshot!(text);
}

#[tokio::test]
async fn too_deep_yaml_is_one_plain_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!(
        "actors: [agent1]\nsteps:\n  - actor: agent1\n    request: {{ path: /x }}\n    response:\n      body: {}{}\n",
        "[".repeat(70),
        "]".repeat(70)
    );
    insta::assert_snapshot!(check_file(dir.path(), "deep.yaml", text.as_bytes()).await);
}

#[tokio::test]
async fn too_many_values_on_one_long_line_is_one_plain_problem_without_the_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ones = vec!["1"; 300_000].join(",");
    let text = format!(
        "actors: [agent1]\nvars:\n  x: [{ones}]\nsteps:\n  - actor: agent1\n    request: {{ path: /x }}\n"
    );
    insta::assert_snapshot!(check_file(dir.path(), "nodes.yaml", text.as_bytes()).await);
}

#[tokio::test]
async fn an_alias_bomb_is_one_plain_problem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("actors: [agent1]\nvars:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9 {
        let prev = level - 1;
        let refs = vec![format!("*a{prev}"); 10].join(", ");
        let _ = writeln!(text, "  a{level}: &a{level} [{refs}]");
    }
    text.push_str("steps:\n  - actor: agent1\n    request: { path: /x }\n");
    insta::assert_snapshot!(check_file(dir.path(), "bomb.yaml", text.as_bytes()).await);
}
