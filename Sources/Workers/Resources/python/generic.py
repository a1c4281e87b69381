"""One builder for every framework: the IR interpreted op by op on a small set of tensor primitives that each
backend supplies natively (`Prims`). A backend overrides whole ops where its framework has the layer
(torch nn.LSTM, ONNX LSTM, ...). Shapes come from the IR, never from the framework, so the same code also
drives the symbolic ONNX builder."""
import numpy as np

import irgraph as ir


class Unsupported(Exception):
    pass


class GenericOps:
    """`self.p` is the primitive set; methods `op_<Kind>(node, args, shapes, W)` return a list of outputs."""

    def __init__(self, prims):
        self.p = prims

    def apply(self, node, args, shapes, W):
        fn = getattr(self, "op_" + node.op, None)
        if fn is None:
            raise Unsupported(f"{node.op} is not supported")
        # Constants an op makes (epsilons, clip bounds, activation coefficients) take the node's dtype:
        # frameworks with strict typing (ONNX Runtime, TensorFlow) reject an f16 tensor times an f32 scalar.
        self._dtype = node.outputs[0].get("dtype", "f32") if node.outputs else "f32"
        out = fn(node, args, shapes, W)
        return out if isinstance(out, list) else [out]

    def supported_ops(self):
        return [op for op in ir.ALL_OPS if op == "Input" or hasattr(self, "op_" + op)]

    # ---- helpers
    def _pad2d(self, x, pads, value=0.0):
        t, l, b, r = pads
        if t == l == b == r == 0:
            return x
        return self.p.pad(x, [(0, 0), (0, 0), (t, b), (l, r)], value)

    # ---- convolution family
    def op_Conv2d(self, n, a, s, W):
        k, st, d, pads, g = ir.conv_attrs(n)
        y = self.p.conv(self._pad2d(a[0], pads), W[n.key("weight")], st, d, g)
        return self._bias(n, y, W, 4)

    def _bias(self, n, y, W, rank):
        if n.has("bias"):
            b = W[n.key("bias")]
            return self.p.add(y, self.p.reshape(b, [1, -1] + [1] * (rank - 2)))
        return y

    def op_Conv1d(self, n, a, s, W):
        k, st, d, pads, g = ir.conv_attrs(n, 1)
        x = self.p.reshape(a[0], [s[0][0], s[0][1], 1, s[0][2]])
        w = W[n.key("weight")]
        wshape = n_wshape = None
        w4 = self.p.reshape(w, self._wshape1d(n))
        y = self.p.conv(self._pad2d(x, [0, pads[0], 0, pads[1]]), w4, [1, st[0]], [1, d[0]], g)
        out = n.out_shape()
        y = self.p.reshape(y, out)
        return self._bias(n, y, W, 3)

    def _wshape1d(self, n):
        return self.wshapes[n.key("weight")][:2] + [1] + self.wshapes[n.key("weight")][2:]

    def op_SeparableConv2d(self, n, a, s, W):
        k, st, d, pads, _ = ir.conv_attrs(n)
        c = s[0][1]
        y = self.p.conv(self._pad2d(a[0], pads), W[n.key("depthwise")], st, d, c)
        y = self.p.conv(y, W[n.key("pointwise")], [1, 1], [1, 1], 1)
        return self._bias(n, y, W, 4)

    def op_ConvTranspose2d(self, n, a, s, W):
        # Transposed conv as a direct conv: dilate the input by the stride, pad by d(k−1) − pad, convolve with
        # the spatially flipped kernel with in/out swapped per group.
        k, st, d, pads, g = ir.conv_attrs(n)
        op_ = n.a("output_padding", [0, 0])
        x = a[0]
        N, C, H, Wd = s[0]
        if st[0] > 1 or st[1] > 1:
            x = self.p.dilate(x, s[0], st)
            H, Wd = (H - 1) * st[0] + 1, (Wd - 1) * st[1] + 1
        ph, pw = d[0] * (k[0] - 1), d[1] * (k[1] - 1)
        t, l, b, r = pads[0], pads[1], pads[2], pads[3]
        padded = [ph - t, pw - l, ph - b + op_[0], pw - r + op_[1]]
        x = self._pad_or_crop(x, [N, C, H, Wd], padded)
        w = self.wflip[n.key("weight")]
        y = self.p.conv(x, W[w], [1, 1], d, g)
        return self._bias(n, y, W, 4)

    def _pad_or_crop(self, x, shape, pads):
        t, l, b, r = pads
        x = self._pad2d(x, [max(t, 0), max(l, 0), max(b, 0), max(r, 0)])
        H = shape[2] + max(t, 0) + max(b, 0)
        Wd = shape[3] + max(l, 0) + max(r, 0)
        if min(t, l, b, r) < 0:
            x = self.p.slice(x, 2, -min(t, 0), H + min(b, 0))
            x = self.p.slice(x, 3, -min(l, 0), Wd + min(r, 0))
        return x

    def op_Dense(self, n, a, s, W):
        y = self.p.matmul(a[0], self.p.transpose(W[n.key("weight")], [1, 0]))
        if n.has("bias"):
            y = self.p.add(y, W[n.key("bias")])
        return y

    def op_MatMul(self, n, a, s, W):
        return self.p.matmul(a[0], a[1])

    # ---- normalization
    def op_BatchNorm(self, n, a, s, W):
        c = s[0][1]
        shape = [1, c] + [1] * (len(s[0]) - 2)
        eps = n.a("epsilon", 1e-5)
        mean = self.p.reshape(W[n.key("running_mean")], shape)
        var = self.p.reshape(W[n.key("running_var")], shape)
        y = self.p.div(self.p.sub(a[0], mean), self.p.sqrt(self.p.add(var, self._c(eps))))
        if n.has("weight"):
            y = self.p.mul(y, self.p.reshape(W[n.key("weight")], shape))
        if n.has("bias"):
            y = self.p.add(y, self.p.reshape(W[n.key("bias")], shape))
        return y

    def _normalize(self, x, axes, eps):
        mu = self.p.reduce("mean", x, axes, True)
        xc = self.p.sub(x, mu)
        var = self.p.reduce("mean", self.p.mul(xc, xc), axes, True)
        return self.p.div(xc, self.p.sqrt(self.p.add(var, self._c(eps))))

    def op_LayerNorm(self, n, a, s, W):
        r = n.a("normalized_rank", 1)
        rank = len(s[0])
        y = self._normalize(a[0], list(range(rank - r, rank)), n.a("epsilon", 1e-5))
        y = self.p.mul(y, W[n.key("weight")])
        if n.has("bias"):
            y = self.p.add(y, W[n.key("bias")])
        return y

    def op_GroupNorm(self, n, a, s, W):
        g = n.a("groups")
        shape = s[0]
        x = self.p.reshape(a[0], [shape[0], g, -1])
        y = self.p.reshape(self._normalize(x, [2], n.a("epsilon", 1e-5)), shape)
        cs = [1, shape[1]] + [1] * (len(shape) - 2)
        return self.p.add(self.p.mul(y, self.p.reshape(W[n.key("weight")], cs)), self.p.reshape(W[n.key("bias")], cs))

    def op_Dropout(self, n, a, s, W):
        return a[0]

    def op_Identity(self, n, a, s, W):
        return a[0]

    # ---- pooling
    def op_MaxPool2d(self, n, a, s, W):
        k, st, d, pads, _ = ir.pool_plan(n, s[0])
        x = self._pad2d(a[0], pads, float("-inf"))
        return self.p.maxpool(x, k, st, d)

    def op_AvgPool2d(self, n, a, s, W):
        k, st, d, pads, _ = ir.pool_plan(n, s[0])
        x = self._pad2d(a[0], pads, 0.0)
        total = self.p.sumpool(x, k, st)
        return self.p.div(total, self._k(ir.avg_divisor(n, s[0])))

    def op_GlobalAvgPool(self, n, a, s, W):
        return self.p.reduce("mean", a[0], list(range(2, len(s[0]))), n.a("keepdims", False))

    def op_GlobalMaxPool(self, n, a, s, W):
        return self.p.reduce("max", a[0], list(range(2, len(s[0]))), n.a("keepdims", False))

    # ---- shape
    def op_Flatten(self, n, a, s, W):
        return self.p.reshape(a[0], n.out_shape())

    def op_Reshape(self, n, a, s, W):
        return self.p.reshape(a[0], n.out_shape())

    def op_Transpose(self, n, a, s, W):
        return self.p.transpose(a[0], n.a("perm"))

    def op_Concat(self, n, a, s, W):
        axis = n.a("axis", 1)
        return self.p.concat(a, axis % len(s[0]))

    def op_Split(self, n, a, s, W):
        axis = n.a("axis", 1) % len(s[0])   # the IR's default axis is 1 (OpSpec+Shape)
        outs, start = [], 0
        for size in n.a("sizes"):
            outs.append(self.p.slice(a[0], axis, start, start + size))
            start += size
        return outs

    def op_Pad(self, n, a, s, W):
        pads = n.a("pads")
        rank = len(s[0])
        pairs = [(pads[i], pads[i + rank]) for i in range(rank)]
        mode = n.a("mode", "constant")
        if mode == "constant":
            return self.p.pad(a[0], pairs, float(n.a("value", 0.0)))
        x = a[0]
        for axis, (b, e) in enumerate(pairs):
            if b or e:
                x = self.p.gather(x, ir.pad_indices(s[0][axis], b, e, mode), axis)
        return x

    def op_Resize(self, n, a, s, W):
        x = a[0]
        for axis, (i0, i1, w) in zip((2, 3), ir.resize_tables(n, s[0])):
            lo = self.p.gather(x, i0, axis)
            if n.a("mode", "nearest") == "nearest":
                x = lo
                continue
            hi = self.p.gather(x, i1, axis)
            shape = [1, 1, 1, 1]
            shape[axis] = len(w)
            wt = self._k(w.reshape(shape))
            x = self.p.add(lo, self.p.mul(self.p.sub(hi, lo), wt))
        return x

    # ---- elementwise binary
    def op_Add(self, n, a, s, W): return self.p.add(a[0], a[1])
    def op_Sub(self, n, a, s, W): return self.p.sub(a[0], a[1])
    def op_Mul(self, n, a, s, W): return self.p.mul(a[0], a[1])
    def op_Div(self, n, a, s, W): return self.p.div(a[0], a[1])
    def op_Min(self, n, a, s, W): return self.p.minimum(a[0], a[1])
    def op_Max(self, n, a, s, W): return self.p.maximum(a[0], a[1])

    def _c(self, v):
        return self._k(np.float32(v))

    def _k(self, array):
        """A constant in the current node's float dtype (f32 ones are made as they always were)."""
        c = self.p.const(array)
        dtype = getattr(self, "_dtype", "f32")
        return self.p.cast(c, dtype) if dtype in ("f16", "bf16", "f64") else c

    def op_Clip(self, n, a, s, W):
        return self.p.minimum(self.p.maximum(a[0], self._c(n.a("min"))), self._c(n.a("max")))

    # ---- activations
    def op_Softmax(self, n, a, s, W):
        axis = n.a("axis", -1) % len(s[0])
        x = self.p.sub(a[0], self.p.reduce("max", a[0], [axis], True))
        e = self.p.exp(x)
        return self.p.div(e, self.p.reduce("sum", e, [axis], True))

    def op_LogSoftmax(self, n, a, s, W):
        axis = n.a("axis", -1) % len(s[0])
        x = self.p.sub(a[0], self.p.reduce("max", a[0], [axis], True))
        return self.p.sub(x, self.p.log(self.p.reduce("sum", self.p.exp(x), [axis], True)))

    def op_ReLU(self, n, a, s, W): return self.p.relu(a[0])

    def op_ReLU6(self, n, a, s, W):
        return self.p.minimum(self.p.relu(a[0]), self._c(6.0))

    def op_LeakyReLU(self, n, a, s, W):
        x = a[0]
        return self.p.add(self.p.relu(x), self.p.mul(self._c(n.a("alpha", 0.01)), self.p.minimum(x, self._c(0.0))))

    def op_PReLU(self, n, a, s, W):
        x = a[0]
        c = n.a("num_parameters", 1)
        slope = W[n.key("weight")]
        if c > 1:
            slope = self.p.reshape(slope, [1, c] + [1] * (len(s[0]) - 2))
        return self.p.add(self.p.relu(x), self.p.mul(slope, self.p.minimum(x, self._c(0.0))))

    def _expm1_neg(self, x):
        return self.p.sub(self.p.exp(self.p.minimum(x, self._c(0.0))), self._c(1.0))

    def op_ELU(self, n, a, s, W):
        x = a[0]
        return self.p.add(self.p.relu(x), self.p.mul(self._c(n.a("alpha", 1.0)), self._expm1_neg(x)))

    def op_SELU(self, n, a, s, W):
        x = a[0]
        inner = self.p.add(self.p.relu(x), self.p.mul(self._c(ir.SELU_A), self._expm1_neg(x)))
        return self.p.mul(self._c(ir.SELU_L), inner)

    def op_Sigmoid(self, n, a, s, W): return self.p.sigmoid(a[0])

    def op_HardSigmoid(self, n, a, s, W):
        y = self.p.add(self.p.mul(a[0], self._c(n.a("alpha", 1.0 / 6.0))), self._c(n.a("beta", 0.5)))
        return self.p.minimum(self.p.maximum(y, self._c(0.0)), self._c(1.0))

    def op_Tanh(self, n, a, s, W): return self.p.tanh(a[0])

    def op_GELU(self, n, a, s, W):
        x = a[0]
        if n.a("approximate", "none") == "tanh":
            inner = self.p.mul(self._c(np.sqrt(2 / np.pi)), self.p.add(x, self.p.mul(self._c(0.044715), self.p.mul(x, self.p.mul(x, x)))))
            return self.p.mul(self.p.mul(self._c(0.5), x), self.p.add(self._c(1.0), self.p.tanh(inner)))
        return self.p.mul(self.p.mul(self._c(0.5), x), self.p.add(self._c(1.0), self.p.erf(self.p.mul(x, self._c(1 / np.sqrt(2))))))

    def op_SiLU(self, n, a, s, W): return self.p.mul(a[0], self.p.sigmoid(a[0]))

    def op_HardSwish(self, n, a, s, W):
        r6 = self.p.minimum(self.p.relu(self.p.add(a[0], self._c(3.0))), self._c(6.0))
        return self.p.div(self.p.mul(a[0], r6), self._c(6.0))

    def op_Softplus(self, n, a, s, W):
        x = a[0]
        return self.p.add(self.p.relu(x), self.p.log1p(self.p.exp(self.p.neg(self.p.abs(x)))))

    def op_Softsign(self, n, a, s, W):
        return self.p.div(a[0], self.p.add(self._c(1.0), self.p.abs(a[0])))

    def op_Erf(self, n, a, s, W): return self.p.erf(a[0])
    def op_Exp(self, n, a, s, W): return self.p.exp(a[0])
    def op_Log(self, n, a, s, W): return self.p.log(a[0])
    def op_Sqrt(self, n, a, s, W): return self.p.sqrt(a[0])
    def op_Abs(self, n, a, s, W): return self.p.abs(a[0])
    def op_Neg(self, n, a, s, W): return self.p.neg(a[0])

    # ---- reductions, casts, lookups
    def _axes(self, n, s):
        return sorted(x % len(s[0]) for x in n.a("axes"))

    def op_ReduceMean(self, n, a, s, W): return self.p.reduce("mean", a[0], self._axes(n, s), n.a("keepdims", False))
    def op_ReduceSum(self, n, a, s, W): return self.p.reduce("sum", a[0], self._axes(n, s), n.a("keepdims", False))
    def op_ReduceMax(self, n, a, s, W): return self.p.reduce("max", a[0], self._axes(n, s), n.a("keepdims", False))

    def op_Cast(self, n, a, s, W): return self.p.cast(a[0], n.a("to"))

    def op_Embedding(self, n, a, s, W): return self.p.take(W[n.key("weight")], a[0])

    # ---- recurrent (unrolled; gate order per OpKind)
    def _steps(self, x, shape):
        N, T, _ = shape
        return [self.p.reshape(self.p.slice(x, 1, t, t + 1), [N, shape[2]]) for t in range(T)]

    def op_LSTM(self, n, a, s, W):
        H = n.a("hidden")
        N, T, _ = s[0]
        wih = self.p.transpose(W[n.key("weight_ih")], [1, 0])
        whh = self.p.transpose(W[n.key("weight_hh")], [1, 0])
        b = self.p.add(W[n.key("bias_ih")], W[n.key("bias_hh")])
        h = c = self._k(np.zeros((N, H), np.float32))
        seq = []
        for xt in self._steps(a[0], s[0]):
            z = self.p.add(self.p.add(self.p.matmul(xt, wih), self.p.matmul(h, whh)), b)
            i, f, g, o = (self.p.slice(z, 1, k * H, (k + 1) * H) for k in range(4))
            c = self.p.add(self.p.mul(self.p.sigmoid(f), c), self.p.mul(self.p.sigmoid(i), self.p.tanh(g)))
            h = self.p.mul(self.p.sigmoid(o), self.p.tanh(c))
            seq.append(self.p.reshape(h, [N, 1, H]))
        return self.p.concat(seq, 1) if n.a("return_sequences", True) else h

    def op_GRU(self, n, a, s, W):
        H = n.a("hidden")
        N, T, _ = s[0]
        wih = self.p.transpose(W[n.key("weight_ih")], [1, 0])
        whh = self.p.transpose(W[n.key("weight_hh")], [1, 0])
        h = self._k(np.zeros((N, H), np.float32))
        seq = []
        for xt in self._steps(a[0], s[0]):
            gi = self.p.add(self.p.matmul(xt, wih), W[n.key("bias_ih")])
            gh = self.p.add(self.p.matmul(h, whh), W[n.key("bias_hh")])
            r = self.p.sigmoid(self.p.add(self.p.slice(gi, 1, 0, H), self.p.slice(gh, 1, 0, H)))
            z = self.p.sigmoid(self.p.add(self.p.slice(gi, 1, H, 2 * H), self.p.slice(gh, 1, H, 2 * H)))
            nn_ = self.p.tanh(self.p.add(self.p.slice(gi, 1, 2 * H, 3 * H), self.p.mul(r, self.p.slice(gh, 1, 2 * H, 3 * H))))
            h = self.p.add(self.p.mul(self.p.sub(self._c(1.0), z), nn_), self.p.mul(z, h))
            seq.append(self.p.reshape(h, [N, 1, H]))
        return self.p.concat(seq, 1) if n.a("return_sequences", True) else h


def derived_weights(graph, weights):
    """Numpy-side weight transforms some builders need (flipped kernels for transposed conv, 1-d kernels
    as 2-d). Keys are added to the weight dict so trainable frameworks see them as constants of the original."""
    shapes = {k: list(v.shape) for k, v in weights.items()}
    flips = {}
    for n in graph.nodes:
        if n.op == "ConvTranspose2d":
            w = weights[n.key("weight")]
            g = n.a("groups", 1)
            cin, opg, kh, kw = w.shape
            wg = w.reshape(g, cin // g, opg, kh, kw).transpose(0, 2, 1, 3, 4).reshape(g * opg, cin // g, kh, kw)
            flips[n.key("weight")] = n.key("weight") + "#flipped"
            weights[n.key("weight") + "#flipped"] = np.ascontiguousarray(wg[:, :, ::-1, ::-1])
    return shapes, flips
