"""PyTorch: the IR becomes one nn.Module whose parameters are the IR weights; layers map to torch.nn
functionals, LSTM/GRU to nn.LSTM/nn.GRU with the IR's (already PyTorch-layout) weights."""
import numpy as np
import torch
import torch.nn.functional as F

import eager
import generic

torch.set_num_threads(1)
DT = {"f32": torch.float32, "f64": torch.float64, "f16": torch.float16, "bf16": torch.bfloat16, "i32": torch.int32,
      "i64": torch.int64, "bool": torch.bool}


class Prims:
    def const(self, a): return torch.from_numpy(np.ascontiguousarray(a))
    def add(self, a, b): return a + b
    def sub(self, a, b): return a - b
    def mul(self, a, b): return a * b
    def div(self, a, b): return a / b
    def minimum(self, a, b): return torch.minimum(a, b)
    def maximum(self, a, b): return torch.maximum(a, b)
    def exp(self, x): return torch.exp(x)
    def log(self, x): return torch.log(x)
    def log1p(self, x): return torch.log1p(x)
    def sqrt(self, x): return torch.sqrt(x)
    def abs(self, x): return torch.abs(x)
    def neg(self, x): return -x
    def tanh(self, x): return torch.tanh(x)
    def sigmoid(self, x): return torch.sigmoid(x)
    def erf(self, x): return torch.erf(x)
    def relu(self, x): return F.relu(x)
    def matmul(self, a, b): return torch.matmul(a, b)
    def transpose(self, x, perm): return x.permute(*perm)
    def reshape(self, x, shape): return x.reshape(shape)
    def concat(self, xs, axis): return torch.cat(xs, axis)
    def slice(self, x, axis, start, end): return x.narrow(axis, start, end - start)
    def gather(self, x, idx, axis): return torch.index_select(x, axis, torch.from_numpy(np.asarray(idx, np.int64)))
    def take(self, table, ids): return F.embedding(ids.long(), table)

    def pad(self, x, pairs, value):
        flat = []
        for b, e in reversed(pairs):
            flat += [b, e]
        return F.pad(x, flat, value=value)

    def reduce(self, kind, x, axes, keep):
        if kind == "mean": return x.mean(dim=axes, keepdim=keep)
        if kind == "sum": return x.sum(dim=axes, keepdim=keep)
        return torch.amax(x, dim=axes, keepdim=keep)

    def conv(self, x, w, stride, dilation, groups): return F.conv2d(x, w, None, stride, 0, dilation, groups)
    def maxpool(self, x, k, s, d): return F.max_pool2d(x, k, s, 0, d)
    def sumpool(self, x, k, s): return F.avg_pool2d(x, k, s) * float(k[0] * k[1])
    def cast(self, x, to): return x.to(DT[to])

    def dilate(self, x, shape, st):
        N, C, H, W = shape
        out = x.new_zeros((N, C, (H - 1) * st[0] + 1, (W - 1) * st[1] + 1))
        out[:, :, ::st[0], ::st[1]] = x
        return out


class Ops(generic.GenericOps):
    """Native torch layers where PyTorch has the exact one."""

    def op_Conv2d(self, n, a, s, W):
        k, st, d, p, g = generic.ir.conv_attrs(n)
        x = a[0]
        if p[0] == p[2] and p[1] == p[3]:
            return F.conv2d(x, W[n.key("weight")], W.get(n.key("bias")) if n.has("bias") else None, st, (p[0], p[1]), d, g)
        return super().op_Conv2d(n, a, s, W)

    def op_ConvTranspose2d(self, n, a, s, W):
        k, st, d, p, g = generic.ir.conv_attrs(n)
        if p[0] == p[2] and p[1] == p[3]:
            return F.conv_transpose2d(a[0], W[n.key("weight")], W[n.key("bias")] if n.has("bias") else None, st,
                                      (p[0], p[1]), n.a("output_padding", [0, 0]), g, d)
        return super().op_ConvTranspose2d(n, a, s, W)

    def op_Dense(self, n, a, s, W):
        return F.linear(a[0], W[n.key("weight")], W[n.key("bias")] if n.has("bias") else None)

    def op_BatchNorm(self, n, a, s, W):
        c = s[0][1]
        w = W[n.key("weight")] if n.has("weight") else None
        b = W[n.key("bias")] if n.has("bias") else None
        return F.batch_norm(a[0], W[n.key("running_mean")], W[n.key("running_var")], w, b, False, 0.0, n.a("epsilon", 1e-5))

    def op_LayerNorm(self, n, a, s, W):
        r = n.a("normalized_rank", 1)
        return F.layer_norm(a[0], s[0][-r:], W[n.key("weight")], W[n.key("bias")] if n.has("bias") else None, n.a("epsilon", 1e-5))

    def op_GroupNorm(self, n, a, s, W):
        return F.group_norm(a[0], n.a("groups"), W[n.key("weight")], W[n.key("bias")], n.a("epsilon", 1e-5))

    def op_MaxPool2d(self, n, a, s, W):
        p = n.a("pads", [0, 0, 0, 0])
        k = n.a("kernel")
        if p[0] == p[2] and p[1] == p[3]:
            return F.max_pool2d(a[0], k, n.a("stride", k) or k, (p[0], p[1]), n.a("dilation", [1, 1]), n.a("ceil_mode", False))
        return super().op_MaxPool2d(n, a, s, W)

    def op_Softmax(self, n, a, s, W): return F.softmax(a[0], n.a("axis", -1))
    def op_LogSoftmax(self, n, a, s, W): return F.log_softmax(a[0], n.a("axis", -1))
    def op_ReLU6(self, n, a, s, W): return F.relu6(a[0])
    def op_LeakyReLU(self, n, a, s, W): return F.leaky_relu(a[0], n.a("alpha", 0.01))
    def op_ELU(self, n, a, s, W): return F.elu(a[0], n.a("alpha", 1.0))
    def op_SELU(self, n, a, s, W): return F.selu(a[0])
    def op_SiLU(self, n, a, s, W): return F.silu(a[0])
    def op_HardSwish(self, n, a, s, W): return F.hardswish(a[0])
    def op_Softplus(self, n, a, s, W): return F.softplus(a[0])
    def op_Softsign(self, n, a, s, W): return F.softsign(a[0])
    def op_GELU(self, n, a, s, W): return F.gelu(a[0], approximate=n.a("approximate", "none"))
    def op_Clip(self, n, a, s, W): return torch.clamp(a[0], n.a("min"), n.a("max"))

    def op_Resize(self, n, a, s, W):
        mode = n.a("mode", "nearest")
        size = n.out_shape()[2:4]
        if mode == "nearest":
            # The IR's source index is floor(i * in / out) exactly; F.interpolate computes it with a float32
            # scale and picks the next row for some sizes (26 -> 22), which would charge PyTorch with a deviation.
            return super().op_Resize(n, a, s, W)
        return F.interpolate(a[0], size=size, mode="bilinear", align_corners=n.a("align_corners", False))

    def _rnn(self, n, a, W, cls):
        # nn.LSTM / nn.GRU (same gate order and layout as the IR), called with the IR weights as its
        # parameters so training updates reach them.
        H = n.a("hidden")
        mod = self.rnn_cache.get(n.name)
        if mod is None:
            mod = cls(a[0].shape[2], H, batch_first=True)
            self.rnn_cache[n.name] = mod
        params = {"weight_ih_l0": W[n.key("weight_ih")], "weight_hh_l0": W[n.key("weight_hh")],
                  "bias_ih_l0": W[n.key("bias_ih")], "bias_hh_l0": W[n.key("bias_hh")]}
        y, _ = torch.func.functional_call(mod, params, (a[0],))
        return y if n.a("return_sequences", True) else y[:, -1, :]

    def op_LSTM(self, n, a, s, W): return self._rnn(n, a, W, torch.nn.LSTM)
    def op_GRU(self, n, a, s, W): return self._rnn(n, a, W, torch.nn.GRU)


