"""Baseline for `make bench`: the same work a worker does for one diff request (parse graph, read weights,
build, first run with every node's output, timed repeats), run directly in the framework's Python with no
protocol. Prints one JSON line: {"import_s": .., "wall_ms": ..}.
Usage: workers_direct.py SCRIPTS_DIR FRAMEWORK MODEL_DIR REPEATS"""
import json
import os
import sys
import time

scripts, framework, model_dir, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, scripts)
real_stdout = os.dup(1)
os.dup2(2, 1)   # framework chatter away from our one JSON line, as the worker does
t0 = time.perf_counter()
import numpy as np  # noqa: E402
import irgraph  # noqa: E402
import protocol  # noqa: E402
backend_module = __import__(f"backend_{framework}")
backend = backend_module.Backend()
import_s = time.perf_counter() - t0

graph_text = open(os.path.join(model_dir, "graph.json")).read()
weights_bytes = open(os.path.join(model_dir, "weights.safetensors"), "rb").read()
rng = np.random.default_rng(0)
start = time.perf_counter()
graph = irgraph.Graph(json.loads(graph_text))
weights = protocol.read_safetensors(weights_bytes)
inputs = {}
for n in graph.nodes:
    if n.op == "Input":
        t = n.outputs[0]
        inputs[n.name] = rng.integers(0, 100, t["shape"]).astype(np.int64) if t["dtype"] == "i64" else rng.standard_normal(t["shape"]).astype(np.float32)
model = backend.build(graph, weights, framework)
outputs = model.run(inputs, True)
model.run(inputs, False)   # the worker's warm-up run
for _ in range(repeats):
    model.run(inputs, False)
wall_ms = (time.perf_counter() - start) * 1e3
os.write(real_stdout, (json.dumps({"import_s": import_s, "wall_ms": wall_ms}) + "\n").encode())
