"""TensorFlow eager on raw tf ops. CPU conv/pool kernels want NHWC, so those primitives transpose at their
edges (the IR stays NCHW between ops). `tensorflow-xla` compiles the forward with tf.function(jit_compile)."""
import numpy as np
import tensorflow as tf

import eager
import generic

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
DT = {"f32": tf.float32, "f64": tf.float64, "f16": tf.float16, "bf16": tf.bfloat16, "i32": tf.int32,
      "i64": tf.int64, "bool": tf.bool}


def nhwc(x): return tf.transpose(x, [0, 2, 3, 1])
def nchw(x): return tf.transpose(x, [0, 3, 1, 2])


class Prims:
    def const(self, a): return tf.constant(a)
    def add(self, a, b): return tf.add(a, b)
    def sub(self, a, b): return tf.subtract(a, b)
    def mul(self, a, b): return tf.multiply(a, b)
    def div(self, a, b): return tf.divide(a, b)
    def minimum(self, a, b): return tf.minimum(a, b)
    def maximum(self, a, b): return tf.maximum(a, b)
    def exp(self, x): return tf.exp(x)
    def log(self, x): return tf.math.log(x)
    def log1p(self, x): return tf.math.log1p(x)
    def sqrt(self, x): return tf.sqrt(x)
    def abs(self, x): return tf.abs(x)
    def neg(self, x): return tf.negative(x)
    def tanh(self, x): return tf.tanh(x)
    def sigmoid(self, x): return tf.sigmoid(x)
    def erf(self, x): return tf.math.erf(x)
    def relu(self, x): return tf.nn.relu(x)
    def matmul(self, a, b): return tf.linalg.matmul(a, b) if len(a.shape) >= 2 and len(b.shape) >= 2 else tf.tensordot(a, b, 1)
    def transpose(self, x, perm): return tf.transpose(x, perm)
    def reshape(self, x, shape): return tf.reshape(x, shape)
    def concat(self, xs, axis): return tf.concat(xs, axis)
    def slice(self, x, axis, start, end):
        begin = [0] * len(x.shape)
        size = [-1] * len(x.shape)
        begin[axis], size[axis] = start, end - start
        return tf.slice(x, begin, size)
    def gather(self, x, idx, axis): return tf.gather(x, tf.constant(np.asarray(idx, np.int64)), axis=axis)
    def take(self, table, ids): return tf.nn.embedding_lookup(table, ids)
    def pad(self, x, pairs, value): return tf.pad(x, pairs, constant_values=value)

    def reduce(self, kind, x, axes, keep):
        f = {"mean": tf.reduce_mean, "sum": tf.reduce_sum, "max": tf.reduce_max}[kind]
        return f(x, axis=axes, keepdims=keep)

    def conv(self, x, w, stride, dilation, groups):
        # TensorFlow's convolutions take a stride or a dilation above 1, not both (tf.nn.convolution raises, and
        # depthwise_conv2d answers wrong values): a gap of the framework, declared, not a crash or a deviation.
        if max(stride) > 1 and max(dilation) > 1:
            raise generic.Unsupported("convolution with both stride and dilation above 1")
        cin = x.shape[1]
        wk = tf.transpose(w, [2, 3, 1, 0])  # OIHW → HWIO
        xs = nhwc(x)
        if groups == 1:
            y = tf.nn.convolution(xs, wk, strides=stride, dilations=dilation, padding="VALID")
        elif groups == cin:
            # depthwise: HW(C·m)1 → HWCm
            m = w.shape[0] // cin
            dw = tf.reshape(tf.transpose(w, [2, 3, 0, 1]), [w.shape[2], w.shape[3], cin, m])
            y = tf.nn.depthwise_conv2d(xs, dw, [1, stride[0], stride[1], 1], "VALID", dilations=dilation)
        else:
            # grouped conv: the CPU kernel has none, so one conv per group
            ys = []
            cg, og = cin // groups, w.shape[0] // groups
            for g in range(groups):
                ys.append(tf.nn.convolution(xs[..., g * cg:(g + 1) * cg], wk[..., g * og:(g + 1) * og], strides=stride,
                                            dilations=dilation, padding="VALID"))
            y = tf.concat(ys, -1)
        return nchw(y)

    def maxpool(self, x, k, s, d):
        if max(d) > 1:
            raise generic.Unsupported("MaxPool2d dilation")
        return nchw(tf.nn.max_pool2d(nhwc(x), k, s, "VALID"))

    def sumpool(self, x, k, s):
        return nchw(tf.nn.avg_pool2d(nhwc(x), k, s, "VALID")) * float(k[0] * k[1])

    def cast(self, x, to): return tf.cast(x, DT[to])

    def dilate(self, x, shape, st):
        N, C, H, W = shape
        y = tf.reshape(x, [N, C, H, 1, W, 1])
        y = tf.pad(y, [[0, 0], [0, 0], [0, 0], [0, st[0] - 1], [0, 0], [0, st[1] - 1]])
        y = tf.reshape(y, [N, C, H * st[0], W * st[1]])
        return y[:, :, :(H - 1) * st[0] + 1, :(W - 1) * st[1] + 1]


class Ops(generic.GenericOps):
    def op_Softmax(self, n, a, s, W): return tf.nn.softmax(a[0], axis=n.a("axis", -1))
    def op_LogSoftmax(self, n, a, s, W): return tf.nn.log_softmax(a[0], axis=n.a("axis", -1))
    def op_ReLU6(self, n, a, s, W): return tf.nn.relu6(a[0])
    def op_LeakyReLU(self, n, a, s, W): return tf.nn.leaky_relu(a[0], n.a("alpha", 0.01))
    def op_SELU(self, n, a, s, W): return tf.nn.selu(a[0])


class Backend:
    name = "tensorflow"
    variants = ["tensorflow-xla"]

    def __init__(self):
        self.version = tf.__version__
        self.device = "cpu"

    def make_ops(self): return Ops(Prims())

    def weight(self, a, trainable):
        return tf.Variable(a, trainable=bool(trainable)) if trainable and a.dtype.kind == "f" else tf.constant(a)

    def input(self, a): return tf.constant(a)
    def to_numpy(self, t): return t.numpy()

    def build(self, graph, weights, variant):
        model = eager.EagerModel(self, graph, weights)
        model.check()
        if variant == "tensorflow-xla":
            fns = {}

            def forward(W, inputs, want_all):
                if want_all not in fns:
                    fns[want_all] = tf.function(lambda W, i: model._forward(W, i, want_all), jit_compile=True)
                return fns[want_all](W, inputs)
            model.forward = forward
        return model

    def train(self, model, inputs, target, steps, lr):
        feed = model.feed(inputs)
        t = tf.constant(target)
        variables = [(k, v) for k, v in model.W.items() if isinstance(v, tf.Variable)]
        losses, first = [], {}
        for step in range(steps):
            with tf.GradientTape() as tape:
                y = model._forward(model.W, feed, False)["output:0"]
                loss = tf.reduce_mean(tf.square(y - t))
            grads = tape.gradient(loss, [v for _, v in variables])
            losses.append(float(loss))
            if step == 0:
                # An embedding's gradient is IndexedSlices, which has no .numpy(): made dense first.
                first = {k: tf.convert_to_tensor(g).numpy() for (k, _), g in zip(variables, grads) if g is not None}
            for (_, v), g in zip(variables, grads):
                if g is not None:
                    v.assign_sub(lr * tf.convert_to_tensor(g))
        return losses, first
