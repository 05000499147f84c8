#!/usr/bin/env bash
# The page images and what was read from them, through the real commands: `intake process` on a
# sample with a born-digital letter and a scan keeps each page's image and its words with their
# boxes in the case folder (.pages/), and the words in each fact's boxes spell the fact's value;
# `intake serve` hands the image to a logged-in user, 401 without credentials, 400/404 for ids
# that are not ids (../), and nothing for a case or page that does not exist.
# usage: serve_pages.sh INTAKE SUBMISSION_FOLDER
set -euo pipefail
intake="$1"
submission="$2"
[ -d "$submission" ] || { echo "no sample at $submission (build the intake-samples target)"; exit 1; }
T=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# shellcheck source=serve_lib.sh
source "$(dirname "$0")/serve_lib.sh"
mkdir -p "$T/out"

id=$("$intake" process "$submission" --out "$T/out" 2> "$T/process.log" | sed -n 's/^case \([^ ]*\) .*/\1/p')
[ -n "$id" ] || fail "intake process made no case"
case_dir="$T/out/$id"
[ -d "$case_dir/.pages" ] || fail "no .pages folder in the case folder"

# Every page has its image and words; each fact read from a page has boxes, and the words in
# them hold the fact's value (spaces and full-width forms aside).
python3 - "$case_dir" <<'PY' || fail "page files or fact boxes wrong"
import json, os, sys, unicodedata
case = sys.argv[1]
report = json.load(open(os.path.join(case, "report.json")))
norm = lambda s: "".join(unicodedata.normalize("NFKC", s).split())
pages = {p["id"]: p for p in report["pages"]}
sources = set()
for p in report["pages"]:
    assert p["image"] and p["words"], p["id"]
    assert os.path.isfile(os.path.join(case, p["image"])), p["image"]
    text = json.load(open(os.path.join(case, p["words"])))
    assert text["width"] > 0 and text["height"] > 0
    assert any(l["words"] for l in text["lines"]), "no words on " + p["id"]
    sources.add(p["text_source"])
checked = 0
for name in ("department", "patient_name", "patient_name_kana", "diagnosis"):
    fact = report["facts"][name]
    page = fact["source"]["page"]
    if not page or not isinstance(fact["value"], str):
        continue
    boxes = [tuple(b) for b in fact["source"]["boxes"]]
    assert boxes, name + " has no boxes"
    text = json.load(open(os.path.join(case, pages[page]["words"])))
    words = "".join(w["text"] for l in text["lines"] for w in l["words"] if tuple(w["box"]) in boxes)
    value = fact.get("read_as") or fact["value"]
    assert norm(value) in norm(words), (name, value, words)
    checked += 1
assert checked >= 3, "only %d facts checked" % checked
assert sources == {"ocr", "pdf_text"}, sources
print("facts checked:", checked)
PY

echo "clerk-password-1" | "$intake" user add clerk1 --role clerk --out "$T/out" > /dev/null
start_serve "$intake" "$T/out" "$T/serve.log"
base="http://127.0.0.1:$port"
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }

[ "$(code -u clerk1:clerk-password-1 "$base/api/cases/$id/pages/p0001/image")" = 200 ] ||
  fail "the page image was not served to a logged-in user"
head -c 3 "$T/body" | od -An -tx1 | grep -q 'ff d8 ff' || fail "the page image is no JPEG"
[ "$(code -u clerk1:clerk-password-1 "$base/api/cases/$id/pages/p0001")" = 200 ] ||
  fail "the page's words were not served"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["lines"]' "$T/body" ||
  fail "the page's words are not JSON"
[ "$(code "$base/api/cases/$id/pages/p0001/image")" = 401 ] || fail "the image was served without login"
[ "$(code -u clerk1:wrong-password "$base/api/cases/$id/pages/p0001/image")" = 401 ] ||
  fail "the image was served for a wrong password"
for path in "/api/cases/$id/pages/../image" "/api/cases/$id/pages/..%2F..%2Freport.json/image" \
            "/api/cases/..%2F$id/pages/p0001/image" "/api/cases/$id/pages/p0001%2F..%2F..%2Faudit.log" \
            "/api/cases/$id/pages/p9999/image" "/api/cases/20990101-00000000/pages/p0001/image"; do
  got=$(code --path-as-is -u clerk1:clerk-password-1 "$base$path")
  case "$got" in 400|404) ;; *) fail "$path answered $got" ;; esac
done
echo "serve.pages: OK"
