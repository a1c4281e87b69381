"""JAX: the IR as a lax program, jit-compiled once per model (`jax-eager`: op-by-op dispatch)."""
import jax

jax.config.update("jax_enable_x64", False)
# XLA compiles are slow here (~0.3 s even for one op): a persistent cache keeps the big ones across processes.
# Off in a reproducer (DEFECTLAB_JAX_CACHE=off), which must write nothing outside its own folder.
import os as _os  # noqa: E402
if _os.environ.get("DEFECTLAB_JAX_CACHE", "on") != "off":
    try:
        jax.config.update("jax_compilation_cache_dir", _os.path.join(_os.path.expanduser("~"), ".cache", "defectlab", "jax"))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)
    except Exception:  # noqa: BLE001 - an older jax without the options just compiles
        pass
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

import eager  # noqa: E402
import generic  # noqa: E402

DT = {"f32": jnp.float32, "f64": jnp.float64, "f16": jnp.float16, "bf16": jnp.bfloat16, "i32": jnp.int32,
      "i64": jnp.int64, "bool": jnp.bool_}
HI = lax.Precision.HIGHEST


class Prims:
    def const(self, a): return jnp.asarray(a)
    def add(self, a, b): return jnp.add(a, b)
    def sub(self, a, b): return jnp.subtract(a, b)
    def mul(self, a, b): return jnp.multiply(a, b)
    def div(self, a, b): return jnp.divide(a, b)
    def minimum(self, a, b): return jnp.minimum(a, b)
    def maximum(self, a, b): return jnp.maximum(a, b)
    def exp(self, x): return lax.exp(x)
    def log(self, x): return lax.log(x)
    def log1p(self, x): return lax.log1p(x)
    def sqrt(self, x): return lax.sqrt(x)
    def abs(self, x): return lax.abs(x)
    def neg(self, x): return lax.neg(x)
    def tanh(self, x): return lax.tanh(x)
    def sigmoid(self, x): return jax.nn.sigmoid(x)
    def erf(self, x): return lax.erf(x)
    def relu(self, x): return jax.nn.relu(x)
    def matmul(self, a, b): return jnp.matmul(a, b, precision=HI)
    def transpose(self, x, perm): return lax.transpose(x, perm)
    def reshape(self, x, shape): return jnp.reshape(x, shape)
    def concat(self, xs, axis): return lax.concatenate(xs, axis)
    def slice(self, x, axis, start, end): return lax.slice_in_dim(x, start, end, axis=axis)
    def gather(self, x, idx, axis): return jnp.take(x, jnp.asarray(idx), axis=axis)
    def take(self, table, ids): return jnp.take(table, ids.astype(jnp.int32), axis=0)

    def pad(self, x, pairs, value):
        return lax.pad(x, jnp.asarray(value, x.dtype), [(b, e, 0) for b, e in pairs])

    def reduce(self, kind, x, axes, keep):
        f = {"mean": jnp.mean, "sum": jnp.sum, "max": jnp.max}[kind]
        return f(x, axis=tuple(axes), keepdims=keep)

    def conv(self, x, w, stride, dilation, groups):
        return lax.conv_general_dilated(x, w, tuple(stride), "VALID", rhs_dilation=tuple(dilation),
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"), feature_group_count=groups, precision=HI)

    def maxpool(self, x, k, s, d):
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1) + tuple(k), (1, 1) + tuple(s), "VALID",
                                 window_dilation=(1, 1) + tuple(d))

    def sumpool(self, x, k, s):
        return lax.reduce_window(x, 0.0, lax.add, (1, 1) + tuple(k), (1, 1) + tuple(s), "VALID")

    def cast(self, x, to): return x.astype(DT[to])

    def dilate(self, x, shape, st):
        return lax.pad(x, jnp.asarray(0, x.dtype), [(0, 0, 0), (0, 0, 0), (0, 0, st[0] - 1), (0, 0, st[1] - 1)])


def _promote(a, b):
    return jnp.asarray(a), jnp.asarray(b)


class Ops(generic.GenericOps):
    pass


class Backend:
    """`jax` traces the whole lax program once with jax.jit (one XLA compile per model, every node's output
    returned by the same executable); op-by-op dispatch compiles each (primitive, shape) separately, about
    0.3 s apiece on these machines, so it is the named variant `jax-eager`."""
    name = "jax"
    variants = ["jax-eager"]

    def __init__(self):
        self.version = jax.__version__
        self.device = str(jax.devices()[0].platform)

    def make_ops(self): return Ops(Prims())
    def weight(self, a, trainable): return jnp.asarray(a)
    def input(self, a): return jnp.asarray(a)
    def sync(self, t): t.block_until_ready()   # dispatch is asynchronous
    def to_numpy(self, t): return np.asarray(t)

    def build(self, graph, weights, variant):
        # x64 is off (JAX's default, and what a user's script runs with): an f64 layer would silently be computed
        # in float32 and judged as f64. Said as a capability gap instead (probed per dtype, like f16/bf16).
        if not jax.config.jax_enable_x64 and any(o.get("dtype") == "f64" for n in graph.nodes for o in n.outputs):
            raise generic.Unsupported("f64 layers: JAX runs with x64 disabled (its default), which computes them in float32")
        model = eager.EagerModel(self, graph, weights)
        model.check()
        if variant != "jax-eager":
            compiled = jax.jit(lambda W, i: model._forward(W, i, True))
            # Final outputs by position and by their node's name, as the eager path returns them (the driver
            # finds a framework's worst node by name).
            finals = {name if k == 0 else f"{name}:{k}" for name, k in graph.outputs}

            def forward(W, inputs, want_all):
                out = compiled(W, inputs)
                return out if want_all else {k: v for k, v in out.items() if k.startswith("output:") or k in finals}
            model.forward = forward
        return model

    def train(self, model, inputs, target, steps, lr):
        feed = model.feed(inputs)
        t = jnp.asarray(target)
        keys = [k for k, v in model.W.items() if model.trainable.get(k, False) and np.asarray(v).dtype.kind == "f"]

        def loss_fn(params):
            W = dict(model.W)
            W.update(params)
            y = model._forward(W, feed, False)["output:0"]
            return jnp.mean((y - t) ** 2)

        grad_fn = jax.jit(jax.value_and_grad(loss_fn))
        params = {k: model.W[k] for k in keys}
        losses, first = [], {}
        for step in range(steps):
            loss, g = grad_fn(params)
            losses.append(float(loss))
            if step == 0:
                first = {k: np.asarray(v) for k, v in g.items()}
            params = {k: params[k] - lr * g[k] for k in keys}
        return losses, first
