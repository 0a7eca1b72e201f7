//! A short, deterministic fuzz run for CI, with the same contract as the
//! cargo-fuzz targets in `parser/fuzz/`: whatever the bytes, `parse` ends in
//! `Ok` or a `ParseError` (never a panic, which `parse` reports as an
//! "internal error") and within its deadline.
//!
//! Seeds are the end-to-end fixtures (a PDF, DOCX, Markdown, text and JSON
//! Resume) plus a few hostile shapes; each round applies stacked mutations
//! (bit flips, byte runs, truncation, splices, duplicated chunks) from a
//! fixed-seed generator, so a failure reproduces exactly. The long runs are
//! `cargo fuzz run <target>` (see parser/fuzz/README.md).

use std::path::Path;
use std::time::{Duration, Instant};

use vitae_parser::{parse, Budget, Format};

/// Mutated inputs per seed (`VITAE_FUZZ_ROUNDS` overrides it for a longer run).
const ROUNDS_PER_SEED: usize = 400;
/// The deadline each parse gets, and how far past it a parse may end.
const DEADLINE: Duration = Duration::from_secs(2);
const GRACE: Duration = Duration::from_secs(2);

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = [0, 0xff, b'(', b')', b'<', b'>', b'[', b'/', b'\\', 0x80][rng.below(10)];
            }
            2 => {
                let i = rng.below(len + 1);
                let run = vec![rng.next() as u8; 1 + rng.below(64)];
                data.splice(i..i, run);
            }
            3 if len > 1 => data.truncate(rng.below(len)),
            4 if len > 1 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(256)).min(len);
                data.drain(a..b);
            }
            5 if len > 1 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(4096)).min(len);
                let chunk = data[a..b].to_vec();
                let at = rng.below(len);
                data.splice(at..at, chunk);
            }
            _ if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            _ => data.push(rng.next() as u8),
        }
    }
    data
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(format: Format, data: &[u8], what: &str) {
    let budget = Budget {
        deadline: Some(Instant::now() + DEADLINE),
        ..Budget::default()
    };
    let started = Instant::now();
    let result = parse(data, format, &budget, &mut |_, _| {});
    let took = started.elapsed();
    if let Err(e) = &result {
        assert!(
            !e.to_string().contains("internal error"),
            "{what}: the parser panicked: {e}"
        );
    }
    assert!(
        took < DEADLINE + GRACE,
        "{what}: took {took:?}, past its {DEADLINE:?} deadline"
    );
}

fn run(format: Format, seeds: &[Vec<u8>], salt: u64) {
    let rounds = std::env::var("VITAE_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(ROUNDS_PER_SEED);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ salt);
    for (s, seed) in seeds.iter().enumerate() {
        check(format, seed, &format!("{format} seed {s}"));
        for round in 0..rounds {
            let input = mutate(&mut rng, seed);
            check(
                format,
                &input,
                &format!("{format} seed {s} round {round} (salt {salt})"),
            );
        }
    }
}

#[test]
fn pdf_survives_mutations() {
    let pdf = fixture("resume.pdf");
    let deep = [
        b"%PDF-1.7\n1 0 obj\n".as_slice(),
        &[b'['; 20_000],
        b"\nendobj\n",
    ]
    .concat();
    run(Format::Pdf, &[pdf, fixture("corrupt.pdf"), deep], 1);
}

#[test]
fn docx_survives_mutations() {
    run(Format::Docx, &[fixture("resume.docx")], 2);
}

#[test]
fn markdown_and_text_survive_mutations() {
    let nested = "> ".repeat(5_000) + "- [x](" + &"(".repeat(5_000);
    run(
        Format::Markdown,
        &[fixture("resume.md"), nested.into_bytes()],
        3,
    );
    run(
        Format::Text,
        &[fixture("resume.txt"), vec![b' '; 50_000]],
        4,
    );
}

#[test]
fn json_survives_mutations() {
    let deep = "[".repeat(100_000);
    run(
        Format::JsonResume,
        &[fixture("resume.json"), deep.into_bytes()],
        5,
    );
}
