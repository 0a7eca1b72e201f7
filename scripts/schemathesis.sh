#!/usr/bin/env bash
# Property-based API testing of a live vitae-server against its own OpenAPI
# document (server/src/http/openapi.json, served at /openapi.json), with
# schemathesis (https://schemathesis.readthedocs.io).
#
# What it proves, for a bounded number of generated requests per operation
# (valid ones and invalid ones): the server never answers 5xx, and every
# answer conforms to the document — a documented status, a documented
# Content-Type, the documented headers, and a body (JSON, or each SSE
# event's JSON payload) that matches the documented schema.
#
# Steps: (a) a Python venv under target/ with a pinned schemathesis;
# (b) start target/debug/vitae-server (build it first) on a free loopback
# port with an empty data dir; (c) seed it: a user token, resumes (ready,
# failed, tailored, and some to delete), a job, share links, revisions, so
# that generated requests reach real records and not only 404s; (d) run
# schemathesis with a fixed seed; (e) stop the server (SIGTERM), print a
# summary, and exit non-zero on any failure.
#
# Nothing leaves the machine: the server listens on 127.0.0.1, schemathesis
# talks only to it, the language-model provider is off (VITAE_* settings
# from the environment are dropped), and pip talks to PyPI only when the
# venv is made.
#
# Knobs (environment):
#   SCHEMATHESIS_MAX_EXAMPLES  generated cases per operation in the fuzzing
#                              phase (default 40; the coverage phase adds its
#                              own boundary cases, the stateful phase chains)
#   SCHEMATHESIS_SEED          default 7878: the same seed, the same requests
#   SCHEMATHESIS_WORKERS       default 1 (with several, hypothesis parses
#                              lambda sources from several threads at once and
#                              trips a CPython 3.11 `ast` bug, "AST constructor
#                              recursion depth mismatch", a runtime error)
#   SCHEMATHESIS_CHECKS        default: the five conformance checks below;
#                              `all` adds checks of how strictly the server
#                              validates (useful locally, see docs/api.md)
#   SCHEMATHESIS_REPORT_DIR    default target/schemathesis-report (JUnit XML,
#                              NDJSON events, the console output)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-40}"
SEED="${SCHEMATHESIS_SEED:-7878}"
WORKERS="${SCHEMATHESIS_WORKERS:-1}"
REPORT_DIR="${SCHEMATHESIS_REPORT_DIR:-target/schemathesis-report}"
VENV=target/schemathesis-venv
SERVER=target/debug/vitae-server
started=$(date +%s)

if [ ! -x "$SERVER" ]; then
  echo "schemathesis: $SERVER is missing; run 'cargo build --workspace --bins' first" >&2
  exit 1
fi

# ---- (a) the venv --------------------------------------------------------------
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian and Ubuntu ship venv separately.
    if command -v apt-get >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq python3-venv
      rm -rf "$VENV"
      python3 -m venv "$VENV"
    else
      echo "schemathesis: python3 -m venv failed" >&2
      exit 1
    fi
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
PY="$VENV/bin/python"
echo "schemathesis: $("$VENV/bin/schemathesis" --version)"

# ---- (b) the server ----------------------------------------------------------------
WORK=$(mktemp -d)
DATA_DIR="$WORK/data"
mkdir -p "$DATA_DIR"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Only loopback, and none of the caller's settings (an `llm_url` would send
# requests elsewhere; a config file could change the limits under test).
# The per-address rate limits are lifted: the fuzzer is one loopback client
# sending thousands of requests, and a 429 would stop it from reaching the
# code behind (the limits have their own tests, tests/tests/limits.rs).
env -u VITAE_CONFIG -u VITAE_LLM_URL -u VITAE_LLM_MODEL -u VITAE_PUBLIC_URL -u VITAE_CORS_ORIGINS \
  -u VITAE_ADDR -u VITAE_DATA_DIR -u VITAE_MAX_UPLOAD_BYTES -u VITAE_QUEUE_CAPACITY \
  RUST_LOG=info \
  "$SERVER" serve --addr 127.0.0.1:0 --data-dir "$DATA_DIR" --heartbeat-secs 1 \
  --share-rate 0 --auth-failures-per-min 0 \
  >"$WORK/stdout" 2>"$WORK/stderr" &
