//! The golden file store (DESIGN.md §6): where a scenario's golden lives and the canonical
//! JSON it is written in. Recording, placeholders and `.new` review files build on this.

mod canonical;

pub use canonical::{golden_path, to_canonical_json};
