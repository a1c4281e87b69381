"""ONNX Runtime: an ONNX model is made from the IR with onnx.helper (the same generic builder, driven
symbolically: a "tensor" is a value name and each primitive appends a node), checked with onnx.checker, and
run by an InferenceSession from bytes. `onnxruntime-noopt` turns graph optimizations off."""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import generic
import irgraph as ir

OPSET = 18
ONNX_DT = {"f32": TensorProto.FLOAT, "f64": TensorProto.DOUBLE, "f16": TensorProto.FLOAT16, "bf16": TensorProto.BFLOAT16,
           "i32": TensorProto.INT32, "i64": TensorProto.INT64, "bool": TensorProto.BOOL}


class Builder:
    """Symbolic primitives: every call appends ONNX nodes and returns the new value's name."""

    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0
        # The IR node being built: every ONNX node is named `<IR node>#<n>`, so ONNX Runtime's profile (which
        # names kernels by node) can be read back per IR node.
        self.owner = ""

    def fresh(self, hint="v"):
        self.count += 1
        return f"{hint}_{self.count}"

    def node(self, op, inputs, n_out=1, **attrs):
        outs = [self.fresh(op) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=f"{self.owner}#{self.count}", **attrs))
        return outs[0] if n_out == 1 else outs

    def const(self, a):
        name = self.fresh("const")
        self.inits.append(numpy_helper.from_array(np.asarray(a), name))
        return name

    def ints(self, v): return self.const(np.asarray(v, np.int64))

    def add(self, a, b): return self.node("Add", [a, b])
    def sub(self, a, b): return self.node("Sub", [a, b])
    def mul(self, a, b): return self.node("Mul", [a, b])
    def div(self, a, b): return self.node("Div", [a, b])
    def minimum(self, a, b): return self.node("Min", [a, b])
    def maximum(self, a, b): return self.node("Max", [a, b])
    def exp(self, x): return self.node("Exp", [x])
    def log(self, x): return self.node("Log", [x])
    def log1p(self, x): return self.node("Log", [self.node("Add", [x, self.scalar_like(1, x)])])
    def sqrt(self, x): return self.node("Sqrt", [x])
    def abs(self, x): return self.node("Abs", [x])
    def neg(self, x): return self.node("Neg", [x])
    def tanh(self, x): return self.node("Tanh", [x])
    def sigmoid(self, x): return self.node("Sigmoid", [x])
    def erf(self, x): return self.node("Erf", [x])
    def relu(self, x): return self.node("Relu", [x])
    def matmul(self, a, b): return self.node("MatMul", [a, b])
    def transpose(self, x, perm): return self.node("Transpose", [x], perm=list(perm))
    def reshape(self, x, shape): return self.node("Reshape", [x, self.ints(shape)])
    def concat(self, xs, axis): return self.node("Concat", list(xs), axis=axis)
    def slice(self, x, axis, start, end): return self.node("Slice", [x, self.ints([start]), self.ints([end]), self.ints([axis])])
    def gather(self, x, idx, axis): return self.node("Gather", [x, self.ints(idx)], axis=axis)
    def take(self, table, ids): return self.node("Gather", [table, ids], axis=0)

    def pad(self, x, pairs, value):
        pads = [b for b, _ in pairs] + [e for _, e in pairs]
        return self.node("Pad", [x, self.ints(pads), self.scalar_like(value, x)], mode="constant")

    def scalar_like(self, value, x):
        """A scalar in x's dtype (CastLike): ONNX binds both inputs of Add, Mul, Pad to one type, so an f32
        constant beside an f16 tensor is a type error."""
        return self.node("CastLike", [self.const(np.float32(value)), x])

    def reduce(self, kind, x, axes, keep):
        op = {"mean": "ReduceMean", "sum": "ReduceSum", "max": "ReduceMax"}[kind]
        return self.node(op, [x, self.ints(axes)], keepdims=int(keep))

    def conv(self, x, w, stride, dilation, groups):
        return self.node("Conv", [x, w], strides=list(stride), dilations=list(dilation), group=groups)

    def maxpool(self, x, k, s, d):
        return self.node("MaxPool", [x], kernel_shape=list(k), strides=list(s), dilations=list(d))

    def sumpool(self, x, k, s):
        return self.mul(self.node("AveragePool", [x], kernel_shape=list(k), strides=list(s)), self.scalar_like(k[0] * k[1], x))

    def cast(self, x, to): return self.node("Cast", [x], to=ONNX_DT[to])


