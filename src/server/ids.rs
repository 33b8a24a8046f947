//! Identifier generation in GWS's shapes: 16-character interaction ids, 16-hex participant
//! ids, 32-hex user ids, 40-hex CometD client ids.

use rand::Rng;

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// An interaction id like `0002DaAVKJ0V0095` (upper-case alphanumerics).
pub(crate) fn interaction_id() -> String {
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALNUM[rng.random_range(0..ALNUM.len())]))
        .collect()
}

/// `n` random lowercase hex digits.
pub(crate) fn hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

/// A hyphenated UUID-shaped id like `4a92be65-ec55-4aa2-b9df-9518fd870f2f` (CSRF tokens, and
/// user ids in the conforming variant).
pub(crate) fn uuid_like() -> String {
    let h = hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A participant id like `007355E6EDFA0107`.
pub(crate) fn participant_id() -> String {
    hex(16).to_uppercase()
}
