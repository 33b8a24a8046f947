//! Report files go where they are pointed without replacing what is there: through symbolic
//! links, into FIFOs and devices, to standard output for `-`.

use std::os::unix::fs::FileTypeExt;

use serde_json::Value;

use crate::support::{redact, run_cli};

const COMPLETE: &str = "scenarios/facebook/complete.yaml";

fn json_in(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[tokio::test]
async fn a_symlinked_report_replaces_the_file_it_names_and_keeps_the_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let real = dir.path().join("reports/real.json");
    std::fs::create_dir_all(real.parent().expect("parent")).expect("dir");
    std::fs::write(&real, "old").expect("seed");
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink(&real, &link).expect("link");
    let output = run_cli(&["verify", "--report-json", &link.to_string_lossy(), COMPLETE]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    let report = json_in(&std::fs::read_to_string(&real).expect("written through the link"));
    assert_eq!(report["summary"]["passed"], 1);
}

#[tokio::test]
async fn a_fifo_gets_the_report_and_stays_a_fifo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the FIFO"))
    };
    let output = run_cli(&["verify", "--report-json", &fifo.to_string_lossy(), COMPLETE]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    let report = json_in(&reader.join().expect("reader ends"));
    assert_eq!(report["summary"]["passed"], 1);
    assert!(
        std::fs::metadata(&fifo)
            .expect("still there")
            .file_type()
            .is_fifo()
    );
}

#[tokio::test]
async fn devices_are_written_not_replaced() {
    let output = run_cli(&["verify", "--report-json", "/dev/null", COMPLETE]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    assert!(
        std::fs::metadata("/dev/null")
            .expect("there")
            .file_type()
            .is_char_device()
    );
    // A device that refuses the write is an infrastructure error, and stays a device.
    let full = run_cli(&["verify", "--report-json", "/dev/full", COMPLETE]).await;
    assert_eq!(full.status.code(), Some(3), "{}", redact(&full.stdout));
    assert!(
        std::fs::metadata("/dev/full")
            .expect("there")
            .file_type()
            .is_char_device()
    );
    insta::assert_snapshot!(redact(&full.stderr));
}

#[tokio::test]
async fn a_dash_writes_the_report_to_stdout_and_the_terminal_report_to_stderr() {
    let output = run_cli(&["verify", "--report-json", "-", COMPLETE]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    let report = json_in(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(report["summary"]["passed"], 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("PASS  complete"), "{stderr}");
    let junit = run_cli(&["verify", "--junit", "-", COMPLETE]).await;
    assert_eq!(junit.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&junit.stdout).starts_with("<?xml"));
    let both = run_cli(&["verify", "--junit", "-", "--report-json", "-", COMPLETE]).await;
    assert_eq!(both.status.code(), Some(2));
}

#[tokio::test]
async fn an_open_descriptor_path_is_written_in_place() {
    let output = run_cli(&["verify", "--report-json", "/proc/self/fd/1", COMPLETE]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let start = stdout.find("{\n").expect("the JSON report is on stdout");
    assert_eq!(json_in(&stdout[start..])["summary"]["passed"], 1);
}
