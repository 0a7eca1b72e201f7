#!/usr/bin/env bash
# Parser speed bench (not a test): documents per second on JOBS cores with
# `vitae-server parse --out-dir`, per-document latency p50/p99, and the same
# for `pdftotext -layout` (text extraction alone) on the same PDFs.
#
#   scripts/parse-bench.sh                 # documents of ../shared/eval-dev/docs
#   scripts/parse-bench.sh DIR             # any directory of .pdf/.docx/.md files
#   REPS=40 JOBS=2 scripts/parse-bench.sh  # repetitions of the file list, parallel processes
#
# Throughput: the file list of a group (one-page PDFs, two-page PDFs, DOCX,
# Markdown) is repeated REPS times and split into JOBS shards; the shards run
# as JOBS parallel `vitae-server parse --out-dir` processes and docs/s is
# files / wall time. pdftotext runs one process per file (that is how it
# works), JOBS at a time via xargs -P. Latency: each file once per repetition
# in its own process (`vitae-server parse FILE`, `pdftotext -layout FILE`),
# so both include process start-up; p50/p99 over all runs.
# Needs: cargo, python3, pdftotext and pdfinfo (apt-get install poppler-utils).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
docs="${1:-$root/../shared/eval-dev/docs}"
docs="$(cd "$docs" && pwd)"
reps="${REPS:-20}"
jobs="${JOBS:-2}"
target="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"

if [ -z "${VITAE_BENCH_USE_EXAMPLE:-}" ] && cargo build --release -q -p vitae-server 2>/dev/null \
    && "$target/release/vitae-server" parse --help >/dev/null 2>&1; then
    bin=("$target/release/vitae-server" parse)
else
    echo "(vitae-server does not build here: using the parser's parse_dir example, same code path)" >&2
    cargo build --release -q -p vitae-parser --example parse_dir
    bin=("$target/release/examples/parse_dir")
fi
echo "binary: ${bin[*]}"
echo "cores: $(nproc) (using $jobs), reps: $reps, docs: $docs"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Groups by format and page count.
one=() two=() docx=() md=()
for f in "$docs"/*; do
    case "$f" in
        *.pdf)
            pages="$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')"
            if [ "${pages:-1}" -le 1 ]; then one+=("$f"); else two+=("$f"); fi ;;
        *.docx) docx+=("$f") ;;
        *.md) md+=("$f") ;;
    esac
done

now() { date +%s.%N; }

# throughput NAME CMD... -- FILES...: JOBS parallel batch processes.
vitae_throughput() {
    local name="$1"; shift
    local files=("$@")
    [ "${#files[@]}" -eq 0 ] && return
    local list=()
    for _ in $(seq "$reps"); do list+=("${files[@]}"); done
    local n="${#list[@]}" per=$(( (${#list[@]} + jobs - 1) / jobs ))
    local t0 t1 pids=()
    t0="$(now)"
    for ((j = 0; j < jobs; j++)); do
        local shard=("${list[@]:$((j * per)):$per}")
        [ "${#shard[@]}" -eq 0 ] && continue
        mkdir -p "$work/out$j"
        "${bin[@]}" --out-dir "$work/out$j" "${shard[@]}" 2>/dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    t1="$(now)"
    python3 -c "n=$n; w=$t1-$t0; print(f'{\"$name\":<26} vitae     {n:>6} docs {w:7.3f} s {n/w:9.1f} docs/s {1000*w/n*$jobs:7.2f} ms/doc/core')"
}

pdftotext_throughput() {
    local name="$1"; shift
    local files=("$@")
    [ "${#files[@]}" -eq 0 ] && return
    local list=()
    for _ in $(seq "$reps"); do list+=("${files[@]}"); done
    local n="${#list[@]}" t0 t1
    t0="$(now)"
    printf '%s\0' "${list[@]}" | xargs -0 -P "$jobs" -I{} pdftotext -layout {} /dev/null 2>/dev/null || true
    t1="$(now)"
    python3 -c "n=$n; w=$t1-$t0; print(f'{\"$name\":<26} pdftotext {n:>6} docs {w:7.3f} s {n/w:9.1f} docs/s {1000*w/n*$jobs:7.2f} ms/doc/core')"
}

# latency NAME CMD...: one process per file, REPS/4 (≥1) rounds; p50/p99 in ms.
latency() {
    local name="$1"; shift
    local kind="$1"; shift
    local files=("$@")
    [ "${#files[@]}" -eq 0 ] && return
    local rounds=$(( reps / 4 )); [ "$rounds" -lt 1 ] && rounds=1
    local out="$work/lat-$name-$kind"
    : > "$out"
    for _ in $(seq "$rounds"); do
        for f in "${files[@]}"; do
            local t0 t1
            t0="$(now)"
            if [ "$kind" = vitae ]; then
                "${bin[@]}" "$f" >/dev/null 2>&1 || true
            else
                pdftotext -layout "$f" /dev/null 2>/dev/null || true
            fi
            t1="$(now)"
            echo "$t0 $t1" >> "$out"
        done
    done
    python3 - "$out" "$name" "$kind" <<'PY'
import sys
ts = sorted((float(b) - float(a)) * 1000 for a, b in (l.split() for l in open(sys.argv[1])))
q = lambda p: ts[min(len(ts) - 1, int(round(p * (len(ts) - 1))))]
print(f"{sys.argv[2]:<26} {sys.argv[3]:<9} {len(ts):>6} runs  p50 {q(0.5):7.2f} ms  p99 {q(0.99):7.2f} ms  (one process per file)")
PY
}

echo
echo "== throughput ($jobs parallel processes)"
vitae_throughput "pdf, one page (${#one[@]})" "${one[@]}"
pdftotext_throughput "pdf, one page (${#one[@]})" "${one[@]}"
vitae_throughput "pdf, two pages (${#two[@]})" "${two[@]}"
pdftotext_throughput "pdf, two pages (${#two[@]})" "${two[@]}"
vitae_throughput "docx (${#docx[@]})" "${docx[@]}"
vitae_throughput "markdown (${#md[@]})" "${md[@]}"
echo
echo "== latency per document"
latency "pdf, one page" vitae "${one[@]}"
latency "pdf, one page" pdftotext "${one[@]}"
latency "pdf, two pages" vitae "${two[@]}"
latency "pdf, two pages" pdftotext "${two[@]}"
latency "docx" vitae "${docx[@]}"
latency "markdown" vitae "${md[@]}"
