"""`make bench` for the workers: per seed and framework, the wall time of a diff request as the Swift side sees
it (protocol included) against the same work done directly in the framework's Python (the baseline, same
run); and each worker's start-up against a bare import of its framework. Prints ratios (target ≤ 1.05).
Usage: workers_bench.py BIN VENV_PYTHON SCRIPTS_DIR [MODELS...]"""
import json
import subprocess
import sys
import tempfile
import time

binary, python, scripts = sys.argv[1], sys.argv[2], sys.argv[3]
models = sys.argv[4:] or ["lenet5", "resnet50", "lstm-regressor", "mobilenetv2", "textcnn"]
frameworks = ["pytorch", "onnxruntime", "tensorflow", "jax", "mindspore"]
repeats = 5
env = {"DEFECTLAB_PYTHON": python, "PATH": "/usr/bin:/bin"}

print("== worker start-up (spawn → handshake) vs bare framework import in a fresh interpreter")
fw = json.loads(subprocess.run([binary, "frameworks", "--refresh", "--format", "json"], capture_output=True, text=True, check=True, env=env).stdout)
print(f"{'framework':<14}{'worker s':>10}{'import s':>10}{'ratio':>8}")
for f in fw["frameworks"]:
    if f.get("variant") or f.get("startup_s") is None:
        continue
    mod = {"pytorch": "torch", "onnxruntime": "onnxruntime", "tensorflow": "tensorflow", "jax": "jax", "mindspore": "mindspore"}[f["name"]]
    t = time.perf_counter()
    subprocess.run([python, "-c", f"import {mod}"], capture_output=True, check=True)
    bare = time.perf_counter() - t
    print(f"{f['name']:<14}{f['startup_s']:>10.2f}{bare:>10.2f}{f['startup_s'] / bare:>8.2f}")

print(f"\n== diff request wall time (Swift side, protocol included) vs direct Python (fresh process), {repeats} repeats")
print("cells: diff/direct · diff/in-worker (the protocol alone, same request)")
print(f"{'model':<16}" + "".join(f"{f:>16}" for f in frameworks))
ratios, protocol_ratios = [], []
with tempfile.TemporaryDirectory() as tmp:
    for m in models:
        subprocess.run([binary, "models", "save", m, f"{tmp}/{m}"], capture_output=True, check=True, env=env)
        out = subprocess.run([binary, "diff", "--model", m, "--frameworks", "all", "--repeats", str(repeats), "--format", "json",
                              "--db", f"{tmp}/bench.sqlite"], capture_output=True, text=True, check=True, env=env)
        report = json.loads(out.stdout)
        cells = []
        for f in frameworks:
            line = next(x for x in report["frameworks"] if x["name"] == f)
            direct = json.loads(subprocess.run([python, "Data/python/bench/workers_direct.py", scripts, f, f"{tmp}/{m}", str(repeats)],
                                               capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
            r = line["wall_ms"] / direct["wall_ms"]
            p = line["wall_ms"] / line["worker_ms"]
            ratios.append(r)
            protocol_ratios.append(p)
            cells.append(f"{r:.2f} · {p:.3f}")
        print(f"{m:<16}" + "".join(f"{c:>16}" for c in cells))
ratios.sort()
protocol_ratios.sort()
print(f"\nmedian diff/direct {ratios[len(ratios) // 2]:.3f}; median protocol overhead diff/in-worker {protocol_ratios[len(protocol_ratios) // 2]:.3f} (target ≤ 1.05)")
