"""The IR graph as the workers see it, plus the framework-independent arithmetic every builder shares
(output sizes, pooling divisors, resize gather tables). Semantics: Sources/ModelIR/Ops/OpKind.swift."""
import math

import numpy as np


class Node:
    def __init__(self, d):
        self.name = d["name"]
        self.op = d["op"]
        self.inputs = [parse_ref(r) for r in d.get("inputs", [])]
        self.attrs = {k: (v["float"] if isinstance(v, dict) else v) for k, v in d.get("attributes", {}).items()}
        self.outputs = d.get("outputs", [])
        self.weight_names = [w["name"] for w in d.get("weights", [])]
        self.trainable = {w["name"]: w.get("trainable", True) for w in d.get("weights", [])}

    def a(self, key, default=None):
        return self.attrs.get(key, default)

    def key(self, weight):
        return f"{self.name}.{weight}"

    def has(self, weight):
        return weight in self.weight_names

    def out_shape(self, i=0):
        return list(self.outputs[i]["shape"])


def parse_ref(text):
    if ":" in text:
        head, tail = text.rsplit(":", 1)
        if tail.isdigit():
            return (head, int(tail))
    return (text, 0)


class Graph:
    def __init__(self, d):
        self.name = d.get("name", "model")
        self.nodes = [Node(n) for n in d["nodes"]]
        self.outputs = [parse_ref(r) for r in d["outputs"]]

    def ops(self):
        return {n.op for n in self.nodes}


def conv_attrs(node, rank=2):
    k = node.a("kernel")
    one = [1] * rank
    return k, node.a("stride", one), node.a("dilation", one), node.a("pads", [0] * (2 * rank)), node.a("groups", 1)


def pool_geometry(n, k, s, t, b, d, ceil):
    """Output length and the padded extent a VALID window walk needs (OpKind.maxPool2d's rule)."""
    span = n + t + b - d * (k - 1) - 1
    if ceil:
        out = -(-span // s) + 1
        if (out - 1) * s >= n + t:
            out -= 1
    else:
        out = span // s + 1
    needed = (out - 1) * s + d * (k - 1) + 1
    extra_end = max(b, needed - n - t)
    return out, extra_end


def pool_plan(node, shape):
    """(kernel, stride, dilation, [top, left, bottom_extended, right_extended], out_hw)."""
    k = node.a("kernel")
    s = node.a("stride", k) or k
    d = node.a("dilation", [1, 1])
    p = node.a("pads", [0, 0, 0, 0])
    ceil = node.a("ceil_mode", False)
    oh, eb = pool_geometry(shape[2], k[0], s[0], p[0], p[2], d[0], ceil)
    ow, er = pool_geometry(shape[3], k[1], s[1], p[1], p[3], d[1], ceil)
    return k, s, d, [p[0], p[1], eb, er], (oh, ow)


def avg_divisor(node, shape):
    """Divisor map [oh, ow] of AvgPool2d: the window clipped to [−t, H + b), counting padding or not."""
    k, s, _, pads, (oh, ow) = pool_plan(node, shape)
    p = node.a("pads", [0, 0, 0, 0])
    include = node.a("count_include_pad", True)

    def counts(n, k, s, t, b, out):
        c = []
        for y in range(out):
            start = y * s - t
            end = start + k
            if include:
                c.append(min(end, n + b) - start)
            else:
                c.append(max(0, min(end, n) - max(start, 0)))
        return np.array(c, dtype=np.float64)

    ch = counts(shape[2], k[0], s[0], p[0], p[2], oh)
    cw = counts(shape[3], k[1], s[1], p[1], p[3], ow)
    return np.outer(ch, cw).astype(np.float32)


def resize_tables(node, shape):
    """Per spatial axis: (index0, index1, weight1) so out = x[i0]·(1−w) + x[i1]·w (nearest: w = 0)."""
    out_hw = node.out_shape()[2:4]
    mode = node.a("mode", "nearest")
    align = node.a("align_corners", False)
    tables = []
    for n, m in zip(shape[2:4], out_hw):
        i0 = np.zeros(m, dtype=np.int64)
        i1 = np.zeros(m, dtype=np.int64)
        w = np.zeros(m, dtype=np.float32)
        for dst in range(m):
            if mode == "nearest":
                i0[dst] = i1[dst] = min(int(math.floor(dst * n / m)), n - 1)
                continue
            if align:
                src = 0.0 if m == 1 else dst * (n - 1) / (m - 1)
            else:
                src = max((dst + 0.5) * n / m - 0.5, 0.0)
            lo = min(int(math.floor(src)), n - 1)
            hi = min(lo + 1, n - 1)
            i0[dst], i1[dst], w[dst] = lo, hi, src - lo
        tables.append((i0, i1, w))
    return tables


def pad_indices(n, before, after, mode):
    idx = np.arange(-before, n + after)
    if mode == "edge":
        return np.clip(idx, 0, n - 1)
    # reflect without repeating the edge
    period = 2 * (n - 1) if n > 1 else 1
    idx = np.abs(idx) % period if n > 1 else np.zeros_like(idx)
    return np.where(idx >= n, period - idx, idx)


SELU_L = 1.0507009873554804934193349852946
SELU_A = 1.6732632423543772848170429916717

ALL_OPS = [
    "Input", "Conv2d", "Conv1d", "SeparableConv2d", "ConvTranspose2d", "Dense", "MatMul", "BatchNorm", "LayerNorm",
    "GroupNorm", "Dropout", "MaxPool2d", "AvgPool2d", "GlobalAvgPool", "GlobalMaxPool", "Flatten", "Reshape",
    "Transpose", "Concat", "Split", "Add", "Sub", "Mul", "Div", "Min", "Max", "Clip", "Pad", "Resize", "Softmax",
    "LogSoftmax", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "Sigmoid", "HardSigmoid", "Tanh", "GELU",
    "SiLU", "HardSwish", "Softplus", "Softsign", "Erf", "Exp", "Log", "Sqrt", "Abs", "Neg", "ReduceMean",
    "ReduceSum", "ReduceMax", "Cast", "Embedding", "LSTM", "GRU", "Identity",
]
