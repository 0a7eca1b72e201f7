//! The one seeded random generator of the tests: `fastrand`'s, seeded from an
//! environment variable when it is set (so a failure replays exactly) and from
//! the clock otherwise. Every test that draws from it prints the seed and the
//! command line that replays it, which `cargo test` shows with the failure.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The variable that sets the seed of every randomised test.
pub const SEED_VAR: &str = "VITAE_TEST_SEED";

/// The seed of this run: `$VITAE_TEST_SEED`, else a fresh one (the same for
/// every test of one test binary).
pub fn test_seed() -> u64 {
    seed_from_env(SEED_VAR)
}

/// The seed in `$var` (decimal, or hexadecimal with `0x`), else a fresh one
/// from the clock, kept for the rest of the process so that all tests of one
/// binary share it. Prints `seed: VAR=0x…` on every call, so each test that
/// uses it shows the seed in its own captured output.
pub fn seed_from_env(var: &str) -> u64 {
    static SEEDS: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();
    let mut seeds = SEEDS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let seed = *seeds.entry(var.to_string()).or_insert_with(|| {
        match std::env::var(var) {
            Ok(v) => parse_seed(&v).unwrap_or_else(|| panic!("{var}={v:?} is not a number")),
            // The clock's nanoseconds, mixed, so two binaries started in the
            // same instant still differ.
            Err(_) => {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos() as u64;
                fastrand::Rng::with_seed(nanos ^ u64::from(std::process::id())).u64(..)
            }
        }
    });
    eprintln!("seed: {var}={seed:#x} (set it to replay this run)");
    seed
}

fn parse_seed(v: &str) -> Option<u64> {
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// The generator of one stream of a run: the same `seed` and `stream` always
/// give the same numbers, and different streams (say `[round, task]`) are
/// independent, so concurrent tasks draw without sharing one generator.
pub fn seeded_rng(seed: u64, stream: &[u64]) -> fastrand::Rng {
    let mut rng = fastrand::Rng::with_seed(seed);
    for &part in stream {
        // Each step re-seeds from the previous generator's output, which
        // fastrand's mixing makes unrelated for neighbouring `part`s.
        rng = fastrand::Rng::with_seed(rng.u64(..) ^ part);
    }
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_as_decimal_or_hex() {
        assert_eq!(parse_seed("42"), Some(42));
        assert_eq!(parse_seed(" 0x2a "), Some(42));
        assert_eq!(parse_seed("0XFF"), Some(255));
        assert_eq!(parse_seed("forty-two"), None);
    }

    #[test]
    fn streams_replay_and_differ() {
        let draw = |stream: &[u64]| {
            let mut r = seeded_rng(7, stream);
            (0..4).map(|_| r.u64(..)).collect::<Vec<_>>()
        };
        assert_eq!(draw(&[1, 2]), draw(&[1, 2]));
        assert_ne!(draw(&[1, 2]), draw(&[1, 3]));
        assert_ne!(draw(&[1, 2]), draw(&[2, 2]));
        assert_ne!(draw(&[]), draw(&[0]));
    }
}