class IRModule(torch.nn.Module):
    """The model as an nn.Module: one Parameter (or buffer) per IR weight."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.params = torch.nn.ParameterDict()
        for i, (k, v) in enumerate(model.W.items()):
            self.params[f"w{i}"] = v
        self.keys = list(model.W.keys())

    def forward(self, inputs, want_all=False):
        W = {k: self.params[f"w{i}"] for i, k in enumerate(self.keys)}
        return self.model._forward(W, inputs, want_all)


class Backend:
    name = "pytorch"
    variants = ["pytorch-compile"]

    def __init__(self):
        self.version = torch.__version__
        self.device = "cpu"

    def make_ops(self):
        o = Ops(Prims())
        o.rnn_cache = {}
        return o

    def weight(self, a, trainable):
        return torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(a)), requires_grad=bool(trainable) and a.dtype.kind == "f")

    def input(self, a): return torch.from_numpy(np.ascontiguousarray(a))
    def sync(self, t): pass   # CPU kernels return when done
    def inference(self): return torch.no_grad()
    def to_numpy(self, t):
        t = t.detach().cpu()
        # NumPy has no bfloat16: a bf16 node's values (per-node runs of mixed-precision mutants) go out as f32.
        return (t.float() if t.dtype == torch.bfloat16 else t).numpy()

    def build(self, graph, weights, variant):
        model = eager.EagerModel(self, graph, weights)
        model.check()
        # Each recurrent node's nn.LSTM/nn.GRU is made here, not on its first call: made inside a torch.compile
        # trace, the module and the cache write are a side effect Dynamo replays wrongly for the next model in
        # the same process (KeyError 'lstm_0' on every recurrent model after the first).
        outputs = {n.name: n.outputs for n in graph.nodes}
        for n in graph.nodes:
            if n.op in ("LSTM", "GRU"):
                src, k = n.inputs[0]
                features = outputs[src][k]["shape"][2]
                cls = torch.nn.LSTM if n.op == "LSTM" else torch.nn.GRU
                model.ops.rnn_cache[n.name] = cls(features, n.a("hidden"), batch_first=True)
        model.module = IRModule(model)
        if variant == "pytorch-compile":
            compiled = torch.compile(model.module)
            model.forward = lambda W, inputs, want_all: compiled(inputs, want_all)
        else:
            model.forward = lambda W, inputs, want_all: model.module(inputs, want_all)
        model.run = self._runner(model)
        return model

    def _runner(self, model):
        def run(inputs, want_all):
            with torch.no_grad():
                out = model.forward(model.W, model.feed(inputs), want_all)
            return {k: self.to_numpy(v) for k, v in out.items()}
        return run

    def train(self, model, inputs, target, steps, lr):
        feed = model.feed(inputs)
        t = torch.from_numpy(target)
        params = [(k, v) for k, v in model.W.items() if v.requires_grad]
        losses, grads = [], {}
        for step in range(steps):
            for _, p in params:
                p.grad = None
            y = model.module(feed)["output:0"]
            loss = ((y - t) ** 2).mean()
            loss.backward()
            losses.append(float(loss))
            if step == 0:
                grads = {k: p.grad.detach().numpy().copy() for k, p in params if p.grad is not None}
            with torch.no_grad():
                for _, p in params:
                    if p.grad is not None:
                        p -= lr * p.grad
        return losses, grads
