#!/usr/bin/env bash
# A whole five-minute session with nothing but curl and python3, against a
# server started with `tessera serve --demo`:
#
#   API=http://127.0.0.1:8080 mobile-examples/curl/quickstart.sh
#
# Logs in as the demo staff account, claims a session, answers every task in
# the bundle with a valid answer built from its answer_schema, sends them in
# one POST /v1/answers, sends the very same batch again to show that a retry
# is neither lost nor counted twice, and prints the credited seconds.
# Any non-2xx answer stops the script with the server's problem report.
set -euo pipefail

API=${API:-http://127.0.0.1:8080}
EMAIL=${EMAIL:-staff@demo.tessera.test}
PASSWORD=${PASSWORD:-tessera-demo}
# Seconds to "work" before answering. The server credits no more than the
# time that really passed since the tasks were leased, so answering at once
# would earn nothing.
PAUSE=${PAUSE:-10}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# call METHOD PATH [JSON-BODY]: prints the response body; fails loudly on a
# status outside 2xx. Uses $TOKEN when set.
call() {
  local method=$1 path=$2 body=${3:-} status
  local args=(-sS -X "$method" -o "$work/body" -w '%{http_code}' -H 'accept: application/json')
  [[ -n ${TOKEN:-} ]] && args+=(-H "authorization: Bearer $TOKEN")
  [[ -n $body ]] && args+=(-H 'content-type: application/json' --data-binary "$body")
  status=$(curl "${args[@]}" "$API$path") || {
    echo "error: could not reach $API$path (is 'tessera serve --demo' running?)" >&2
    exit 1
  }
  if [[ $status != 2?? ]]; then
    echo "error: $method $path answered $status:" >&2
    cat "$work/body" >&2
    echo >&2
    exit 1
  fi
  cat "$work/body"
}

# json EXPRESSION: evaluates a Python expression over the JSON on stdin (`d`).
json() {
  python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

echo "== Logging in as $EMAIL at $API"
credentials=$(EMAIL=$EMAIL PASSWORD=$PASSWORD python3 -c '
import json, os; print(json.dumps({"email": os.environ["EMAIL"], "password": os.environ["PASSWORD"]}))')
# Responses go to files rather than pipes, so a failed call stops the script
# right there instead of feeding an empty body to the next command.
call POST /v1/auth/login "$credentials" >"$work/login.json"
TOKEN=$(json 'd["access_token"]' <"$work/login.json")

echo "== Claiming a 5-minute session"
call POST /v1/sessions '{"minutes": 5}' >"$work/session.json"
json '"session %s: %d tasks for %d minutes" % (d["session_id"], len(d["tasks"]), d["minutes"])' <"$work/session.json"
if [[ $(json 'len(d["tasks"])' <"$work/session.json") == 0 ]]; then
  echo "error: the server had no tasks for $EMAIL (was it started with --demo?)" >&2
  exit 1
fi

echo "== Working on them for $PAUSE seconds"
sleep "$PAUSE"

# One valid answer per task, read off its answer_schema: the first option of
# each choice, the first option of each multi-choice (as a list), and text
# only where text is required. Each answer gets a fresh client_id, and the
# pause is reported as time spent, shared out evenly in whole seconds (the
# server credits each answer in whole seconds, and never more in all than
# the session's wall-clock time).
python3 - "$work/session.json" "$work/answers.json" "$PAUSE" <<'PY'
import json, sys, uuid

session = json.load(open(sys.argv[1]))
per_task = max(1, round(float(sys.argv[3]) / max(1, len(session["tasks"]))))
answers = []
for task in session["tasks"]:
    answer = {}
    for field in task["answer_schema"]["fields"]:
        kind = field["type"]
        if kind == "choice":
            answer[field["name"]] = field["options"][0]["value"]
        elif kind == "multi_choice":
            answer[field["name"]] = [field["options"][0]["value"]]
        elif kind == "short_text" and field.get("required"):
            answer[field["name"]] = "Answered by the curl quickstart"
    answers.append({
        "client_id": str(uuid.uuid4()),
        "task_id": task["task_id"],
        "answer": answer,
        "seconds_spent": per_task,
    })
    print(f"  {task['task_id'][:8]} {task['kind']:<11} {json.dumps(answer)}")
json.dump({"answers": answers}, open(sys.argv[2], "w"))
PY

echo "== Sending $(json 'len(d["answers"])' <"$work/answers.json") answers in one batch"
call POST /v1/answers "$(cat "$work/answers.json")" >"$work/first.json"
json '"\n".join("  %s %-8s %3ds credited%s" % (r["client_id"][:8], r["status"], r["credited_seconds"],
  "" if not r.get("feedback") else "  (practice question: %s)" % ("right" if r["feedback"]["correct"] else "wrong"))
  for r in d["results"])' <"$work/first.json"

echo "== Sending the same batch again (a retry after a lost response)"
call POST /v1/answers "$(cat "$work/answers.json")" >"$work/again.json"
# Idempotent: every client_id comes back with the same credited seconds.
python3 - "$work/first.json" "$work/again.json" <<'PY'
import json, sys

first, again = (json.load(open(path))["results"] for path in sys.argv[1:3])
before = {r["client_id"]: r["credited_seconds"] for r in first}
after = {r["client_id"]: r["credited_seconds"] for r in again}
if before != after:
    sys.exit(f"error: the retry changed what was credited: {before} then {after}")
print(f"  same {len(after)} client_ids, same credit: nothing lost, nothing counted twice")
PY

total=$(json 'sum(r["credited_seconds"] for r in d["results"])' <"$work/first.json")
echo "== Credited: $total seconds (at most the time that passed since the session started)"
