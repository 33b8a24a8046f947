//! The Bayeux message decoder on arbitrary response bodies: it must never panic, its errors are
//! bounded, and every message it accepts serialises again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match gws_contract::bayeux::parse_messages(data) {
        Ok(messages) => {
            let _ = serde_json::to_vec(&messages).expect("decoded messages serialise");
        }
        Err(reason) => assert!(reason.len() < 4_000, "unbounded error: {} bytes", reason.len()),
    }
});
