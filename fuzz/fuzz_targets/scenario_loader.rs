//! The scenario loader on arbitrary text: YAML parsing, item-by-item recovery, validation and
//! the location helpers must never panic, whatever the file holds; every problem they report
//! must carry a bounded message.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    if let Err(problems) = gws_contract::scenario::load_str(Path::new("fuzz.yaml"), text) {
        for problem in problems {
            assert!(problem.message.chars().count() < 2_000, "unbounded message");
            if let Some(line) = &problem.source_line {
                assert!(line.chars().count() < 2_000, "unbounded source line");
            }
        }
    }
});