class Ops(generic.GenericOps):
    """ONNX operators where ONNX has the exact layer."""

    def op_Conv2d(self, n, a, s, W):
        k, st, d, p, g = ir.conv_attrs(n)
        ins = [a[0], W[n.key("weight")]] + ([W[n.key("bias")]] if n.has("bias") else [])
        return self.p.node("Conv", ins, kernel_shape=list(k), strides=list(st), dilations=list(d), pads=list(p), group=g)

    def op_ConvTranspose2d(self, n, a, s, W):
        k, st, d, p, g = ir.conv_attrs(n)
        ins = [a[0], W[n.key("weight")]] + ([W[n.key("bias")]] if n.has("bias") else [])
        return self.p.node("ConvTranspose", ins, kernel_shape=list(k), strides=list(st), dilations=list(d), pads=list(p),
                           group=g, output_padding=list(n.a("output_padding", [0, 0])))

    def op_BatchNorm(self, n, a, s, W):
        c = s[0][1]
        scale = W[n.key("weight")] if n.has("weight") else self.p.const(np.ones(c, np.float32))
        bias = W[n.key("bias")] if n.has("bias") else self.p.const(np.zeros(c, np.float32))
        return self.p.node("BatchNormalization", [a[0], scale, bias, W[n.key("running_mean")], W[n.key("running_var")]],
                           epsilon=float(n.a("epsilon", 1e-5)))

    def op_LayerNorm(self, n, a, s, W):
        r = n.a("normalized_rank", 1)
        ins = [a[0], W[n.key("weight")]] + ([W[n.key("bias")]] if n.has("bias") else [])
        return self.p.node("LayerNormalization", ins, axis=len(s[0]) - r, epsilon=float(n.a("epsilon", 1e-5)))

    def op_Flatten(self, n, a, s, W): return self.p.node("Flatten", [a[0]], axis=n.a("axis", 1))
    def op_Softmax(self, n, a, s, W): return self.p.node("Softmax", [a[0]], axis=n.a("axis", -1))
    def op_LogSoftmax(self, n, a, s, W): return self.p.node("LogSoftmax", [a[0]], axis=n.a("axis", -1))
    def op_LeakyReLU(self, n, a, s, W): return self.p.node("LeakyRelu", [a[0]], alpha=float(n.a("alpha", 0.01)))
    def op_ELU(self, n, a, s, W): return self.p.node("Elu", [a[0]], alpha=float(n.a("alpha", 1.0)))
    def op_SELU(self, n, a, s, W): return self.p.node("Selu", [a[0]])
    def op_HardSigmoid(self, n, a, s, W):
        return self.p.node("HardSigmoid", [a[0]], alpha=float(n.a("alpha", 1 / 6)), beta=float(n.a("beta", 0.5)))
    def op_HardSwish(self, n, a, s, W): return self.p.node("HardSwish", [a[0]])
    def op_Softsign(self, n, a, s, W): return self.p.node("Softsign", [a[0]])
    # ONNX's own Softplus: the generic log1p is Log(1 + x) here (ONNX has no Log1p), exactly 0 below x ≈ -17.
    def op_Softplus(self, n, a, s, W): return self.p.node("Softplus", [a[0]])

    def op_Clip(self, n, a, s, W):
        return self.p.node("Clip", [a[0], self.p.scalar_like(n.a("min"), a[0]), self.p.scalar_like(n.a("max"), a[0])])

    def op_Split(self, n, a, s, W):
        sizes = n.a("sizes")
        outs = self.p.node("Split", [a[0], self.p.ints(sizes)], n_out=len(sizes), axis=n.a("axis", 1))
        return outs if isinstance(outs, list) else [outs]

    def _rnn(self, n, a, s, W, op, order, gates):
        H = n.a("hidden")
        N, T, I = s[0]

        def reorder(key, rows):
            blocks = np.split(self.np_weights[n.key(key)], gates, axis=0)
            return np.concatenate([blocks[i] for i in order], axis=0)

        w = self.p.const(reorder("weight_ih", gates)[None])
        r = self.p.const(reorder("weight_hh", gates)[None])
        b = self.p.const(np.concatenate([reorder("bias_ih", gates), reorder("bias_hh", gates)])[None])
        x = self.p.transpose(a[0], [1, 0, 2])
        extra = {"linear_before_reset": 1} if op == "GRU" else {}
        y, yh = self.p.node(op, [x, w, r, b], n_out=2, hidden_size=H, **extra)[:2] if op == "GRU" else \
            self.p.node(op, [x, w, r, b], n_out=3, hidden_size=H)[:2]
        if n.a("return_sequences", True):
            return self.p.transpose(self.p.reshape(y, [T, N, H]), [1, 0, 2])
        return self.p.reshape(yh, [N, H])

    def op_LSTM(self, n, a, s, W): return self._rnn(n, a, s, W, "LSTM", [0, 3, 1, 2], 4)   # ifgo → iofc
    def op_GRU(self, n, a, s, W): return self._rnn(n, a, s, W, "GRU", [1, 0, 2], 3)        # rzn → zrn


