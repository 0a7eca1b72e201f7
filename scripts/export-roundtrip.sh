#!/usr/bin/env bash
# The export round trip: every ground-truth resume of an evaluation set,
# every template, PDF and DOCX, rendered by vitae-export, parsed back by
# vitae-parser, scored with the set's score.py. Prints one row per
# template and format (micro-F1 over all scored fields) and fails when any
# row is under the threshold.
#   scripts/export-roundtrip.sh                    # ../shared/eval-dev, threshold 0.98
#   EVAL_DIR=/path/to/set MIN_F1=0.95 scripts/export-roundtrip.sh [--templates a,b] [--formats pdf]
#   KEEP=DIR scripts/export-roundtrip.sh           # keep files, text and predictions in DIR
#   RELEASE=1 scripts/export-roundtrip.sh          # build the driver optimised
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
eval_dir="${EVAL_DIR:-$root/../shared/eval-dev}"
min_f1="${MIN_F1:-0.98}"
if [ ! -d "$eval_dir/truth" ] || [ ! -f "$eval_dir/score.py" ]; then
    echo "no evaluation set at $eval_dir (truth/ and score.py); set EVAL_DIR" >&2
    exit 2
fi
eval_dir="$(cd "$eval_dir" && pwd)"
cd "$root"
profile=debug
build=(cargo build -q -p vitae-export --example roundtrip)
if [ -n "${RELEASE:-}" ]; then
    profile=release
    build+=(--release)
fi
"${build[@]}"
bin="${CARGO_TARGET_DIR:-$root/target}/$profile/examples/roundtrip"
if [ -n "${KEEP:-}" ]; then
    out="$KEEP"
    mkdir -p "$out"
    extra=(--keep)
else
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
    extra=()
fi
status=0
"$bin" --truth "$eval_dir/truth" --out "$out" "${extra[@]}" "$@" || status=$?
printf '\n%-10s %-6s %8s %8s %8s\n' template format precision recall f1
below=0
for dir in "$out"/*-pdf "$out"/*-docx; do
    [ -d "$dir" ] || continue
    name="$(basename "$dir")"
    python3 "$eval_dir/score.py" --truth "$eval_dir/truth" --pred "$dir" \
        --manifest "$eval_dir/manifest.csv" --json >"$out/$name.score.json"
    row="$(python3 - "$out/$name.score.json" "$min_f1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["overall"]
ok = s["f1"] >= float(sys.argv[2])
print(f'{s["precision"]:8.4f} {s["recall"]:8.4f} {s["f1"]:8.4f}{"" if ok else "  < threshold"}')
PY
)"
    printf '%-10s %-6s %s\n' "${name%-*}" "${name##*-}" "$row"
    case "$row" in *threshold*) below=1 ;; esac
done
if [ "$status" -ne 0 ]; then
    echo "some renders or parses failed (see above)" >&2
    exit "$status"
fi
if [ "$below" -ne 0 ]; then
    echo "a template is under micro-F1 $min_f1" >&2
    exit 1
fi
