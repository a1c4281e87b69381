#!/usr/bin/env bash
# Crawl benchmark against tracker-sim (release build): requests per 1,000 issues (ideal 10 at 100 a page),
# issues parsed and stored per second without throttling (target >= 5,000/s), and requests wasted by one
# kill-and-resume (target: at most the page in flight).
#
# Every rate is also given as a ratio to a baseline measured in the same run on the same machine: curl alone
# fetching the same list (one process, keep-alive, bodies thrown away) by page number, where the crawl asks each
# page from the last item's time (`since`): the same items in as many pages, give or take one. That is the most a
# crawler could do against this simulator here, so "crawl/baseline" says how much the parsing and storing cost,
# whatever else the machine is busy with.
set -euo pipefail
bin="$1/defectlab"; sim="$1/tracker-sim"
issues=${BENCH_ISSUES:-20000}
d=$(mktemp -d /tmp/bench-crawl.XXXXXX); trap 'kill $spid 2>/dev/null; rm -rf "$d"' EXIT
"$sim" --port 0 --seed 1 --github pytorch/pytorch=$issues > "$d/sim.out" 2>&1 & spid=$!
for _ in $(seq 100); do grep -q 'listening on' "$d/sim.out" && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$d/sim.out")
req() { curl -s "$url/_sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests_total"])'; }
now() { date +%s.%N; }

# The page URLs the crawl will follow: the first, then the link header's pages up to rel="last".
first="$url/repos/pytorch/pytorch/issues?state=all&sort=updated&direction=asc&per_page=100"
last=$(curl -s -D - -o /dev/null "$first" | tr -d '\r' | sed -n 's/^link: .*<\([^>]*\)>; rel="last".*/\1/p')
pages=${last##*page=}; base=${last%page=*}
{ echo "url = \"$first\""; echo 'output = "/dev/null"'
  for p in $(seq 2 "$pages"); do echo "url = \"${base}page=$p\""; echo 'output = "/dev/null"'; done; } > "$d/pages.curl"
fetch_all() { local t0; t0=$(now); curl -s -K "$d/pages.curl"; echo "$t0 $(now)"; }
read -r c0 c1 < <(fetch_all)   # cold: the simulator renders and caches each page
read -r b0 b1 < <(fetch_all)   # baseline: warm simulator, curl only

# The crawler's own CPU time too (user + sys): on a machine shared with other jobs it says more than the clock.
cpu() { if [ -x /usr/bin/time ]; then /usr/bin/time -f "%U %S" -a -o "$d/cpu" "$@"; else "$@"; fi; }
r0=$(req); t0=$(now)
cpu "$bin" crawl github pytorch/pytorch --api-url "$url" --db "$d/a.sqlite" --no-progress > /dev/null
t1=$(now); r1=$(req)
cpu "$bin" crawl github pytorch/pytorch --api-url "$url" --db "$d/a2.sqlite" --no-progress > /dev/null
t2=$(now)
# Kill once mid-crawl, resume, and count the extra requests over an uninterrupted crawl.
( "$bin" crawl github pytorch/pytorch --api-url "$url" --db "$d/b.sqlite" --no-progress > /dev/null 2>&1 & p=$!; sleep 0.8; kill -9 $p ) 2>/dev/null || true
sleep 0.2
r2=$(req)
"$bin" crawl github pytorch/pytorch --api-url "$url" --db "$d/b.sqlite" --no-progress > /dev/null
r3=$(req)
stored=$(sqlite3 "$d/a.sqlite" 'SELECT COUNT(*) FROM issue' 2>/dev/null || echo "$issues")
cpus=$(cat "$d/cpu" 2>/dev/null | awk '{printf "%s,", $1 + $2}')
python3 - "$issues" "$stored" "$pages" "$c0" "$c1" "$b0" "$b1" "$t0" "$t1" "$t2" "$r0" "$r1" "$r2" "$r3" "$cpus" <<'PY'
import sys
cpu = [float(x) for x in sys.argv[15].split(",") if x]
issues, stored, pages = map(int, sys.argv[1:4])
c0, c1, b0, b1, t0, t1, t2 = map(float, sys.argv[4:11])
r0, r1, r2, r3 = map(int, sys.argv[11:15])
crawl = r1 - r0
killed, resumed = r2 - r1 - crawl, r3 - r2
base = issues / (b1 - b0); cold = issues / (c1 - c0)
runs = [issues / (t1 - t0), issues / (t2 - t1)]
rate = max(runs)
print(f"crawl: baseline (curl alone, same {pages} pages, keep-alive)  {base:,.0f} issues/s  ({b1-b0:.2f} s; cold simulator {cold:,.0f}/s)")
print(f"crawl: issues parsed+stored per s  {rate:,.0f}  (runs {runs[0]:,.0f} / {runs[1]:,.0f}; {stored} stored)  "
      f"target 5,000: {rate/5000:.2f}x  crawl/baseline {rate/base:.2f}")
if cpu:
    print(f"crawl: crawler CPU (user+sys) per run  {' / '.join(f'{c:.2f} s' for c in cpu)}  = {issues/min(cpu):,.0f} issues per CPU-second")
print(f"crawl: requests per 1,000 issues  {1000*crawl/issues:.1f}  (ideal 10.0; {crawl} requests incl. 1 label list, {issues//5} PRs mixed in)")
print(f"crawl: requests wasted by one kill-and-resume  {killed + resumed - crawl}  "
      f"(killed run {killed}, resumed run {resumed}; target <= 1 page in flight + 1 label re-list (304))")
PY
