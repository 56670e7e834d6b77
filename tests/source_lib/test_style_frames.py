"""FrameRecorder: wraps an extractor, counts only the calls on the image being optimised, and
keeps clamped, detached snapshots every few steps, without changing what the loop computes.

The optimisation loop here is a few lines written for the test (pull an image's mean colour
towards a target's through a tiny convolution), not notebook 09's graded function."""

import pytest
import torch
from torch import nn

from source_lib.style.frames import FrameRecorder

pytestmark = pytest.mark.usefixtures("one_thread")


def _extractor():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1).requires_grad_(False)
    return lambda x: [conv(x)]


def _optimise(extractor, target, steps, lr=0.1):
    """Targets first, without gradients (like a style-transfer loop), then ``steps`` Adam
    steps on the image's pixels, clamped after each step; returns (image, losses)."""
    with torch.no_grad():
        wanted = extractor(target)[0]
    image = torch.zeros_like(target).requires_grad_(True)
    optimizer = torch.optim.Adam([image], lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((extractor(image)[0] - wanted) ** 2).mean()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            image.clamp_(0, 1)
        losses.append(float(loss.detach()))
    return image.detach(), losses


def test_frames_every_k_steps_show_the_image_as_the_step_saw_it():
    target = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    plain = _extractor()
    seen = []

    def watching(x):
        if x.requires_grad:
            seen.append(x.detach().clone())      # what the extractor received at each step
        return plain(x)

    recorder = FrameRecorder(watching, every=3)
    image, losses = _optimise(recorder, target, steps=10)
    assert recorder.steps == 10 and len(seen) == 10
    assert [step for step, _ in recorder.frames] == [0, 3, 6, 9]
    for step, frame in recorder.frames:
        assert frame.shape == (1, 3, 8, 8) and not frame.requires_grad
        assert torch.equal(frame, seen[step].clamp(0, 1))
    assert torch.equal(recorder.frames[0][1], torch.zeros(1, 3, 8, 8))   # before any update
    assert losses[-1] < losses[0]
    frames = recorder.add_final(image)
    assert [step for step, _ in frames] == [0, 3, 6, 9, 10]
    assert torch.equal(frames[-1][1], image)
    assert len(recorder.add_final(image)) == 5       # the same final step is not added twice


def test_the_recorder_changes_nothing_in_the_optimisation():
    target = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(2))
    plain_image, plain_losses = _optimise(_extractor(), target, steps=6)
    recorder = FrameRecorder(_extractor(), every=1)
    image, losses = _optimise(recorder, target, steps=6)
    assert torch.equal(image, plain_image) and losses == plain_losses
    assert len(recorder.frames) == 6


def test_frames_are_copies_clamped_to_the_valid_range():
    recorder = FrameRecorder(lambda x: [x * 2], every=1)
    image = torch.tensor([[-0.5, 0.5], [1.5, 1.0]]).expand(1, 3, 2, 2).clone().requires_grad_(True)
    outputs = recorder(image)
    assert torch.equal(outputs[0], image * 2)        # passed through unchanged
    with torch.no_grad():
        image.add_(0.25)                             # the optimiser moves the image on
    (_, frame), = recorder.frames
    assert frame.min() == 0 and frame.max() == 1 and frame[0, 0, 0, 1] == 0.5


def test_calls_without_gradient_are_not_counted():
    recorder = FrameRecorder(lambda x: [x], every=2)
    recorder(torch.rand(1, 3, 4, 4))                 # content target
    with torch.no_grad():
        recorder(torch.rand(1, 3, 4, 4, requires_grad=True))   # still requires grad: counted
    assert recorder.steps == 1
    recorder.reset()
    assert recorder.frames == [] and recorder.steps == 0
    with pytest.raises(ValueError, match="positive"):
        FrameRecorder(lambda x: [x], every=0)
