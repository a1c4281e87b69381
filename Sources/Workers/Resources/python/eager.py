"""The eager program every non-ONNX backend runs: weights as framework tensors, the IR walked node by node,
every node's output kept for localization. `post_node` lets the test-only fault injector corrupt one op."""
import contextlib
import time

import numpy as np

import generic
import irgraph as ir

NUMPY_DTYPES = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i32": np.int32, "i64": np.int64, "bool": np.bool_}


class EagerModel:
    def __init__(self, backend, graph, weights):
        self.b = backend
        self.graph = graph
        self.np_weights = dict(weights)
        self.shapes, self.flips = generic.derived_weights(graph, self.np_weights)
        self.ops = backend.make_ops()
        self.ops.wshapes = self.shapes
        self.ops.wflip = self.flips
        trainable = {}
        for n in graph.nodes:
            for w in n.weight_names:
                trainable[n.key(w)] = n.trainable.get(w, True)
        self.trainable = trainable
        self.W = {k: backend.weight(v, trainable.get(k, False)) for k, v in self.np_weights.items()}
        self.input_types = {n.name: n for n in graph.nodes if n.op == "Input"}
        self.post_node = None
        self.forward = self._forward

    def check(self):
        for n in self.graph.nodes:
            if n.op != "Input" and not hasattr(self.ops, "op_" + n.op):
                raise generic.Unsupported(f"{n.op} ({n.name}) is not supported by {self.b.name}")

    def _forward(self, W, inputs, want_all):
        env = {}
        shapes = {}
        for n in self.graph.nodes:
            if n.op == "Input":
                outs = [inputs[n.name]]
            else:
                args = [env[r][i] for (r, i) in n.inputs]
                in_shapes = [shapes[r][i] for (r, i) in n.inputs]
                outs = self.ops.apply(n, args, in_shapes, W)
                if self.post_node is not None:
                    outs = self.post_node(n, outs)
            env[n.name] = outs
            shapes[n.name] = [o["shape"] for o in n.outputs]
        result = {}
        names = [(n.name, k) for n in self.graph.nodes for k in range(len(n.outputs))] if want_all else self.graph.outputs
        for name, k in names:
            result[name if k == 0 else f"{name}:{k}"] = env[name][k]
        for i, (name, k) in enumerate(self.graph.outputs):
            result[f"output:{i}"] = env[name][k]
        return result

    def feed(self, inputs):
        """Each input in the dtype its Input node declares (bf16, which numpy lacks, cast by the framework)."""
        fed = {}
        for k, v in inputs.items():
            declared = self.input_types[k].outputs[0]["dtype"] if k in self.input_types else None
            if declared in NUMPY_DTYPES and v.dtype != NUMPY_DTYPES[declared]:
                v = v.astype(NUMPY_DTYPES[declared])
            fed[k] = self.b.input(v)
            if declared == "bf16":
                fed[k] = self.ops.p.cast(fed[k], "bf16")
        return fed

    def run(self, inputs, want_all):
        out = self.forward(self.W, self.feed(inputs), want_all)
        return {k: self.b.to_numpy(v) for k, v in out.items()}

    def profile(self, inputs, walks=3):
        """Each node's time in ms (median of `walks` walks of the eager path): from the previous node's output
        being ready to this node's, every output waited for (the backend's `sync`, else a copy to numpy) so an
        asynchronous framework's time lands on the node that spent it. A compiled variant's program has no
        nodes to time; its profile is its framework's eager path, which still says where this framework's time
        goes on this model. Only for localizing a slowdown: it runs after the timed repeats."""
        fed = self.feed(inputs)
        sync = getattr(self.b, "sync", None) or self.b.to_numpy
        samples = {}
        mark = [0.0]
        inner = self.post_node

        def timed(n, outs):
            if inner is not None:
                outs = inner(n, outs)
            for o in outs:
                sync(o)
            now = time.perf_counter()
            samples.setdefault(n.name, []).append(now - mark[0])
            mark[0] = now
            return outs

        self.post_node = timed
        try:
            with getattr(self.b, "inference", contextlib.nullcontext)():
                for _ in range(walks):
                    mark[0] = time.perf_counter()
                    self._forward(self.W, fed, False)
        finally:
            self.post_node = inner
        return {name: sorted(v)[len(v) // 2] * 1e3 for name, v in samples.items()}


def mse(p, y, t):
    d = p.sub(y, t)
    return p.reduce("mean", p.mul(d, d), list(range(len(t.shape))), False)
