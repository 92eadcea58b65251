"""safetensors read/write with numpy alone (the format avdit writes: sorted names, F32 or F16, header padded
to 8 bytes, compact JSON), so a checkpoint written here is byte-identical to avdit's for the same tensors."""
import json
import os
import struct

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16}


def load(path):
    """{name: float32 array} and the metadata; a damaged file is an error naming it."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: not a safetensors file (too short)")
    n = struct.unpack("<Q", raw[:8])[0]
    if n <= 0 or 8 + n > len(raw):
        raise ValueError(f"{path}: not a safetensors file (bad header length)")
    try:
        header = json.loads(raw[8:8 + n])
    except ValueError:
        raise ValueError(f"{path}: not a safetensors file (header is not JSON)") from None
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = DTYPES.get(info.get("dtype"))
        if dt is None:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info.get('dtype')}")
        a, b = info["data_offsets"]
        if base + b > len(raw):
            raise ValueError(f"{path}: truncated: tensor {name} ends at byte {base + b}, the file has {len(raw)} bytes")
        out[name] = np.frombuffer(raw[base + a:base + b], dtype=dt).astype(np.float32).reshape(info["shape"])
    return out, header.get("__metadata__", {})


def dumps(tensors, metadata=None, dtype="F32"):
    names = sorted(tensors)
    header = {"__metadata__": metadata or {}}
    off = 0
    width = 4 if dtype == "F32" else 2
    for k in names:
        shape = list(tensors[k].shape)
        count = int(np.prod(shape)) if shape else 1
        header[k] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + count * width]}
        off += count * width
    js = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
    while (8 + len(js.encode())) % 8:
        js += " "
    hb = js.encode()
    body = b"".join(np.ascontiguousarray(tensors[k], dtype=DTYPES[dtype]).astype("<" + np.dtype(DTYPES[dtype]).str[1:]).tobytes() for k in names)
    return struct.pack("<Q", len(hb)) + hb + body


def write_atomic(path, data):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
