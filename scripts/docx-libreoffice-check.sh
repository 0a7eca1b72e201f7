#!/usr/bin/env bash
# Open every template's DOCX export in LibreOffice (headless), convert it to
# PDF and check the text survived: the "opens in LibreOffice" check of
# docs/export.md. Needs `soffice` (Debian: libreoffice-writer-nogui) and
# `pdftotext` (poppler-utils); not part of CI because LibreOffice is a
# 300 MB install for one check.
#
#   scripts/docx-libreoffice-check.sh [SAMPLE.json]
set -euo pipefail
cd "$(dirname "$0")/.."
sample="${1:-export/samples/sample.json}"
for tool in soffice pdftotext; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo build -q -p vitae-export --example render
render="${CARGO_TARGET_DIR:-target}/debug/examples/render"
for template in classic modern compact academic ats timeline; do
  "$render" "$sample" "$template" docx "$out/$template.docx"
done
name="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["basics"]["name"])' "$sample")"
(cd "$out" && timeout 300 soffice --headless --convert-to pdf ./*.docx >/dev/null 2>&1)
status=0
for pdf in "$out"/*.pdf; do
  words="$(pdftotext "$pdf" - | wc -w)"
  if pdftotext "$pdf" - | grep -q "$name"; then
    echo "ok   $(basename "$pdf" .pdf): $words words"
  else
    echo "FAIL $(basename "$pdf" .pdf): the name is missing ($words words)"
    status=1
  fi
done
exit $status
