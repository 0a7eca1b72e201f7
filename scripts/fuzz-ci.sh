#!/usr/bin/env bash
# A short coverage-guided fuzz run of every extractor (the cargo-fuzz targets
# in parser/fuzz), as CI runs it after the tests:
#   scripts/fuzz-ci.sh                  # 20 s per target, fixed seed
#   FUZZ_SECONDS=600 scripts/fuzz-ci.sh # longer, by hand
# The seed is fixed (-seed=1) so a CI run is reproducible; a crash fails the
# run and leaves its input under parser/fuzz/artifacts/<target>/. If cargo-fuzz
# cannot be installed or the targets cannot be built on this machine, the run
# says so and is skipped (the deterministic mutation run in
# parser/tests/fuzz_smoke.rs still ran with the tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${FUZZ_SECONDS:-20}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    if ! cargo install -q cargo-fuzz --locked; then
        echo "fuzz-ci: cargo-fuzz could not be installed; skipping the fuzz run" >&2
        exit 0
    fi
fi
# cargo-fuzz passes -Z flags (sanitizer, coverage); the stable toolchain
# accepts them with RUSTC_BOOTSTRAP, so no nightly toolchain is needed.
export RUSTC_BOOTSTRAP=1
cd "$root/parser"
if ! cargo fuzz build -O >/dev/null 2>&1; then
    echo "fuzz-ci: the fuzz targets did not build here; skipping the fuzz run" >&2
    exit 0
fi
seeds="$(mktemp -d)"
trap 'rm -rf "$seeds"' EXIT
declare -A fixture=([pdf]=resume.pdf [docx]=resume.docx [markdown]=resume.md [text]=resume.txt [json]=resume.json)
for target in pdf docx markdown text json; do
    corpus="$seeds/$target"
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    cp "$root/tests/fixtures/${fixture[$target]}" "$corpus/"
    [ "$target" = pdf ] && cp "$root/tests/fixtures/corrupt.pdf" "$corpus/"
    echo "fuzz-ci: $target for ${secs}s"
    cargo fuzz run -O "$target" "$corpus" -- \
        -max_total_time="$secs" -seed=1 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|SUMMARY|panicked|ERROR" || true
    if [ -n "$(ls -A "fuzz/artifacts/$target" 2>/dev/null)" ]; then
        echo "fuzz-ci: $target found a failing input: parser/fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
echo "fuzz-ci: no failures"
