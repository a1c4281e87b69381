"""A DefectLab framework worker: one long-lived process per framework, frames over stdin/stdout
(protocol.py). Usage: worker.py FRAMEWORK. The real stdout is kept for frames only; fd 1 is pointed at stderr
BEFORE any framework is imported, so their chatter (Python or C level) never reaches the frame stream."""
import os
import sys

# Descriptors inherited beyond the three pipes (the driver spawns with closefrom where the C library has
# it; this covers the rest) would hold other processes' pipes open for as long as this worker lives.
os.closerange(3, 65536)
_FRAMES = os.fdopen(os.dup(1), "wb", buffering=0)
os.dup2(2, 1)
sys.stdout = sys.stderr
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Frameworks drop files into the working directory (MindSpore: rank_0/om/analyze_fail.ir): work in a scratch
# folder of our own instead of the caller's checkout.
# tempfile picks a usable temporary folder (an empty or missing TMPDIR falls back to /tmp, never the working
# directory); the folder is per user, and one that cannot be made (a file in the way) gives way to a fresh one.
import tempfile  # noqa: E402
try:
    _SCRATCH = os.path.join(tempfile.gettempdir(), f"defectlab-worker-{os.getuid()}")
    os.makedirs(_SCRATCH, exist_ok=True)
except OSError:
    _SCRATCH = tempfile.mkdtemp(prefix="defectlab-worker-")
os.chdir(_SCRATCH)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("GLOG_v", "3")
if len(sys.argv) > 1 and sys.argv[1] == "jax":
    # A fuzzer builds a new model per mutant, so JAX's XLA compile time dominates: the backend's optimization
    # level 0 halves it here (densenet121: 36 s → 18 s) and leaves the arithmetic to the same kernels.
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false --xla_backend_optimization_level=0")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import faulthandler  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import mmap  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

import threading  # noqa: E402

import numpy as np  # noqa: E402

import protocol  # noqa: E402


