//! Fuzz target for the json path: any bytes must end in `Ok` or a `ParseError`
//! within the budget. `parse` turns a panic into an "internal error"
//! `Corrupt`, so that message is treated as a crash here.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use vitae_parser::{parse, Budget, Format};

fuzz_target!(|data: &[u8]| {
    let budget = Budget {
        deadline: Some(Instant::now() + Duration::from_secs(2)),
        ..Budget::default()
    };
    let result = parse(data, Format::JsonResume, &budget, &mut |_, _| {});
    if let Err(e) = result {
        assert!(!e.to_string().contains("internal error"), "{e}");
    }
});
