"""MindSpore PyNative on mindspore.ops (nn layers' functional forms). `mindspore-graph` runs the forward
through ms.jit (graph compilation)."""
import numpy as np
import mindspore as ms
from mindspore import ops

import eager
import generic

ms.set_context(mode=ms.PYNATIVE_MODE)
try:
    ms.set_device("CPU")
except Exception:  # noqa: BLE001 - older API
    ms.set_context(device_target="CPU")
DT = {"f32": ms.float32, "f64": ms.float64, "f16": ms.float16, "bf16": ms.bfloat16, "i32": ms.int32,
      "i64": ms.int64, "bool": ms.bool_}


class Prims:
    def const(self, a): return ms.Tensor(np.ascontiguousarray(a))
    def add(self, a, b): return ops.add(a, b)
    def sub(self, a, b): return ops.sub(a, b)
    def mul(self, a, b): return ops.mul(a, b)
    def div(self, a, b): return ops.div(a, b)
    def minimum(self, a, b): return ops.minimum(a, b)
    def maximum(self, a, b): return ops.maximum(a, b)
    def exp(self, x): return ops.exp(x)
    def log(self, x): return ops.log(x)
    def log1p(self, x): return ops.log1p(x)
    def sqrt(self, x): return ops.sqrt(x)
    def abs(self, x): return ops.abs(x)
    def neg(self, x): return ops.neg(x)
    def tanh(self, x): return ops.tanh(x)
    def sigmoid(self, x): return ops.sigmoid(x)
    def erf(self, x): return ops.erf(x)
    def relu(self, x): return ops.relu(x)
    def matmul(self, a, b): return ops.matmul(a, b)
    def transpose(self, x, perm): return ops.transpose(x, tuple(perm))
    def reshape(self, x, shape): return ops.reshape(x, tuple(shape))
    def concat(self, xs, axis): return ops.cat(tuple(xs), axis)
    def slice(self, x, axis, start, end): return ops.narrow(x, axis, start, end - start)
    def gather(self, x, idx, axis): return ops.gather(x, ms.Tensor(np.asarray(idx, np.int32)), axis)
    def take(self, table, ids): return ops.gather(table, ids.astype(ms.int32), 0)

    def pad(self, x, pairs, value):
        flat = []
        for b, e in reversed(pairs):
            flat += [b, e]
        return ops.pad(x, tuple(flat), mode="constant", value=value)

    def reduce(self, kind, x, axes, keep):
        if kind == "mean": return ops.mean(x, tuple(axes), keep)
        if kind == "sum": return ops.sum(x, tuple(axes), keep)
        return ops.amax(x, tuple(axes), keep)

    def conv(self, x, w, stride, dilation, groups):
        return ops.conv2d(x, w, None, tuple(stride), "valid", 0, tuple(dilation), groups)

    def maxpool(self, x, k, s, d):
        return ops.max_pool2d(x, tuple(k), tuple(s), 0, tuple(d))

    def sumpool(self, x, k, s):
        return ops.avg_pool2d(x, tuple(k), tuple(s)) * float(k[0] * k[1])

    def cast(self, x, to): return x.astype(DT[to])

    def dilate(self, x, shape, st):
        N, C, H, W = shape
        y = ops.reshape(x, (N, C, H, 1, W, 1))
        y = ops.pad(y, (0, st[1] - 1, 0, 0, 0, st[0] - 1))
        y = ops.reshape(y, (N, C, H * st[0], W * st[1]))
        return y[:, :, :(H - 1) * st[0] + 1, :(W - 1) * st[1] + 1]


