"""`make bench` for the workers: per model and framework, the protocol's overhead as a ratio — the Swift
side's round trip for one diff-style request on a warm worker (build, first run, warm-up, timed repeats; final
outputs; every weight sent, graph encoded afresh; timed repeats as `diff` times them: at least 5, and more while
they add up to less than its `--min-timed-ms`), over the same work done natively in the same Python process
with no protocol (the worker's `native` request), interleaved in this run (median of the per-sample ratios,
the first sample dropped). Also the round trip with
the weights already held by the worker (what a mutant that kept its parent's weights costs), and each
worker's start-up against a bare import. Target: ratio ≤ 1.05.
Usage: workers_bench.py BIN VENV_PYTHON SCRIPTS_DIR [--frameworks a,b] [--samples N] [--no-startup] [MODELS...]
(BIN is defectlab; fuzz-bench, which drives the requests, sits next to it.)"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

binary, python, scripts = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]
frameworks = ["pytorch", "onnxruntime", "tensorflow", "jax", "mindspore"]
samples, startup, models = 11, True, []
while args:
    a = args.pop(0)
    if a == "--frameworks":
        frameworks = args.pop(0).split(",")
    elif a == "--samples":
        samples = int(args.pop(0))
    elif a == "--no-startup":
        startup = False
    else:
        models.append(a)
models = models or ["lenet5", "resnet50", "lstm-regressor", "mobilenetv2", "textcnn"]
repeats = 5
fuzz_bench = os.path.join(os.path.dirname(binary), "fuzz-bench")
env = {"DEFECTLAB_PYTHON": python, "PATH": "/usr/bin:/bin"}

if startup:
    print("== worker start-up (spawn → handshake) vs a bare import, in a fresh interpreter, of what a script running the models directly needs")
    fw = json.loads(subprocess.run([binary, "frameworks", "--refresh", "--format", "json"], capture_output=True, text=True, check=True, env=env).stdout)
    print(f"{'framework':<14}{'worker s':>10}{'import s':>10}{'ratio':>8}")
    for f in fw["frameworks"]:
        if f.get("variant") or f.get("startup_s") is None or f["name"] not in frameworks:
            continue
        # What a script running these models directly must import: ONNX Runtime runs ONNX models, which are made
        # from the IR with the onnx package (as the worker makes them).
        mod = {"pytorch": "torch", "onnxruntime": "onnxruntime, onnx", "tensorflow": "tensorflow", "jax": "jax", "mindspore": "mindspore"}[f["name"]]
        t = time.perf_counter()
        subprocess.run([python, "-c", f"import {mod}"], capture_output=True, check=True)
        bare = time.perf_counter() - t
        print(f"{f['name']:<14}{f['startup_s']:>10.2f}{bare:>10.2f}{f['startup_s'] / bare:>8.2f}")

print(f"\n== protocol overhead: Swift round trip / native in the same Python process, same request (warm-up, {repeats} timed repeats and more until they fill diff's 20 ms window), "
      f"median of {samples} interleaved samples")
print("cells: round trip ms / native in-process ms = ratio  (ratio with weights already held by the worker)")
print(f"{'model':<16}" + "".join(f"{f:>34}" for f in frameworks))
ratios = {f: [] for f in frameworks}
# The zoo's time as one diff over every seed: each seed's ratio weighted by its native time (the ratio of the
# two medians' sums would be at the mercy of the slowest seeds' noise).
totals = {f: [0.0, 0.0] for f in frameworks}
cached = {f: [] for f in frameworks}
pings = {f: [] for f in frameworks}
floors = {f: [] for f in frameworks}   # per seed: (native + a bare ping's round trip) / native
added = {f: [] for f in frameworks}   # (native ms, what the protocol added in µs: round trip − native) per seed
with tempfile.TemporaryDirectory() as tmp:
    for m in models:
        out = subprocess.run([fuzz_bench, "workers", "--models", m, "--frameworks", ",".join(frameworks), "--python", python,
                              "--save", tmp, "--samples", str(samples), "--repeats", str(repeats)],
                             capture_output=True, text=True, env=env)
        if out.returncode != 0:
            print(f"{m:<16}fuzz-bench workers failed: {out.stderr.strip()[-300:]}")
            continue
        lines = {x["framework"]: x for x in map(json.loads, out.stdout.strip().splitlines())}
        cells = []
        for f in frameworks:
            line = lines.get(f)
            if not line or line["status"] != "ok":
                cells.append(f"{(line or {}).get('status', 'missing'):>34}")
                continue
            r, c = line["ratio"], line["ratio_cached"]
            ratios[f].append(r)
            cached[f].append(c)
            pings[f].append(line["ping_us"])
            floors[f].append((line["native_ms"] + line["ping_us"] / 1000) / line["native_ms"])
            added[f].append((line["native_ms"], (line["wall_ms"] - line["native_ms"]) * 1000))
            totals[f][0] += r * line["native_ms"]
            totals[f][1] += line["native_ms"]
            cells.append(f"{line['wall_ms']:>9.1f} /{line['native_ms']:>8.1f} = {r:5.2f}  ({c:4.2f})")
        print(f"{m:<16}" + "".join(f"{c:>34}" for c in cells))

print("\nper framework, median ratio over the models (weights sent · weights held); target ≤ 1.05;"
      " the floor under any request, a bare ping's round trip, and the median ratio a protocol would reach that only"
      " exchanged two empty frames (native + ping over native); what the protocol added to a request on the framework's"
      " fastest seed (round trip − native: a fixed cost, which the smallest seeds show most and measure best); and all seeds together"
      " (each seed's ratio weighted by its native time: one diff over the whole zoo; weights sent)")
for f in frameworks:
    if ratios[f]:
        print(f"  {f:<14}{statistics.median(ratios[f]):6.3f} · {statistics.median(cached[f]):6.3f}    ping {statistics.median(pings[f]):5.0f} us (floor {statistics.median(floors[f]):5.3f})"
              f"    added {min(added[f])[1]:5.0f} us    all seeds together {totals[f][0] / totals[f][1]:6.3f}")
every = [r for f in frameworks for r in ratios[f]]
if every:
    print(f"overall median {statistics.median(every):.3f}; worst {max(every):.3f}")

# What a wake-up costs on this machine, which every request pays on both sides of the process boundary (the
# native baseline, timed inside an awake worker, does not): the same small step hot and right after 3 ms idle.
probe = r"""
import json, statistics, time
text = json.dumps({"type": "run", "graph_offset": 0, "graph_nbytes": 3120, "payload_slot": "/dev/shm/x" * 8, "repeats": 5,
                   "tensors": [{"name": "input:x", "dtype": "f32", "shape": [1, 1, 28, 28], "offset": 4096, "nbytes": 3136}]})
def timed(pause):
    out = []
    for _ in range(200):
        if pause:
            time.sleep(pause)
        t = time.perf_counter(); json.loads(text); out.append((time.perf_counter() - t) * 1e6)
    return statistics.median(out)
print(f"{timed(0):.1f} {timed(0.003):.1f}")
"""
hot, idle = map(float, subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout.split())
print(f"\nthis machine's wake-up cost: parsing a request header in the worker's Python takes {hot:.1f} us hot and {idle:.1f} us"
      f" right after 3 ms idle ({idle / hot:.1f}x); each step of a request after a wake-up pays this, the native baseline does not")