server_pid=$!
URL=""
for _ in $(seq 1 300); do
  URL=$(sed -n 's/^vitae-server listening on \(http:\/\/[^ ]*\).*$/\1/p' "$WORK/stdout" | head -n 1)
  [ -n "$URL" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "schemathesis: the server exited before listening:" >&2
    tail -n 20 "$WORK/stderr" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "schemathesis: the server did not print its listening line within 30 s" >&2
  exit 1
fi
echo "schemathesis: server $URL (pid $server_pid, data $DATA_DIR)"

# ---- (c) seed records and write the schemathesis config --------------------------
# The config binds path ids, share tokens, `against`, `job_id` and
# `preview_hash` to real values part of the time (dictionaries), so
# generated requests reach the handlers' deeper checks, not only the 404 of
# a random id; the rest of the time the values are generated.
ADMIN_TOKEN=$(cat "$DATA_DIR/admin.token")
export URL ADMIN_TOKEN WORK MAX_EXAMPLES
"$PY" - <<'PYTHON'
import json, os, time, urllib.error, urllib.request

url, admin = os.environ["URL"], os.environ["ADMIN_TOKEN"]

def call(method, path, token, body=None, content_type=None, expect=(200, 201, 202)):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if content_type or isinstance(body, (dict, list)):
        req.add_header("Content-Type", content_type or "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    if status not in expect:
        raise SystemExit(f"seeding: {method} {path} answered {status}: {text[:300]!r}")
    return json.loads(text) if text else None

def fixture(name):
    with open(os.path.join("tests/fixtures", name), "rb") as f:
        return f.read()

user = call("POST", "/v1/admin/tokens", admin, {"user": "schemathesis"})["token"]

def upload(name, content_type):
    return call("POST", f"/v1/resumes?filename={name}", user, fixture(name), content_type)["id"]

def wait(rid):
    for _ in range(300):
        r = call("GET", f"/v1/resumes/{rid}", user)
        if r["status"] in ("ready", "failed"):
            return r
        time.sleep(0.1)
    raise SystemExit(f"seeding: resume {rid} did not finish parsing")

main = upload("resume.md", "text/markdown")
other = upload("resume.json", "application/json")
failed = upload("corrupt.pdf", "application/pdf")
doomed = [upload("resume.txt", "text/plain") for _ in range(3)]
confirm_src = upload("resume.md", "text/markdown")
for rid in [main, other, failed, confirm_src, *doomed]:
    wait(rid)
assert wait(main)["status"] == "ready" and wait(failed)["status"] == "failed"
# Revisions 2 and 3 of the main resume, so revisions, restore and rev:N diffs have history.
call("PATCH", f"/v1/resumes/{main}", user, {"basics": {"label": "Staff Engineer"}})
call("PATCH", f"/v1/resumes/{main}", user, {"basics": {"label": None}})
job = call("POST", "/v1/jobs?title=Backend", user, fixture("job_backend.md"), "text/markdown")["id"]
doomed_job = call("POST", "/v1/jobs", user, fixture("job_platform.txt"), "text/plain")["id"]
preview = call("POST", f"/v1/resumes/{main}/tailor", user, {"job_id": job})
tailored = call("POST", f"/v1/resumes/{main}/tailor/confirm", user,
                {"job_id": job, "preview_hash": preview["preview_hash"]})["id"]
# A resume and a job that only `tailor/confirm` gets, with a preview of the
# two: nothing else edits them, so the preview stays current and confirm can
# succeed.
confirm_job = call("POST", "/v1/jobs", user, fixture("job_frontend.json"), "application/json")["id"]
preview = call("POST", f"/v1/resumes/{confirm_src}/tailor", user, {"job_id": confirm_job})
live = call("POST", f"/v1/resumes/{main}/shares", user, {"expires_in_days": 7})["token"]
revoked = call("POST", f"/v1/resumes/{other}/shares", user, {})["token"]
call("DELETE", f"/v1/shares/{revoked}", user)
to_revoke = call("POST", f"/v1/resumes/{other}/shares", user, {"expires_in_days": 1})["token"]

# The account stream's ids are `<epoch>-<seq>`: learn this run's epoch from
# the `resync` an unknown Last-Event-ID gets, so the fuzzer can also send ids
# that replay the seeding's events (and have their payloads checked).
req = urllib.request.Request(url + "/v1/events", headers={
    "Authorization": "Bearer " + user, "Last-Event-ID": "unknown"})
with urllib.request.urlopen(req, timeout=10) as stream:
    while not (line := stream.readline().decode()).startswith("id: "):
        pass
epoch = line[4:].strip().split("-")[0]

def toml_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"

resumes = [main, other, tailored]
config = f"""
headers = {{ Authorization = "Bearer {user}" }}

[generation]
mode = "all"
max-examples = {int(os.environ["MAX_EXAMPLES"])}

[dictionaries.resume_ids]
values = {toml_list(resumes)}
[dictionaries.with_failed]
values = {toml_list([main, failed, other, tailored])}
[dictionaries.confirm_src]
values = {toml_list([confirm_src])}
[dictionaries.confirm_job]
values = {toml_list([confirm_job])}
[dictionaries.doomed_ids]
values = {toml_list(doomed)}
[dictionaries.job_ids]
values = {toml_list([job])}
[dictionaries.doomed_job_ids]
values = {toml_list([doomed_job])}
[dictionaries.view_tokens]
values = {toml_list([live, revoked])}
[dictionaries.revoke_tokens]
values = {toml_list([to_revoke, revoked])}
[dictionaries.against]
values = {toml_list(["rev:1", "rev:2", other, tailored, main + ":rev:1", failed])}
[dictionaries.revisions]
values = [1, 2, 3]
[dictionaries.event_ids]
values = {toml_list([f"{epoch}-1", f"{epoch}-5", f"{epoch}-999999", "0-1"])}
[dictionaries.preview_hashes]
values = {toml_list([preview["preview_hash"]])}

[parameters]
"path.id" = {{ dictionary = "resume_ids", probability = 0.7 }}
"path.revision" = {{ dictionary = "revisions", probability = 0.7 }}
"query.against" = {{ dictionary = "against", probability = 0.7 }}
"body.job_id" = {{ dictionary = "job_ids", probability = 0.7 }}

# The `failed` resume goes only to operations that read it or refuse it
# with 409 at once: given to PATCH, the coverage phase (which sends all its
# body variants to one id) could stop every edit at 409.
[[operations]]
include-path-regex = "^/v1/resumes/[{{]id[}}](/(events|master|shares|diff|tailor))?$"
include-method-regex = "^(GET|POST)$"
parameters = {{ "path.id" = {{ dictionary = "with_failed", probability = 0.7 }} }}

[[operations]]
include-path = "/v1/resumes/{{id}}/tailor/confirm"
parameters = {{ "path.id" = {{ dictionary = "confirm_src", probability = 0.7 }}, "body.job_id" = {{ dictionary = "confirm_job", probability = 0.8 }}, "body.preview_hash" = {{ dictionary = "preview_hashes", probability = 0.8 }} }}

[[operations]]
include-path = "/v1/resumes/{{id}}"
include-method = "DELETE"
parameters = {{ "path.id" = {{ dictionary = "doomed_ids", probability = 0.7 }} }}

[[operations]]
include-path-regex = "^/v1/jobs/"
include-method-regex = "^(GET|PUT)$"
parameters = {{ "path.id" = {{ dictionary = "job_ids", probability = 0.7 }} }}

[[operations]]
include-path = "/v1/jobs/{{id}}"
include-method = "DELETE"
parameters = {{ "path.id" = {{ dictionary = "doomed_job_ids", probability = 0.7 }} }}

[[operations]]
include-path = "/s/{{token}}"
parameters = {{ "path.token" = {{ dictionary = "view_tokens", probability = 0.7 }} }}

[[operations]]
include-path = "/v1/shares/{{token}}"
parameters = {{ "path.token" = {{ dictionary = "revoke_tokens", probability = 0.7 }} }}

# Admin-only operations, with the admin token (the user token's 403 is
# covered by the end-to-end tests).
[[operations]]
include-path-regex = "^/v1/(admin/tokens|logs)$"
headers = {{ Authorization = "Bearer {admin}" }}

# The account and log streams never end on their own: read at most five
# events or one second of each, then judge what arrived; and fewer cases,
# since each may cost that second.
[[operations]]
include-path-regex = "^/v1/(events|logs)$"
request-timeout = 1.0
max-stream-events = 5
generation = {{ max-examples = {min(5, int(os.environ["MAX_EXAMPLES"]))} }}

[[operations]]
include-path = "/v1/events"
parameters = {{ "header.Last-Event-ID" = {{ dictionary = "event_ids", probability = 0.7 }} }}
"""
with open(os.path.join(os.environ["WORK"], "schemathesis.toml"), "w") as f:
    f.write(config)
print(f"schemathesis: seeded 8 resumes (ready, failed, tailored), 4 jobs, 3 share links")
PYTHON

# ---- (d) run -----------------------------------------------------------------------
# The checks that together mean "0 server errors and every response conforms
# to the spec". The config's mode `all` sends valid and invalid requests
# (an invalid one must still get a documented 4xx, never a 5xx).
CHECKS="${SCHEMATHESIS_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance}"
rm -rf "$REPORT_DIR"
mkdir -p "$REPORT_DIR"
REPORT_DIR=$(cd "$REPORT_DIR" && pwd)
set +e
# From the temporary dir: schemathesis keeps a cache of past failures under
# ./.schemathesis and replays them first, which would make runs depend on
# the ones before and litter the checkout.
(cd "$WORK" && "$ROOT/$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" --no-color run "$URL/openapi.json" \
  --checks "$CHECKS" \
  --seed "$SEED" \
  --workers "$WORKERS" \
  --request-timeout 20 \
  --report junit,ndjson \
  --report-junit-path "$REPORT_DIR/junit.xml" \
  --report-ndjson-path "$REPORT_DIR/events.ndjson" \
  >"$REPORT_DIR/output.txt" 2>&1)
status=$?
set -e
cat "$REPORT_DIR/output.txt"

# ---- (e) stop and summarise ------------------------------------------------------------
kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
if grep -q "panicked" "$WORK/stderr"; then
  echo "schemathesis: the server panicked:" >&2
  grep -A5 "panicked" "$WORK/stderr" >&2
  status=1
fi
elapsed=$(( $(date +%s) - started ))
"$PY" - "$REPORT_DIR/events.ndjson" "$elapsed" <<'PYTHON' || status=1
# Per operation: requests sent (every generated case and every stateful
# step) by answer status, and failed checks; then the totals.
import collections, json, sys

path, elapsed = sys.argv[1], sys.argv[2]
per_op = collections.defaultdict(collections.Counter)
failed = collections.defaultdict(set)
errors = []
try:
    lines = open(path).read().splitlines()
except OSError:
    print("schemathesis: no report was written")
    sys.exit(1)
for line in lines:
    event = json.loads(line)
    (kind, body), = event.items()
    if kind == "NonFatalError":
        errors.append(f"{body.get('label', '?')}: {body.get('info', {}).get('message', body)}")
        continue
    if kind != "ScenarioFinished":
        continue
    recorder = body["recorder"]
    def label_of(case_id):
        # Cases of an operation include probes with other methods (405) and
        # OPTIONS (204): they count for the operation they probe. Stateful
        # steps count for the operation they call.
        case = recorder["cases"][case_id]["value"]
        if recorder["label"].split(" ", 1)[0].isupper() and " /" in recorder["label"]:
            return recorder["label"]
        return f"{case['method']} {case['path']}"
    for case_id, interaction in recorder.get("interactions", {}).items():
        label = label_of(case_id)
        response = interaction.get("response")
        per_op[label][response["status_code"] if response else "no answer"] += 1
    for case_id, checks in recorder.get("checks", {}).items():
        for check in checks:
            if check["status"] == "failure":
                failed[label_of(case_id)].add(check["name"])
total = sum(sum(c.values()) for c in per_op.values())
print("\n== schemathesis summary: requests per operation (by status) ==")
for label in sorted(per_op, key=lambda l: (l.split(" ", 1)[1], l)):
    counts = per_op[label]
    statuses = " ".join(f"{k}:{v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
    mark = "FAIL" if label in failed else "ok  "
    print(f"  {mark} {sum(counts.values()):6d}  {label:52s} {statuses}")
    if label in failed:
        print(f"         failed checks: {', '.join(sorted(failed[label]))}")
for error in errors:
    print(f"  ERROR {error}")
print(f"operations: {len(per_op)}; requests (examples run): {total}; "
      f"operations with failures: {len(failed)}; errors: {len(errors)}; elapsed: {elapsed} s")
sys.exit(1 if failed or errors or total == 0 else 0)
PYTHON
exit "$status"
