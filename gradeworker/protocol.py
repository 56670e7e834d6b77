"""Pickle-free messages between the trusted grader and the untrusted worker.

A frame is a 4-byte big-endian length followed by a UTF-8 JSON document.
Values that JSON cannot hold are tagged objects:

    {"__ndarray__": [dtype, shape, base64]}   numeric/bool numpy arrays only
    {"__tensor__":  [dtype, shape, base64]}   torch tensors (sent as their numpy data)
    {"__tuple__":   [...]}                     tuples
    {"__dict__":    [[key, value], ...]}       dicts (keys encoded too)

Decoding never runs code and rejects anything else, so a hostile worker can at
worst send wrong data, never execute code in the grader. Size and nesting are
bounded for the same reason.
"""

import base64
import binascii
import json
import struct

import numpy as np

MAX_FRAME_BYTES = 512 * 1024 * 1024     # requests: test inputs sent to the worker
MAX_REPLY_BYTES = 64 * 1024 * 1024      # replies: what a worker may send back
MAX_DEPTH = 64
_ALLOWED_DTYPE_KINDS = set("biufc")
_HEADER = struct.Struct(">I")


class ProtocolError(Exception):
    """A message could not be encoded or decoded."""


def _encode_array(array, tag):
    if array.dtype.kind not in _ALLOWED_DTYPE_KINDS:
        raise ProtocolError(f"arrays of dtype {array.dtype} cannot be sent")
    data = np.ascontiguousarray(array)
    payload = base64.b64encode(data.tobytes()).decode("ascii")
    return {tag: [data.dtype.str, list(data.shape), payload]}


def encode(value, depth=0):
    """Turn a Python value into a JSON-compatible structure (see module doc)."""
    if depth > MAX_DEPTH:
        raise ProtocolError("value is nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return encode(value.item(), depth)
    if isinstance(value, np.ndarray):
        return _encode_array(value, "__ndarray__")
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        return _encode_array(value.detach().cpu().numpy(), "__tensor__")
    if isinstance(value, list):
        return [encode(item, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    raise ProtocolError(f"a value of type {type(value).__name__} cannot be sent")


def _decode_array(spec, as_tensor):
    try:
        dtype_str, shape, payload = spec
        dtype = np.dtype(dtype_str)
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError) as error:
        raise ProtocolError(f"malformed array: {error}") from None
    if dtype.kind not in _ALLOWED_DTYPE_KINDS:
        raise ProtocolError(f"arrays of dtype {dtype} are not accepted")
    raw = base64.b64decode(payload.encode("ascii"), validate=True)
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if count * dtype.itemsize != len(raw):
        raise ProtocolError("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if as_tensor:
        import torch  # only when a tensor was actually sent
        return torch.from_numpy(array)
    return array


def decode(data, tensors=True, depth=0):
    """Inverse of ``encode``. With ``tensors=False`` tensors decode to numpy arrays.
    Anything malformed (the worker is hostile) raises ProtocolError, nothing else."""
    try:
        return _decode(data, tensors, depth)
    except ProtocolError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError,
            RecursionError, binascii.Error) as error:
        raise ProtocolError(f"malformed value ({type(error).__name__})") from None


def _decode(data, tensors=True, depth=0):
    if depth > MAX_DEPTH:
        raise ProtocolError("message is nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_decode(item, tensors, depth + 1) for item in data]
    if isinstance(data, dict) and len(data) == 1:
        (tag, body), = data.items()
        if tag == "__ndarray__":
            return _decode_array(body, as_tensor=False)
        if tag == "__tensor__":
            return _decode_array(body, as_tensor=tensors)
        if tag == "__tuple__" and isinstance(body, list):
            return tuple(_decode(item, tensors, depth + 1) for item in body)
        if tag == "__dict__" and isinstance(body, list):
            return {_hashable(_decode(k, tensors, depth + 1)): _decode(v, tensors, depth + 1)
                    for k, v in body}
    raise ProtocolError("unrecognised value in message")


def _hashable(key):
    if isinstance(key, (np.ndarray, list, dict)):
        raise ProtocolError("dict keys must be scalars, strings or tuples")
    return key


def write_message(stream, message):
    """Write one JSON message (a dict of already-encoded values) as a frame."""
    body = json.dumps(message, allow_nan=True).encode("utf-8")
    if len(body) > MAX_FRAME_BYTES:
        raise ProtocolError("message too large")
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _read_exactly(stream, size):
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("stream closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(stream, limit=MAX_FRAME_BYTES):
    """Read one frame of at most ``limit`` bytes; EOFError when the other side has gone.
    The trusted side reads replies with MAX_REPLY_BYTES: a hostile worker must not make
    the grading process allocate gigabytes."""
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    if size > limit:
        raise ProtocolError("incoming message too large")
    try:
        message = json.loads(_read_exactly(stream, size).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ProtocolError(f"malformed message: {type(error).__name__}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    return message
