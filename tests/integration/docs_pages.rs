//! `gws-contract docs`: reference pages from scenarios and goldens — their text (the seed
//! scenarios, snapshotted), their Mermaid diagrams, determinism, and `--check`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gws_contract::golden::GoldenStore;
use gws_contract::report::docs::{DocSource, DocsFormat, check_sequence_diagram, render_docs};
use gws_contract::scenario::{LoadedScenario, load_file};

use crate::support::{root, run_cli};

pub const SEEDS: [&str; 4] = [
    "scenarios/facebook/complete.yaml",
    "scenarios/facebook/leave.yaml",
    "scenarios/facebook/remove-participant-from-conference.yaml",
    "scenarios/facebook/set-disposition.yaml",
];

/// Every file `docs` generates for `paths` (relative to the repository root, as on the
/// command line) into `docs/reference`.
pub fn pages(paths: &[&str], format: DocsFormat) -> BTreeMap<PathBuf, String> {
    // Paths stay relative, as the CLI sees them, so links on the pages are the shipped ones.
    let loaded: Vec<LoadedScenario> = paths
        .iter()
        .map(|p| {
            let mut loaded = load_file(&root().join(p)).unwrap_or_else(|d| panic!("{p}: {d:#?}"));
            loaded.path = PathBuf::from(p);
            loaded
        })
        .collect();
    let store = GoldenStore::new(root().join("golden"));
    let sources: Vec<DocSource<'_>> = loaded
        .iter()
        .map(|l| DocSource {
            loaded: l,
            golden: store.load(&store.path_for(&l.path)).expect("golden loads"),
            golden_file: GoldenStore::new("golden").path_for(&l.path),
        })
        .collect();
    render_docs(&sources, Path::new("docs/reference"), format)
}

#[test]
fn seed_pages_read_like_the_vendor_pages() {
    let files = pages(&SEEDS, DocsFormat::Markdown);
    for seed in SEEDS {
        let name = Path::new(seed)
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let page = &files[&PathBuf::from(format!("facebook/{name}.md"))];
        insta::assert_snapshot!(format!("seed_page_{name}"), page);
    }
}

/// Every ```mermaid block of every shipped page passes the grammar check of the subset the
/// pages use (the browser test runs Mermaid's own parser on them too).
#[test]
fn every_shipped_diagram_is_a_valid_sequence_diagram() {
    let files = pages(&shipped_scenarios(), DocsFormat::Markdown);
    let mut diagrams = 0;
    for (path, text) in &files {
        for block in mermaid_blocks(text) {
            diagrams += 1;
            let problems = check_sequence_diagram(&block);
            assert!(problems.is_empty(), "{}: {problems:#?}\n{block}", path.display());
        }
    }
    assert_eq!(
        diagrams,
        files.len() - 1,
        "one diagram per page, none in the index"
    );
}

/// The text of each ```mermaid fenced block in `markdown`.
pub fn mermaid_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line) {
            (None, "```mermaid") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The shipped scenario files, relative to the repository root, sorted.
pub fn shipped_scenarios() -> Vec<&'static str> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("list scenarios") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let relative = path.strip_prefix(root()).expect("below the root");
                out.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    let mut found = Vec::new();
    walk(&root().join("scenarios"), &mut found);
    found.sort();
    found.into_iter().map(|s| &*s.leak()).collect()
}

