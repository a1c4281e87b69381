"""Frame I/O shared by every worker. A frame is: u32 LE header length, u64 LE payload length, the header
(UTF-8 JSON), then the payload (raw little-endian tensor bytes that the header's `tensors` entries index).
Tensors never travel as JSON numbers."""
import json
import struct

import numpy as np

PROTOCOL_VERSION = 1

DTYPES = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i32": np.int32, "i64": np.int64, "bool": np.bool_}


def dtype_name(array):
    for name, dt in DTYPES.items():
        if array.dtype == dt:
            return name
    raise ValueError(f"unsupported dtype {array.dtype}")


def read_exact(stream, n):
    # A pipe returns short reads; loop until N bytes or EOF.
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            raise EOFError("stdin closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(stream):
    head = read_exact(stream, 12)
    hlen, plen = struct.unpack("<IQ", head)
    header = json.loads(read_exact(stream, hlen).decode("utf-8"))
    payload = read_exact(stream, plen) if plen else b""
    return header, payload


def decode_tensors(header, payload):
    out = {}
    for t in header.get("tensors", []):
        dt = DTYPES[t["dtype"]]
        raw = payload[t["offset"]:t["offset"] + t["nbytes"]]
        out[t["name"]] = np.frombuffer(raw, dtype=dt).reshape(t["shape"]).copy()
    return out


def write_frame(stream, header, tensors=None):
    parts, entries, offset = [], [], 0
    for name, array in (tensors or {}).items():
        a = np.ascontiguousarray(array)
        if a.dtype == np.bool_:
            pass
        elif a.dtype not in (np.float32, np.float64, np.float16, np.int32, np.int64):
            a = a.astype(np.float32)
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        entries.append({"name": name, "dtype": dtype_name(a), "shape": list(a.shape), "offset": offset, "nbytes": len(raw)})
        parts.append(raw)
        offset += len(raw)
    header = dict(header)
    header["tensors"] = entries
    body = json.dumps(header, allow_nan=True).encode("utf-8")
    stream.write(struct.pack("<IQ", len(body), offset))
    stream.write(body)
    for p in parts:
        stream.write(p)
    stream.flush()


def read_safetensors(data):
    """Weights: the safetensors layout (u64 header length, JSON header, raw data), read with numpy only."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    names = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I32": np.int32, "I64": np.int64, "BOOL": np.bool_}
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        out[key] = np.frombuffer(data[base + start:base + end], dtype=names[info["dtype"]]).reshape(info["shape"]).copy()
    return out
