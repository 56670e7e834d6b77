"""Snapshots of the image being optimised, without changing the optimisation's code.

    recorder = FrameRecorder(extractor, every=10)
    G, history = run_style_transfer(recorder, content, style, ...)   # recorder as extractor
    recorder.add_final(G)             # the result after the last step (the loop never shows it)
    recorder.frames                   # [(0, image), (10, image), ..., (steps, G)]

The optimisation calls its extractor on the content and style images (their targets, with
no gradient needed) and once per step on the image being optimised, which requires a
gradient. The recorder passes every call through and counts the second kind: call k (from
0) shows the image after k updates, so its frame is labelled step k.
"""

import torch

__all__ = ["FrameRecorder"]


class FrameRecorder:
    """Wraps ``extractor`` (any callable taking a (1, 3, H, W) image); every ``every`` steps
    keeps a detached copy of the optimised image, clamped to [0, 1], on the CPU.

    Attributes: ``frames`` (list of ``(step, (1, 3, H, W) tensor)``), ``steps`` (how many
    optimisation steps were seen), ``extractor``.
    """

    def __init__(self, extractor, every=10):
        if int(every) < 1:
            raise ValueError(f"every must be a positive number of steps, got {every}")
        self.extractor = extractor
        self.every = int(every)
        self.frames = []
        self.steps = 0

    def __call__(self, x):
        if isinstance(x, torch.Tensor) and x.requires_grad:   # the image being optimised
            if self.steps % self.every == 0:
                self._keep(self.steps, x)
            self.steps += 1
        return self.extractor(x)

    def _keep(self, step, image):
        self.frames.append((step, image.detach().clamp(0, 1).cpu().clone()))

    def add_final(self, image):
        """Add the final image as step ``steps`` (after the last update), unless that step
        is already a frame; returns ``frames``."""
        if not self.frames or self.frames[-1][0] != self.steps:
            self._keep(self.steps, image)
        return self.frames

    def reset(self):
        """Forget the frames and the step count (to record another run)."""
        self.frames, self.steps = [], 0