class OnnxModel:
    def __init__(self, backend, graph, weights, variant):
        self.graph = graph
        self.variant = variant
        self.np_weights = dict(weights)
        self.post_node = None
        self.sessions = {}
        self.proto = {}

    def make(self, want_all):
        b = Builder()
        ops = Ops(b)
        ops.np_weights = self.np_weights
        shapes, flips = generic.derived_weights(self.graph, self.np_weights)
        ops.wshapes, ops.wflip = shapes, flips
        W = {}
        for k, v in self.np_weights.items():
            W[k] = k
            b.inits.append(numpy_helper.from_array(v, k))
        env, shp, inputs = {}, {}, []
        for n in self.graph.nodes:
            b.owner = n.name
            if n.op == "Input":
                t = n.outputs[0]
                if t["dtype"] == "bf16":
                    # NumPy has no bfloat16: the value arrives as f32 and the model casts it, as the eager
                    # backends do.
                    inputs.append(helper.make_tensor_value_info(n.name, ONNX_DT["f32"], t["shape"]))
                    env[n.name] = [b.node("Cast", [n.name], to=ONNX_DT["bf16"])]
                else:
                    inputs.append(helper.make_tensor_value_info(n.name, ONNX_DT[t["dtype"]], t["shape"]))
                    env[n.name] = [n.name]
            else:
                if not hasattr(ops, "op_" + n.op):
                    raise generic.Unsupported(f"{n.op} ({n.name}) is not supported by onnxruntime")
                env[n.name] = ops.apply(n, [env[r][i] for r, i in n.inputs], [shp[r][i] for r, i in n.inputs], W)
            shp[n.name] = [o["shape"] for o in n.outputs]
        b.owner = ""
        outputs, keys = [], []
        refs = [(n.name, k) for n in self.graph.nodes if n.op != "Input" for k in range(len(n.outputs))] if want_all else []
        for i, ref in enumerate(self.graph.outputs):
            refs.append(ref)
        seen = set()
        for i, (name, k) in enumerate(refs):
            value = env[name][k]
            key = name if k == 0 else f"{name}:{k}"
            if value in seen:   # an ONNX graph output may appear once: alias through Identity
                value = b.node("Identity", [value])
            seen.add(value)
            t = dict(zip(["shape", "dtype"], [None, None]))
            node = next(x for x in self.graph.nodes if x.name == name)
            outputs.append(helper.make_tensor_value_info(value, ONNX_DT[node.outputs[k]["dtype"]], node.outputs[k]["shape"]))
            keys.append(key)
        final = []
        for i, (name, k) in enumerate(self.graph.outputs):
            final.append(f"output:{i}")
        g = helper.make_graph(b.nodes, self.graph.name.replace("-", "_") or "model", inputs, outputs, b.inits)
        model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="defectlab")
        model.ir_version = 8
        onnx.checker.check_model(model)
        n_final = len(self.graph.outputs)
        return model, keys, n_final

    def _options(self):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        if self.variant == "onnxruntime-noopt":
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        return opts

    def session(self, want_all):
        if want_all not in self.sessions:
            model, keys, n_final = self.make(want_all)
            opts = self._options()
            self.proto[want_all] = model
            self.sessions[want_all] = (ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"]), keys, n_final)
        return self.sessions[want_all]

    def run(self, inputs, want_all):
        sess, keys, n_final = self.session(want_all)
        vals = sess.run(None, {k: np.ascontiguousarray(v) for k, v in inputs.items()})
        out = {}
        for key, v in zip(keys, vals):
            out[key] = v
        for i, v in enumerate(vals[len(vals) - n_final:]):
            out[f"output:{i}"] = v
        if self.post_node is not None:
            out = self.post_node_outputs(out)
        return out

    def profile(self, inputs, walks=3):
        """Each IR node's time in ms (mean over `walks` runs), from ONNX Runtime's own profiler: its kernels
        carry the names of the ONNX nodes they run (`<IR node>#<n>`). Profiled with basic graph optimizations
        only: the extended ones (NCHWc layout, activation fusion) name the kernels they make `Relu_3_nchwc`,
        after no IR node at all, where the basic ones (constant folding, Conv+BatchNorm) keep the names. Only
        for localizing a slowdown."""
        model = self.proto.get(False) or self.make(False)[0]
        opts = self._options()
        if self.variant != "onnxruntime-noopt":
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.enable_profiling = True
        opts.profile_file_prefix = os.path.join(os.getcwd(), f"ort-profile-{os.getpid()}")
        sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
        feed = {k: np.ascontiguousarray(v) for k, v in inputs.items()}
        for _ in range(walks):
            sess.run(None, feed)
        path = sess.end_profiling()
        try:
            with open(path) as f:
                events = json.load(f)
        finally:
            os.unlink(path)
        nodes = {n.name for n in self.graph.nodes}
        totals = {}
        for e in events:
            name = e.get("name", "")
            if e.get("cat") != "Node" or not name.endswith("_kernel_time"):
                continue
            owner = name[:-len("_kernel_time")].rsplit("#", 1)[0]
            if owner in nodes:
                totals[owner] = totals.get(owner, 0.0) + float(e.get("dur", 0)) / 1e3 / walks
        return totals

    def post_node_outputs(self, out):
        # The ONNX graph runs as one unit: the fault injector sees each node's value after the fact.
        nodes = {n.name: n for n in self.graph.nodes}
        for key in list(out):
            if key in nodes:
                out[key] = self.post_node(nodes[key], [out[key]])[0]
        return out


class Backend:
    name = "onnxruntime"
    variants = ["onnxruntime-noopt"]
    supports_training = False

    def __init__(self):
        self.version = ort.__version__
        self.device = "cpu"

    def make_ops(self): return Ops(Builder())

    def build(self, graph, weights, variant):
        model = OnnxModel(self, graph, weights, variant)
        model.session(False)   # build + check now so failures carry the build stage
        return model

    def export(self, graph, weights):
        model, _, _ = OnnxModel(self, graph, weights, "onnxruntime").make(False)
        return model.SerializeToString()

    def train(self, model, inputs, target, steps, lr):
        raise generic.Unsupported("training: plain ONNX Runtime has no autograd (onnxruntime-training is not installed)")
