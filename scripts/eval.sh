#!/usr/bin/env bash
# Parser accuracy on the evaluation sets: builds release once, parses every
# document of each set into a temp dir, scores it with the set's score.py
# (tables by field group, renderer and format).
#   scripts/eval.sh                        # ../shared/eval-dev and ../shared/eval-dev2
#   EVAL_DIR=/path/to/set scripts/eval.sh [--json]   # one set
# Uses `vitae-server parse` when the server builds, else the parser's own
# parse_dir example (same output: DIR/<stem>.json, the document alone).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -n "${EVAL_DIR:-}" ]; then
    sets=("$EVAL_DIR")
else
    sets=()
    for s in "$root/../shared/eval-dev" "$root/../shared/eval-dev2"; do
        [ -d "$s" ] && sets+=("$s")
    done
    if [ ${#sets[@]} -eq 0 ]; then
        echo "no evaluation set found (../shared/eval-dev, ../shared/eval-dev2); set EVAL_DIR" >&2
        exit 2
    fi
fi
cd "$root"
if [ -z "${VITAE_EVAL_USE_EXAMPLE:-}" ] && cargo build --release -q -p vitae-server 2>/dev/null \
    && "${CARGO_TARGET_DIR:-$root/target}/release/vitae-server" parse --help >/dev/null 2>&1; then
    bin=("${CARGO_TARGET_DIR:-$root/target}/release/vitae-server" parse)
else
    cargo build --release -q -p vitae-parser --example parse_dir
    bin=("${CARGO_TARGET_DIR:-$root/target}/release/examples/parse_dir")
fi
for set in "${sets[@]}"; do
    eval_dir="$(cd "$set" && pwd)"
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
    echo "== $(basename "$eval_dir") ($eval_dir)"
    "${bin[@]}" --out-dir "$out" "$eval_dir"/docs/* 2>"$out/stderr.log" || true
    grep -E 'failed|files in' "$out/stderr.log" >&2 || true
    python3 "$eval_dir/score.py" --truth "$eval_dir/truth" --pred "$out" --manifest "$eval_dir/manifest.csv" "$@"
    rm -rf "$out"
done