def _exit_when_orphaned(parent=os.getppid()):
    """Ends the worker when the driver is gone (killed, or SIGTERMed mid-request): end-of-file on stdin only
    arrives between requests, and a framework busy in C code would otherwise outlive `defectlab`."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


threading.Thread(target=_exit_when_orphaned, daemon=True, name="orphan-watch").start()

# A segfault or abort in a framework's C code dumps the Python stack to stderr (the driver keeps its tail):
# the innermost `op_<Op>` frame says which op crashed, so two crashes in different ops are two defects.
faulthandler.enable(file=sys.stderr, all_threads=False)


def make_backend(name):
    """The one backend factory: framework name → Backend (imports only that framework)."""
    if name == "pytorch":
        import backend_pytorch as m
    elif name == "onnxruntime":
        import backend_onnxruntime as m
    elif name == "tensorflow":
        import backend_tensorflow as m
    elif name == "jax":
        import backend_jax as m
    elif name == "mindspore":
        import backend_mindspore as m
    else:
        raise ValueError(f"unknown framework {name}")
    return m.Backend()


# Kept open and read with pread / written with pwrite: each reading is on every request's path, and opening
# a /proc file costs more than reading it (50 us against 10 us).
_STATM = os.open("/proc/self/statm", os.O_RDONLY)
_STATUS = os.open("/proc/self/status", os.O_RDONLY)
try:
    _CLEAR_REFS = os.open("/proc/self/clear_refs", os.O_WRONLY)
except OSError:
    _CLEAR_REFS = None
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb():
    return int(os.pread(_STATM, 256, 0).split()[1]) * _PAGE / 2**20


def reset_peak():
    # Linux: writing 5 to clear_refs resets VmHWM, so each request reports its own peak.
    if _CLEAR_REFS is not None:
        try:
            os.pwrite(_CLEAR_REFS, b"5", 0)
        except OSError:
            pass


def status_peak_mb():
    status = os.pread(_STATUS, 4096, 0)
    at = status.find(b"VmHWM:")
    if at < 0:
        return rss_mb()
    return int(status[at + 6:status.index(b"\n", at)].split()[0]) / 1024


def _maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakMeter:
    """Peak resident size since the last `reset`. /proc/self/status has it (VmHWM) but costs 30-70 us a
    reading on a small machine, several times a request; getrusage's ru_maxrss costs 2 us and is the same
    high-water mark, except that it also keeps the mark a thread had when it exited, which clear_refs does not
    reset. So right after each reset it is checked against the resident size: when it is higher, an earlier
    mark is stuck in it and this interval reads /proc instead."""

    def __init__(self):
        self.cheap = False

    def reset(self):
        """Resets the mark; returns the resident size now."""
        reset_peak()
        now = rss_mb()
        self.cheap = _CLEAR_REFS is not None and _maxrss_mb() <= now + 1.0
        return now

    def peak(self):
        return _maxrss_mb() if self.cheap else status_peak_mb()


# A result's numeric fields, sent as raw float64 (protocol.write_frame's `numbers`).
_NUMBER_FIELDS = ("build_ms", "first_ms", "times_ms", "rss_mb", "rss_before_mb", "peak_mb", "steady_base_mb",
                  "steady_peak_mb", "worker_ms", "losses", "node_ms")


# What else decides which ops and attributes a framework builds and runs, beyond its own version: the
# packages beside it (jaxlib holds XLA's kernels, onnx's checker judges every ONNX model) and the environment
# that picks its device. The probed capabilities are cached under it, so a change here probes again.
_FINGERPRINT_PACKAGES = {"pytorch": ["torch", "numpy"], "onnxruntime": ["onnxruntime", "onnx", "numpy"],
                         "tensorflow": ["tensorflow", "numpy"], "jax": ["jax", "jaxlib", "numpy"],
                         "mindspore": ["mindspore", "numpy"]}
_FINGERPRINT_ENVIRONMENT = ["CUDA_VISIBLE_DEVICES", "JAX_PLATFORMS", "XLA_FLAGS", "TF_ENABLE_ONEDNN_OPTS", "TF_XLA_FLAGS"]


def runtime_fingerprint(framework):
    parts = []
    for package in _FINGERPRINT_PACKAGES.get(framework, []):
        # The backend imported them already: their own __version__ costs nothing, where importlib.metadata
        # scans site-packages (tens of ms, a quarter of ONNX Runtime's start-up).
        version = getattr(sys.modules.get(package), "__version__", None)
        if version is None:
            from importlib import metadata
            try:
                version = metadata.version(package)
            except metadata.PackageNotFoundError:
                version = "-"
        parts.append(f"{package} {version}")
    parts += [f"{name}={os.environ[name]}" for name in _FINGERPRINT_ENVIRONMENT if name in os.environ]
    return "; ".join(parts)


def package_files(framework):
    """The files the framework's packages were imported from (each package's `__init__`): a listing that trusts
    cached capabilities without starting the worker checks they are still the files it saw, so an upgraded,
    reinstalled or removed package is noticed."""
    files = []
    for package in _FINGERPRINT_PACKAGES.get(framework, []):
        path = getattr(sys.modules.get(package), "__file__", None)
        if path:
            files.append(os.path.abspath(path))
    return files


class TimedRepeats:
    """The timed repeats of a request: `repeats` of them, then more while they add up to less than
    `min_timed_ms` (at most `MAX` in all). Five runs of a 0.3 ms model are 1.5 ms of timing, where one
    scheduler tick decides the statistic; timing until a window is filled, as `timeit` does, gives small
    models as many samples as the slowdown oracle needs and leaves large ones at `repeats`."""

    MAX = 1000

    def __init__(self, header):
        self.repeats = max(1, int(header.get("repeats", 1)))
        self.min_ms = float(header.get("min_timed_ms", 0) or 0)
        self.limit = max(self.repeats, self.MAX)
        self.times, self.total = [], 0.0

    def more(self):
        n = len(self.times)
        return n < self.repeats or (self.total < self.min_ms and n < self.limit)

    def add(self, ms):
        self.times.append(ms)
        self.total += ms


class StageError(Exception):
    def __init__(self, stage, exc):
        super().__init__(str(exc))
        self.stage = stage
        self.exc = exc


class Worker:
    def __init__(self, framework, injector=None):
        self.framework = framework
        self.injector = injector
        self.backend = make_backend(framework)
        self.models = {}
        self.weight_cache = {}
        self.announced = None
        self.retired = self.retired_weights = None
        self.peak_meter = PeakMeter()
        self.slots = protocol.PayloadSlots()

    def hello(self):
        from generic import GenericOps
        ops = self.backend.make_ops()
        supported = ops.supported_ops()
        return {"type": "hello", "protocol": protocol.PROTOCOL_VERSION, "framework": self.framework,
                "version": self.backend.version, "device": self.backend.device, "pid": os.getpid(),
                "ops": supported, "unsupported_attributes": getattr(self.backend, "unsupported_attributes", {}),
                "variants": self.backend.variants, "training": getattr(self.backend, "supports_training", True),
                "fingerprint": runtime_fingerprint(self.framework),
                "package_files": package_files(self.framework)}

    def stage(self, name, fn, *args):
        self.announce(name)
        try:
            if self.injector:
                self.injector.at_stage(name)
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - every framework error becomes a result with its stage
            raise StageError(name, e)

    def weights(self, header, payload):
        """The request's weights: fresh ones from the frame (or its /dev/shm file), the rest from the previous
        request's weights by name (`weights_cached`: the Swift side knows what this process holds, so a mutant
        that kept most of its parent's tensors does not ship them again). Views, not copies."""
        if "weights_path" in header:
            # Mapped copy-on-write: no copy now, private pages if a backend ever writes (the file is removed by
            # the Swift side after the request; the mapping outlives it).
            with open(header["weights_path"], "rb") as f:
                wdata = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
        else:
            start = header["weights_offset"]
            wdata = memoryview(payload)[start:start + header["weights_nbytes"]]
        weights = protocol.read_safetensors(wdata) if len(wdata) else {}
        for name in header.get("weights_cached", []):
            if name not in self.weight_cache:
                raise KeyError(f"weight {name} is not cached in this worker")
            weights[name] = self.weight_cache[name]
        # The replaced weights (and the request buffer they view) are freed after the reply, with the model.
        self.retired_weights, self.weight_cache = self.weight_cache, weights
        return weights

    @staticmethod
    def graph_json(header, payload):
        if "graph" in header:
            return header["graph"]
        return bytes(memoryview(payload)[header["graph_offset"]:header["graph_offset"] + header["graph_nbytes"]])

    def native(self, header, payload):
        """The benchmark's baseline: the work of a run request done natively in this process, no protocol and
        no bookkeeping (stage announcements, memory readings), timed as a user's own script would time it: from
        getting the model's weights into the process (one copy, as reading the model file from the page cache
        costs; the protocol's transfer replaces exactly that read) to the last timed repeat."""
        import irgraph
        payload = self.slots.payload(header, payload)
        tensors = protocol.decode_tensors(header, payload)
        inputs = {k[len("input:"):]: v for k, v in tensors.items() if k.startswith("input:")}
        text = self.graph_json(header, payload)
        variant = header.get("variant") or self.framework
        per_node = bool(header.get("per_node", False))
        t0 = time.perf_counter()
        if "weights_path" in header:
            with open(header["weights_path"], "rb") as f:
                wdata = bytearray(os.fstat(f.fileno()).st_size)
                f.readinto(wdata)
        else:
            start = header["weights_offset"]
            wdata = bytearray(memoryview(payload)[start:start + header["weights_nbytes"]])
        graph = irgraph.Graph(json.loads(text))
        weights = protocol.read_safetensors(wdata) if len(wdata) else {}
        model = self.backend.build(graph, weights, variant)
        model.run(inputs, per_node)
        for _ in range(max(int(header.get("warmup", 1)), 1 if per_node else 0)):
            model.run(inputs, False)
        timed = TimedRepeats(header)
        while timed.more():
            t = time.perf_counter()
            model.run(inputs, False)
            timed.add((time.perf_counter() - t) * 1e3)
        return (time.perf_counter() - t0) * 1e3

    def announce(self, name):
        # announced on stderr so the Swift side knows the stage of a crash or hang; once per change, since
        # each announcement is a write and a parse on the other side. Pending text first, then one raw write
        # on a line of its own, even when a framework left half a line on stderr.
        if name != self.announced:
            self.announced = name
            sys.stderr.flush()
            os.write(2, b"\n@@stage " + name.encode() + b"\n")

    def run(self, header, payload):
        self.announced = None
        payload = self.slots.payload(header, payload)
        tensors = protocol.decode_tensors(header, payload)
        graph_json = self.graph_json(header, payload)
        import irgraph
        graph = irgraph.Graph(json.loads(graph_json))
        weights = self.weights(header, payload)
        inputs = {k[len("input:"):]: v for k, v in tensors.items() if k.startswith("input:")}
        variant = header.get("variant") or self.framework
        want_all = bool(header.get("per_node", False))
        warmup = int(header.get("warmup", 1))
        if self.injector:
            self.injector.begin(graph)
        rss0 = self.peak_meter.reset()
        t0 = time.perf_counter()
        train = header.get("train")
        if train:
            weights = {k: v.copy() for k, v in weights.items()}   # training updates parameters in place
        model = self.stage("build", self.backend.build, graph, weights, variant)
        if self.injector:
            model.post_node = self.injector.post_node
        build_ms = (time.perf_counter() - t0) * 1e3
        outputs = None
        times, rss_series = [], []
        if train:
            target = tensors["target"]
            losses, grads = self.stage("train", self.backend.train, model, inputs, target, int(train["steps"]), float(train["lr"]))
            body = {"type": "result", "status": "ok", "losses": losses, "build_ms": build_ms,
                    "peak_mb": self.peak_meter.peak(), "rss_before_mb": rss0}
            return body, {f"grad:{k}": v for k, v in grads.items()}
        first = time.perf_counter()
        outputs = self.stage("compile" if variant != self.framework else "execute", model.run, inputs, want_all)
        first_ms = (time.perf_counter() - first) * 1e3
        # Warm-up on the timed path (final outputs only): after a per-node first run, compiled variants build
        # a second program for it, so one warm-up is always run then; otherwise the first run warmed it.
        for _ in range(max(warmup, 1 if want_all else 0)):
            self.stage("execute", model.run, inputs, False)
        # Steady state: the first run pays one-off costs (JAX compiles each primitive, caches fill), so the
        # memory oracle looks at the peak of the timed repeats over the resident size before them.
        request_peak = self.peak_meter.peak()
        steady_base = self.peak_meter.reset()
        timed = TimedRepeats(header)
        # One stage wrapper around the loop, not one per run: a small model runs a hundred times here.
        self.announce("execute")
        try:
            while timed.more():
                t = time.perf_counter()
                if self.injector:
                    self.injector.at_stage("execute")
                model.run(inputs, False)
                timed.add((time.perf_counter() - t) * 1e3)
                # Resident size after the first and the last repeat: growth between them is what the memory
                # oracle reads (each /proc reading costs ~10-70 us on a small machine, so no more are taken).
                if len(timed.times) == 1:
                    rss_series.append(rss_mb())
        except Exception as e:  # noqa: BLE001 - as in `stage`
            raise StageError("execute", e)
        if len(timed.times) > 1:
            rss_series.append(rss_mb())
        times = timed.times
        steady_peak = self.peak_meter.peak()
        body = {"type": "result", "status": "ok", "build_ms": build_ms, "first_ms": first_ms, "times_ms": times,
                "rss_mb": rss_series, "rss_before_mb": rss0, "peak_mb": max(request_peak, steady_peak),
                "steady_base_mb": steady_base, "steady_peak_mb": steady_peak}
        if header.get("profile"):
            # Each node's time, after everything timed above (a slowdown's localization, asked for only when
            # a slowdown is found or the caller wants per-node results).
            # A profile that fails (ONNX Runtime's profiling session is built anew) leaves the run's result as
            # it was: it only has no node times.
            try:
                node_ms = model.profile(inputs)
            except Exception as e:  # noqa: BLE001
                body["profile_error"] = f"{type(e).__name__}: {e}"[:500]
            else:
                body["profiled_nodes"] = list(node_ms)
                body["node_ms"] = list(node_ms.values())
        self.retired = model
        return body, {k: np.asarray(v) for k, v in outputs.items()}

    def serve(self):
        stdin = sys.stdin.buffer
        protocol.widen_pipe(0)
        protocol.widen_pipe(_FRAMES.fileno())
        protocol.write_frame(_FRAMES, self.hello())
        # The framework's import left hundreds of thousands of long-lived objects; frozen, the cyclic
        # collector no longer walks them whenever a collection happens to land inside a timed request.
        gc.freeze()
        while True:
            try:
                header, payload = protocol.read_frame(stdin)
            except EOFError:
                return
            kind = header.get("type")
            if kind == "shutdown":
                protocol.write_frame(_FRAMES, {"type": "bye"})
                return
            if kind == "ping":
                protocol.write_frame(_FRAMES, {"type": "pong", "rss_mb": rss_mb()})
                continue
            if kind == "export":
                try:
                    import irgraph
                    graph = irgraph.Graph(json.loads(header["graph"]))
                    weights = protocol.read_safetensors(payload[header["weights_offset"]:header["weights_offset"] + header["weights_nbytes"]])
                    data = self.backend.export(graph, weights)
                    protocol.write_frame(_FRAMES, {"type": "export", "status": "ok"}, {"onnx": np.frombuffer(data, np.uint8).view(np.bool_)})  # raw bytes as a 1-byte dtype
                except Exception as e:  # noqa: BLE001
                    protocol.write_frame(_FRAMES, {"type": "export", "status": "error", "message": f"{type(e).__name__}: {e}"})
                continue
            if kind == "native":
                try:
                    protocol.write_frame(_FRAMES, {"type": "native", "native_ms": self.native(header, payload)})
                except Exception as e:  # noqa: BLE001
                    protocol.write_frame(_FRAMES, {"type": "native", "status": "error", "message": f"{type(e).__name__}: {e}"})
                continue
            if kind == "hello":
                protocol.write_frame(_FRAMES, self.hello())
                continue
            try:
                t0 = time.perf_counter()
                body, tensors = self.run(header, payload)
                # everything the worker did for this request except reading and writing frames
                body["worker_ms"] = (time.perf_counter() - t0) * 1e3
                numbers = {k: body.pop(k) for k in _NUMBER_FIELDS if k in body}
                protocol.write_frame(_FRAMES, body, tensors, numbers)
                # The model and the weights it replaced are torn down once the reply is on its way, while the
                # driver decodes it, rather than on the request's path (closing an ONNX Runtime session,
                # unmapping a freed request buffer).
                self.retired = self.retired_weights = None
            except StageError as e:
                unsupported = type(e.exc).__name__ == "Unsupported"
                memory = isinstance(e.exc, MemoryError)
                protocol.write_frame(_FRAMES, {
                    "type": "result", "status": "unsupported" if unsupported else ("memory" if memory else "error"),
                    "stage": e.stage, "error_type": type(e.exc).__name__, "message": str(e.exc)[:2000],
                    "traceback": traceback.format_exception(e.exc)[-6:]})
            except Exception as e:  # noqa: BLE001 - a bad request must not end the worker
                protocol.write_frame(_FRAMES, {"type": "result", "status": "error", "stage": "load",
                                               "error_type": type(e).__name__, "message": str(e)[:2000],
                                               "traceback": traceback.format_exc()[-2000:]})


def main(argv):
    Worker(argv[1]).serve()


if __name__ == "__main__":
    main(sys.argv)