#[tokio::test]
async fn docs_are_byte_identical_on_every_run_and_check_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("reference");
    let out_text = out.to_string_lossy().into_owned();
    let first = run_cli(&["docs", "--out", &out_text]).await;
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = read_tree(&out);
    assert_eq!(
        before.len(),
        shipped_scenarios().len() + 1,
        "a page per scenario and the index"
    );
    let second = run_cli(&["docs", "--out", &out_text]).await;
    assert_eq!(second.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("(0 written"),
        "nothing changed: {}",
        String::from_utf8_lossy(&second.stdout)
    );
    assert_eq!(read_tree(&out), before, "the second run wrote the same bytes");
    let check = run_cli(&["docs", "--check", &out_text]).await;
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[tokio::test]
async fn docs_check_names_each_stale_page_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("reference");
    let out_text = out.to_string_lossy().into_owned();
    let paths = [
        "scenarios/facebook/complete.yaml",
        "scenarios/facebook/leave.yaml",
    ];
    let written = run_cli(&["docs", "--out", &out_text, paths[0], paths[1]]).await;
    assert_eq!(written.status.code(), Some(0));
    // A hand edit, a page a scenario no longer generates, a missing page, and a hand-written
    // note (which is not the generator's business).
    let complete = out.join("facebook/complete.md");
    let edited = std::fs::read_to_string(&complete)
        .expect("page")
        .replace("Completed", "Done");
    std::fs::write(&complete, edited).expect("edit");
    std::fs::copy(out.join("facebook/leave.md"), out.join("facebook/gone.md")).expect("copy");
    std::fs::remove_file(out.join("index.md")).expect("remove");
    std::fs::write(out.join("NOTES.md"), "hand-written\n").expect("note");
    let check = run_cli(&["docs", "--check", &out_text, paths[0], paths[1]]).await;
    assert_eq!(check.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&check.stdout).replace(&out_text, "[dir]");
    insta::assert_snapshot!(stdout);
    // Regenerating repairs it, removes the page no scenario generates, keeps the note.
    let repaired = run_cli(&["docs", "--out", &out_text, paths[0], paths[1]]).await;
    assert_eq!(repaired.status.code(), Some(0));
    assert!(!out.join("facebook/gone.md").exists());
    assert!(out.join("NOTES.md").exists());
    let check = run_cli(&["docs", "--check", &out_text, paths[0], paths[1]]).await;
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

/// The committed reference pages are what the shipped scenarios and goldens generate: a
/// change to either without `gws-contract docs` fails here (and names the pages).
#[tokio::test]
async fn the_committed_reference_is_up_to_date() {
    let check = run_cli(&["docs", "--check", "docs/reference"]).await;
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Every file below `dir`, by relative path, with its bytes.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("below").to_path_buf();
                files.insert(relative, std::fs::read(&path).expect("read"));
            }
        }
    }
    files
}

#[test]
fn html_pages_carry_the_same_content_with_an_svg_diagram() {
    let files = pages(&SEEDS[..1], DocsFormat::Html);
    let page = &files[&PathBuf::from("facebook/complete.html")];
    assert!(!page.contains("```"), "no Markdown left");
    assert!(!page.contains("<script"), "no script");
    assert!(
        !page.contains("http://") || !page.contains("src=\"http"),
        "nothing fetched"
    );
    // The style sheet is the same on every page; the body is what this page says.
    let body = &page[page.find("<main>").expect("a main element")..];
    insta::assert_snapshot!(body);
    assert!(files[&PathBuf::from("index.html")].contains("href=\"facebook/complete.html\""));
}

/// A scenario not recorded yet still gets its page: the samples are its expectations, and
/// the page says so.
#[test]
fn a_scenario_without_a_golden_is_documented_from_its_expectations() {
    let mut loaded = load_file(&root().join(SEEDS[0])).expect("loads");
    loaded.path = PathBuf::from(SEEDS[0]);
    let source = DocSource {
        loaded: &loaded,
        golden: None,
        golden_file: PathBuf::from("golden/vendor/facebook/complete.json"),
    };
    let files = render_docs(&[source], Path::new("docs/reference"), DocsFormat::Markdown);
    let page = &files[&PathBuf::from("facebook/complete.md")];
    assert!(
        page.contains("| Samples | the scenario's expectations (no golden recorded at `golden/vendor/facebook/complete.json`) |"),
        "{page}"
    );
    assert!(
        page.contains("\"referenceId\": \"<integer>\""),
        "matchers as placeholders: {page}"
    );
    assert!(
        page.contains("| `/referenceId` | an integer, any value | — |"),
        "{page}"
    );
    assert!(
        page.contains("GWS--)agent1: 1. StatusChange: Completed"),
        "{page}"
    );
}
