"""Wrong checkpoint files for sample mistakes (06-09): each is a function of the reference
checkpoint's path returning the bytes a student would have handed in instead."""

import io

import torch


def untrained_weights(reference):
    """The reference checkpoint with its weights replaced by small random ones: what saving
    before training gives (same names and shapes, so it loads)."""
    payload = torch.load(reference, weights_only=True)
    generator = torch.Generator().manual_seed(0)
    payload["state_dict"] = {
        name: (torch.randn(tensor.shape, generator=generator) * 0.05).to(tensor.dtype)
        if tensor.is_floating_point() else tensor
        for name, tensor in payload["state_dict"].items()}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()
