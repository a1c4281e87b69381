#!/usr/bin/env bash
# Crawl benchmark against tracker-sim (release build): requests per 1,000 issues (ideal 10 at 100 a page),
# issues parsed and stored per second without throttling (target >= 5,000/s, with the simulator's own
# serving rate measured in the same run as the baseline), and requests wasted by one kill-and-resume
# (target: at most the page in flight).
set -euo pipefail
bin="$1/defectlab"; sim="$1/tracker-sim"
d=$(mktemp -d /tmp/bench-crawl.XXXXXX); trap 'kill $spid 2>/dev/null; rm -rf "$d"' EXIT
"$sim" --port 0 --seed 1 --github pytorch/pytorch=20000 > "$d/sim.out" 2>&1 & spid=$!
for _ in $(seq 100); do grep -q 'listening on' "$d/sim.out" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$d/sim.out")
req() { curl -s "$url/_sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests_total"])'; }
# Baseline: the simulator alone, every page fetched by curl with no storing.
t0=$(date +%s.%N); next="$url/repos/pytorch/pytorch/issues?state=all&sort=updated&direction=asc&per_page=100"
while [ -n "$next" ]; do
  next=$(curl -s -D - -o /dev/null "$next" | tr -d '\r' | sed -n 's/^link: .*<\([^>]*\)>; rel="next".*/\1/p')
done
t1=$(date +%s.%N); r0=$(req)
"$bin" crawl github pytorch/pytorch --api-url "$url" --db "$d/a.sqlite" --no-progress > /dev/null
t2=$(date +%s.%N); r1=$(req)
# Kill once mid-crawl, resume, and count the extra requests over an uninterrupted crawl.
( "$bin" crawl github pytorch/pytorch --api-url "$url" --db "$d/b.sqlite" --no-progress > /dev/null 2>&1 & p=$!; sleep 0.8; kill -9 $p ) 2>/dev/null || true
sleep 0.2
"$bin" crawl github pytorch/pytorch --api-url "$url" --db "$d/b.sqlite" --no-progress > /dev/null
r2=$(req)
python3 - "$t0" "$t1" "$t2" "$r0" "$r1" "$r2" <<'PY'
import sys
t0,t1,t2=map(float,sys.argv[1:4]); r0,r1,r2=map(int,sys.argv[4:7])
issues=20000
crawl=r1-r0; resumed=r2-r1
print(f"crawl: requests per 1,000 issues  {1000*crawl/issues:.1f}  (ideal 10.0; {crawl} requests incl. 1 label list, {issues//5} PRs mixed in)")
rate=issues/(t2-t1); base=(issues*1.2)/(t1-t0)
print(f"crawl: issues parsed+stored per s {rate:,.0f}  (target 5,000: {rate/5000:.2f}x; simulator+curl alone serve {base:,.0f} items/s, crawl/baseline {rate/base:.2f})")
print(f"crawl: requests wasted by one kill-and-resume  {resumed-crawl}  (target <= 1 page in flight + 1 label re-list (304))")
PY
