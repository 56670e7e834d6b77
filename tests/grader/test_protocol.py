import io
import json
import struct

import numpy as np
import pytest
import torch

from gradeworker import protocol


def roundtrip(value, tensors=True):
    stream = io.BytesIO()
    protocol.write_message(stream, {"value": protocol.encode(value)})
    stream.seek(0)
    return protocol.decode(protocol.read_message(stream)["value"], tensors=tensors)


def test_roundtrip_keeps_arrays_dtypes_and_containers():
    value = {"a": np.arange(6, dtype=np.int16).reshape(2, 3), "b": (1, 2.5, None, "s"),
             "c": [np.float32(1.5), True], 3: np.zeros((0, 4))}
    back = roundtrip(value)
    assert back["a"].dtype == np.int16 and back["a"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["b"] == (1, 2.5, None, "s")
    assert back["c"] == [1.5, True]
    assert back[3].shape == (0, 4)


def test_tensors_decode_to_tensors_or_numpy():
    tensor = torch.arange(4, dtype=torch.float64)
    assert torch.equal(roundtrip(tensor), tensor)
    as_numpy = roundtrip(tensor, tensors=False)
    assert isinstance(as_numpy, np.ndarray) and as_numpy.dtype == np.float64


def test_non_finite_floats_survive():
    back = roundtrip(np.array([np.nan, np.inf]))
    assert np.isnan(back[0]) and np.isinf(back[1])


@pytest.mark.parametrize("value", [object(), np.array(["a"], dtype=object), {1, 2}, len])
def test_unsupported_values_are_refused(value):
    with pytest.raises(protocol.ProtocolError):
        protocol.encode(value)


@pytest.mark.parametrize("payload", [
    {"__ndarray__": ["|O", [1], ""]},                      # object dtype
    {"__ndarray__": ["<f8", [3], "AAAA"]},                 # size mismatch
    {"__pickle__": "gASVAAAA"},                            # unknown tag
    {"__dict__": [[[1, 2], 3]]},                           # unhashable key
])
def test_hostile_payloads_are_rejected(payload):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(payload)


def test_oversized_or_malformed_frames_are_rejected():
    with pytest.raises(protocol.ProtocolError):
        protocol.read_message(io.BytesIO(struct.pack(">I", protocol.MAX_FRAME_BYTES + 1)))
    body = b"[1, 2]"
    with pytest.raises(protocol.ProtocolError):
        protocol.read_message(io.BytesIO(struct.pack(">I", len(body)) + body))
    with pytest.raises(EOFError):
        protocol.read_message(io.BytesIO(b"\x00\x00"))


def test_deep_nesting_is_bounded():
    nested = []
    for _ in range(protocol.MAX_DEPTH + 5):
        nested = [nested]
    with pytest.raises(protocol.ProtocolError):
        protocol.encode(nested)
    raw = json.loads(json.dumps(nested))
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(raw)
