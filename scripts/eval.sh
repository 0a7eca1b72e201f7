#!/usr/bin/env bash
# Parser accuracy on the evaluation set: builds release, parses every document
# of $EVAL_DIR/docs into a temp dir, scores it with the set's score.py.
#   scripts/eval.sh                # ../shared/eval-dev relative to the repo
#   EVAL_DIR=/path/to/set scripts/eval.sh [--json]
# Uses `vitae-server parse` when the server builds, else the parser's own
# parse_dir example (same output: DIR/<stem>.json, the document alone).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
eval_dir="${EVAL_DIR:-$root/../shared/eval-dev}"
eval_dir="$(cd "$eval_dir" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$root"
if [ -z "${VITAE_EVAL_USE_EXAMPLE:-}" ] && cargo build --release -q -p vitae-server 2>/dev/null \
    && "${CARGO_TARGET_DIR:-$root/target}/release/vitae-server" parse --help >/dev/null 2>&1; then
    bin=("${CARGO_TARGET_DIR:-$root/target}/release/vitae-server" parse)
else
    cargo build --release -q -p vitae-parser --example parse_dir
    bin=("${CARGO_TARGET_DIR:-$root/target}/release/examples/parse_dir")
fi
"${bin[@]}" --out-dir "$out" "$eval_dir"/docs/* 2>"$out/stderr.log" || true
grep -E 'failed|files in' "$out/stderr.log" >&2 || true
python3 "$eval_dir/score.py" --truth "$eval_dir/truth" --pred "$out" --manifest "$eval_dir/manifest.csv" "$@"