class Ops(generic.GenericOps):
    def op_Softmax(self, n, a, s, W): return ops.softmax(a[0], n.a("axis", -1))
    def op_ReLU6(self, n, a, s, W): return ops.relu6(a[0])

    # MindSpore's own activations where it has them: the generic decompositions go through ops.relu and
    # ops.maximum, which turn NaN into 0, so they would charge MindSpore with losing a NaN its own ELU, SELU and
    # HardSigmoid keep, and would never run its own Softplus (which answers inf for NaN). LeakyReLU stays
    # generic: ops.leaky_relu fails in this MindSpore build.
    def op_ELU(self, n, a, s, W):
        if float(n.a("alpha", 1.0)) == 1.0:
            return ops.elu(a[0], 1.0)
        return super().op_ELU(n, a, s, W)

    def op_SELU(self, n, a, s, W): return ops.selu(a[0])

    def op_HardSigmoid(self, n, a, s, W):
        if abs(float(n.a("alpha", 1 / 6)) - 1 / 6) < 1e-9 and abs(float(n.a("beta", 0.5)) - 0.5) < 1e-9:
            return ops.hardsigmoid(a[0])
        return super().op_HardSigmoid(n, a, s, W)

    def op_Softplus(self, n, a, s, W): return ops.softplus(a[0])


class Backend:
    name = "mindspore"
    variants = ["mindspore-graph"]

    def __init__(self):
        self.version = ms.__version__
        self.device = "cpu"
        # MindSpore 2.10's first pyboost call fails once under NumPy 2 ("compiled using NumPy 1.x") and works
        # from then on: take that hit here, not on the first model.
        for _ in range(2):
            try:
                ops.reshape(ms.Tensor(np.zeros((2, 2), np.float32)), (1, -1)).asnumpy()
            except Exception:  # noqa: BLE001
                pass

    def make_ops(self): return Ops(Prims())

    def weight(self, a, trainable):
        if trainable and a.dtype.kind == "f":
            return ms.Parameter(ms.Tensor(np.ascontiguousarray(a)), requires_grad=True)
        return ms.Tensor(np.ascontiguousarray(a))

    def input(self, a): return ms.Tensor(np.ascontiguousarray(a))
    def to_numpy(self, t):
        # NumPy has no bfloat16 here (MindSpore refuses the conversion): a bf16 node's values, asked for by a
        # per-node run, go out as f32, as PyTorch's do. The refusal was filed as a G2 execute error.
        return (t.astype(ms.float32) if t.dtype == ms.bfloat16 else t).asnumpy()

    @staticmethod
    def settle():
        """PyNative launches kernels asynchronously: a model with several failing ops raises the first error,
        and the others stay pending and surface at the next sync point, in whatever request comes next (a
        bf16 Identity reported a ReduceMax failure). Draining them before each build makes every request
        answer for itself."""
        for _ in range(16):
            try:
                ms.runtime.synchronize()
                return
            except Exception:  # noqa: BLE001 - a previous request's error, already reported there
                pass

    def build(self, graph, weights, variant):
        self.settle()
        model = eager.EagerModel(self, graph, weights)
        model.check()
        for i, (k, v) in enumerate(model.W.items()):
            if isinstance(v, ms.Parameter):
                v.name = f"w{i}"
        if variant == "mindspore-graph":
            # ms.jit's default AST capture cannot parse a generic interpreter (nested comprehensions, dict
            # dispatch); bytecode capture (PIJit) traces what actually runs.
            fns = {}

            def forward(W, inputs, want_all):
                if want_all not in fns:
                    def fn(i, want_all=want_all):
                        return model._forward(W, i, want_all)
                    fns[want_all] = ms.jit(fn, capture_mode="bytecode")
                return fns[want_all](inputs)
            model.forward = forward
        return model

    def train(self, model, inputs, target, steps, lr):
        feed = model.feed(inputs)
        t = ms.Tensor(target)
        params = [(k, v) for k, v in model.W.items() if isinstance(v, ms.Parameter)]

        def loss_fn():
            y = model._forward(model.W, feed, False)["output:0"]
            return ops.mean(ops.square(y - t))

        grad_fn = ms.value_and_grad(loss_fn, None, [v for _, v in params])
        losses, first = [], {}
        for step in range(steps):
            loss, grads = grad_fn()
            losses.append(float(loss.asnumpy()))
            if step == 0:
                first = {k: g.asnumpy() for (k, _), g in zip(params, grads)}
            for (_, v), g in zip(params, grads):
                v.set_data(v - lr * g)
        return losses, first
