"""Test-only fault-injection worker: the real worker protocol and a real framework (PyTorch), plus faults
triggered by the model's graph name, so one process can be asked to misbehave in every way in turn.

Usage: fault_worker.py SCRIPTS_DIR BASE_FRAMEWORK SPEC[;SPEC...] where SPEC is
  GRAPH=segfault@STAGE | chattysegfault@STAGE | abort@STAGE | raise@STAGE | unsupported@STAGE | hang@STAGE | leak:MB | spike:MB | oom | slow:SECONDS
  | slowop:NODE:SECONDS
  | corrupt:NODE | nan:NODE
STAGE is build or execute (train for training requests). `unsupported` raises the backends' Unsupported, as
a framework without the op would; capability probes are graphs named `probe.<Op>[.<attribute>.<value>]`, alone
or merged into a group named `probe.A+probe.B+...`."""
import os
import signal
import sys

scripts, base, specs = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, scripts)
import worker  # noqa: E402  (redirects stdout before the framework is imported)

import time  # noqa: E402

_LEAK = []


class Injector:
    def __init__(self, text):
        self.faults = {}
        for part in filter(None, text.split(";")):
            graph, fault = part.split("=", 1)
            self.faults[graph] = fault
        self.fault = None

    def begin(self, graph):
        # A merged probe group (ProbeGroup) is named after its probes joined by "+": a fault on any of them
        # fires for the group, as a real framework fails a model containing the op it fails on.
        self.fault = self.faults.get(graph.name)
        if self.fault is None:
            self.fault = next((self.faults[n] for n in graph.name.split("+") if n in self.faults), None)

    def at_stage(self, stage):
        f = self.fault
        if not f:
            return
        if "@" in f:
            kind, where = f.split("@", 1)
            if where != stage:
                return
            if kind == "segfault":
                os.kill(os.getpid(), signal.SIGSEGV)
            if kind == "chattysegfault":
                # A framework's flood of warnings between the stage announcement and the crash.
                os.write(2, b"UserWarning: something deprecated\n" * 8000)
                os.kill(os.getpid(), signal.SIGSEGV)
            if kind == "abort":
                os.abort()
            if kind == "raise":
                raise RuntimeError(f"injected failure at {stage}")
            if kind == "unsupported":
                import generic
                raise generic.Unsupported(f"injected: not supported at {stage}")
            if kind == "hang":
                time.sleep(3600)
        if stage != "execute":
            return
        if f.startswith("leak:"):
            # touched pages, kept forever: resident memory grows with every run
            _LEAK.append(bytearray(b"\x01") * (int(f[5:]) << 20))
        elif f.startswith("spike:"):
            # touched pages, freed again at once: resident memory peaks during each run and falls back
            spike = bytearray(b"\x01") * (int(f[6:]) << 20)
            del spike
        elif f == "oom":
            while True:
                _LEAK.append(bytearray(b"\x01") * (64 << 20))
        elif f.startswith("slow:"):
            time.sleep(float(f[5:]))

    def post_node(self, node, outs):
        f = self.fault or ""
        if f == f"corrupt:{node.name}":
            return [outs[0] * 1.5 + 0.25] + outs[1:]
        if f.startswith("slowop:") and f[len("slowop:"):].rsplit(":", 1)[0] == node.name:
            time.sleep(float(f.rsplit(":", 1)[1]))   # one op slow, the rest of the model as fast as ever
        if f == f"nan:{node.name}":
            return [outs[0] * float("nan")] + outs[1:]
        return outs


worker.Worker(base, Injector(specs)).serve()
