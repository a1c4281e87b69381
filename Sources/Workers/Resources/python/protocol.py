"""Frame I/O shared by every worker. A frame is: u32 LE header length, u64 LE payload length, the header
(UTF-8 JSON), then the payload (raw little-endian tensor bytes that the header's `tensors` entries index).
Tensors never travel as JSON numbers, and never through Python lists: payloads are read with `readinto` into
one buffer that numpy views in place, and written with one `writev` of the arrays' own memory (no `tobytes`
copies), because the protocol's cost is the copies, not the syscalls."""
import fcntl
import json
import mmap
import os
import struct

import numpy as np

PROTOCOL_VERSION = 1

DTYPES = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i32": np.int32, "i64": np.int64, "bool": np.bool_}

# Linux F_SETPIPE_SZ: a 64 KiB pipe makes every large tensor cost one context switch per 64 KiB.
_F_SETPIPE_SZ = 1031
PIPE_BYTES = 1 << 20


def widen_pipe(fd):
    """Asks for a 1 MiB pipe buffer (the unprivileged maximum); harmless where refused."""
    try:
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)
    except OSError:
        pass


def read_exact(stream, n):
    """N bytes into one writable buffer (numpy views it without copying); a pipe returns short reads."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = stream.readinto(view[got:])
        if not k:
            raise EOFError("stdin closed")
        got += k
    return buf


def read_frame(stream):
    head = read_exact(stream, 12)
    hlen, plen = struct.unpack("<IQ", head)
    header = json.loads(bytes(read_exact(stream, hlen)).decode("utf-8"))
    payload = read_exact(stream, plen) if plen else bytearray()
    return header, payload


class PayloadSlots:
    """The shared memory a request's payload may come in instead of the frame (the Swift side's
    `PayloadSlots`): a few /dev/shm files, each mapped once and kept, so a payload is viewed in place in pages
    that are already mapped. The driver writes a slot only while this process holds nothing it will read
    from it again; a slot replaced by a larger one is unmapped once the last view of it is gone."""

    def __init__(self):
        self.maps = {}   # slot index -> (path, mmap)

    def payload(self, header, payload):
        """The request's payload: a view of its slot when it came in one, else the frame's own."""
        path = header.get("payload_slot")
        if path is None:
            return payload
        index, nbytes = int(header["payload_slot_index"]), int(header["payload_nbytes"])
        entry = self.maps.get(index)
        if entry is None or entry[0] != path:
            self.maps.pop(index, None)
            fd = os.open(path, os.O_RDWR)
            try:
                entry = self.maps[index] = (path, mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE))
            finally:
                os.close(fd)
        if nbytes > len(entry[1]):
            raise ValueError(f"payload of {nbytes} bytes does not fit its slot of {len(entry[1])}")
        return memoryview(entry[1])[:nbytes]


def decode_tensors(header, payload):
    """Views into the payload (no copy): the payload buffer is private to this request."""
    out = {}
    for t in header.get("tensors", []):
        dt = np.dtype(DTYPES[t["dtype"]])
        count = t["nbytes"] // dt.itemsize
        out[t["name"]] = np.frombuffer(payload, dtype=dt, count=count, offset=t["offset"]).reshape(t["shape"])
    return out


def _write_all(fd, buffers):
    """One writev for the whole frame; loops only on short writes (a pipe fuller than its buffer)."""
    pending = [m for m in (memoryview(b).cast("B") for b in buffers) if m.nbytes]
    while pending:
        n = os.writev(fd, pending[:1024])
        while n > 0 and pending:
            if n >= len(pending[0]):
                n -= len(pending[0])
                pending.pop(0)
            else:
                pending[0] = pending[0][n:]
                n = 0


# Wire dtype names by numpy dtype (native byte order only: anything else is converted before it goes out).
_WIRE_NAMES = {np.dtype(t): name for name, t in DTYPES.items()}


def write_frame(stream, header, tensors=None, numbers=None):
    """`numbers` (name → float or list of floats: timings, memory readings, losses) travel as raw float64 at
    the start of the payload, the header listing each name and count (`"numbers": [name, count, ...]`): the
    shortest-repr formatting of a reply's ~20 floats was the largest cost of writing it, and of reading it."""
    parts, entries, offset = [], [], 0
    if numbers:
        layout, flat = [], []
        for key, value in numbers.items():
            values = value if isinstance(value, (list, tuple)) else (value,)
            layout += (key, len(values))
            flat.extend(values)
        parts.append(struct.pack(f"<{len(flat)}d", *flat))
        offset = 8 * len(flat)
        header = dict(header, numbers=layout)
    for name, array in (tensors or {}).items():
        a = np.asarray(array)
        wire = _WIRE_NAMES.get(a.dtype)
        if wire is None:
            a = a.astype(np.float32)   # other float widths and big-endian data go out as float32
            wire = "f32"
        if not a.flags.c_contiguous:
            a = np.ascontiguousarray(a)
        if offset % 8:
            pad = 8 - offset % 8
            parts.append(bytes(pad))
            offset += pad
        n = a.nbytes
        entries.append({"name": name, "dtype": wire, "shape": list(a.shape), "offset": offset, "nbytes": n})
        if n:
            parts.append(a)
        offset += n
    header = dict(header)
    header["tensors"] = entries
    body = json.dumps(header, allow_nan=True).encode("utf-8")
    _write_all(stream.fileno(), [struct.pack("<IQ", len(body), offset), body] + parts)


def read_safetensors(data):
    """Weights: the safetensors layout (u64 header length, JSON header, raw data), read with numpy only, as
    views into `data` (callers hand over a buffer they no longer use, or copy what they keep)."""
    data = memoryview(data)
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(bytes(data[8:8 + n]).decode("utf-8"))
    base = 8 + n
    names = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I32": np.int32, "I64": np.int64, "BOOL": np.bool_}
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dt = np.dtype(names[info["dtype"]])
        out[key] = np.frombuffer(data, dtype=dt, count=(end - start) // dt.itemsize, offset=base + start).reshape(info["shape"])
    return out
