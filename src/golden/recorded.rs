//! What a transcript records as a golden: its document, symbolised with the rules, and the
//! captured variables that symbolisation writes as `${name}`.

use super::document::document;
use super::rules::Rules;
use super::symbols::symbolize;
use crate::matching::Vars;
use crate::runner::Transcript;

/// The golden a transcript records: its document, symbolised with `rules`.
pub fn record(transcript: &Transcript, rules: &Rules) -> serde_json::Value {
    symbolize(&document(transcript), &captured_vars(transcript), rules)
}

/// The variables a transcript captured, with their final values.
pub fn captured_vars(transcript: &Transcript) -> Vars {
    let all = transcript.final_vars();
    transcript
        .captured
        .iter()
        .filter_map(|name| Some((name.clone(), all.get(name)?.clone())))
        .collect()
}
