"""Moving weights between PyTorch and DslNet, with nothing but the standard library and torch.

DslNet names every tensor after its node (docs/pytorch.md):

* a node with one parametric layer (Dense, Conv2D, BatchNorm, PReLU): ``Node.weight``, ``Node.bias``;
* a node with several: ``Node.{i}.weight``, where ``i`` is the layer's position among the node's
  attributes, counted as ``nn.Sequential`` counts its modules;
* BatchNorm: ``weight``, ``bias``, ``running_mean``, ``running_var``; PyTorch's ``num_batches_tracked``
  has no counterpart and is dropped.

So a PyTorch model that holds one module (or one ``nn.Sequential``) per DslNet node, in attributes
named like the nodes, maps onto DslNet by one rule, :func:`to_dslnet_names`: drop
``num_batches_tracked``, and turn ``Node.{i}.name`` into ``Node.name`` when ``i`` is the only
index under which ``Node`` has tensors. Weights keep PyTorch's layouts ([out, in] for Linear,
[out, in, kh, kw] for Conv2d), so no tensor is transposed.

The safetensors format is read and written here in plain Python (the ``safetensors`` package is
not needed): an 8-byte little-endian header length, a JSON header padded with spaces to a multiple
of 8, then the tensors' little-endian bytes back to back.

Example::

    import torch, dslnet_interop as dn
    model = MyLeNet()                      # attributes named C1, C3, F5, F6, Logits
    dn.save_for_dslnet(model.state_dict(), "lenet.safetensors")
    # ... train in DslNet, net.Save("trained.safetensors") ...
    dn.load_from_dslnet(model, "trained.safetensors")
"""

import json
import os
import re
import struct
import tempfile

import numpy as np

# safetensors dtype names and their numpy types.
_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_,
}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    """Writes ``{name: numpy array}`` (in insertion order) to ``path`` atomically: a temporary
    file in the same folder, flushed and fsynced, then renamed over ``path``."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    blobs = []
    for name, value in tensors.items():
        array = np.ascontiguousarray(value)
        if array.dtype not in _NAMES:
            raise TypeError(f"tensor '{name}' has dtype {array.dtype}, which safetensors does not name here")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _NAMES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for blob in blobs:
                f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def read_safetensors(path):
    """Returns ``(tensors, metadata)``: ``{name: numpy array}`` in header order and the metadata dict."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: truncated, {len(raw)} bytes")
    (length,) = struct.unpack("<Q", raw[:8])
    if 8 + length > len(raw):
        raise ValueError(f"{path}: header of {length} bytes but only {len(raw) - 8} follow")
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    data = raw[8 + length:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"]).copy()
    return tensors, metadata


_INDEXED = re.compile(r"^(?P<node>[^.]+)\.(?P<index>\d+)\.(?P<rest>.+)$")


def to_dslnet_names(keys):
    """Maps PyTorch state_dict keys to DslNet tensor names: ``{torch_key: dslnet_name}``.
    ``num_batches_tracked`` buffers are left out (DslNet has no such counter)."""
    keys = [k for k in keys if not k.endswith("num_batches_tracked")]
    indices = {}
    for key in keys:
        m = _INDEXED.match(key)
        if m:
            indices.setdefault(m["node"], set()).add(m["index"])
    mapping = {}
    for key in keys:
        m = _INDEXED.match(key)
        if m and len(indices[m["node"]]) == 1:
            mapping[key] = m["node"] + "." + m["rest"]
        else:
            mapping[key] = key
    return mapping


def save_for_dslnet(state_dict, path):
    """Renames a PyTorch state_dict to DslNet's names and writes it as float32 safetensors,
    which ``net.Load(path)`` reads."""
    mapping = to_dslnet_names(state_dict.keys())
    tensors = {mapping[k]: v.detach().cpu().numpy().astype(np.float32) for k, v in state_dict.items() if k in mapping}
    write_safetensors(path, tensors, {"format": "pt"})


def load_from_dslnet(model, path):
    """Loads a checkpoint written by DslNet's ``net.Save(path)`` into a PyTorch model whose
    attributes are named like the DslNet nodes. Every tensor must be present with its shape;
    ``num_batches_tracked`` is left as it was."""
    import torch

    tensors, _ = read_safetensors(path)
    state = model.state_dict()
    mapping = to_dslnet_names(state.keys())
    missing = [name for name in mapping.values() if name not in tensors]
    unexpected = sorted(set(tensors) - set(mapping.values()))
    if missing or unexpected:
        raise KeyError(f"{path}: missing {missing}, unexpected {unexpected}")
    for key, name in mapping.items():
        value = torch.from_numpy(tensors[name])
        if tuple(value.shape) != tuple(state[key].shape):
            raise ValueError(f"{path}: '{name}' has shape {tuple(value.shape)}, the model's '{key}' {tuple(state[key].shape)}")
        state[key] = value.to(state[key].dtype)
    model.load_state_dict(state)
