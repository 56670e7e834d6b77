"""random_crop_flip judged by what it made: for every output image, which mirror and which
shift of its input produced it, and whether the border it uncovered is zeros.

The candidate mirrors are the right one (left-right) and the usual mistakes (upside down,
both axes, a transposed image); the messages name them. Loaded with
``load_reference(__file__, "misconceptions")``.
"""

from dataclasses import dataclass

import numpy as np

MATCH_TOLERANCE = 1e-5        # crops are copies; a resampling implementation is near-exact
MIRRORS = {                   # name -> what it does to (N, C, H, W)
    "none": lambda x: x,
    "left-right": lambda x: x[..., ::-1],
    "upside-down": lambda x: x[..., ::-1, :],
    "both axes": lambda x: x[..., ::-1, ::-1],
    "transposed": lambda x: np.swapaxes(x, -1, -2),
}
RIGHT_MIRRORS = ("none", "left-right")
WRONG_MIRROR_MESSAGES = {
    "upside-down": "Some images come out upside down: that flips the height axis (dim 2). "
                   "A horizontal flip mirrors left and right, the last axis: "
                   "`torch.flip(x, dims=[3])` or `x.flip(-1)`.",
    "both axes": "Some images are mirrored along both axes (turned by 180 degrees). A "
                 "horizontal flip mirrors the last axis (width) only.",
    "transposed": "Some images come out transposed (height and width swapped): a flip "
                  "mirrors the width axis, it does not swap axes.",
}


@dataclass
class Origin:
    """How one output image was made from its input, if it was made by a mirror and a
    shift: ``fill_is_zero`` says whether the uncovered border is zeros."""
    mirror: str
    dy: int
    dx: int
    fill_is_zero: bool


def shifted(images, dy, dx):
    """``images`` (N, C, H, W) moved so that output[i, j] = input[i + dy, j + dx], zeros
    where that falls outside: a crop of the zero-padded image at offset (dy, dx)."""
    n, c, h, w = images.shape
    out = np.zeros_like(images)
    rows, cols = slice(max(0, -dy), min(h, h - dy)), slice(max(0, -dx), min(w, w - dx))
    out[:, :, rows, cols] = images[:, :, rows.start + dy:rows.stop + dy,
                                   cols.start + dx:cols.stop + dx]
    return out


def _interior(h, w, dy, dx):
    mask = np.zeros((h, w), dtype=bool)
    mask[max(0, -dy):min(h, h - dy), max(0, -dx):min(w, w - dx)] = True
    return mask


def origins(inputs, outputs, reach):
    """For each image, the ``Origin`` of ``outputs[i]`` from ``inputs[i]`` (both (N, C, H,
    W)) among shifts of at most ``reach`` pixels, or None. An exact match (zero border)
    wins over one whose copied part matches but whose border is not zeros."""
    n, _, h, w = inputs.shape
    found = [None] * n
    if outputs.shape != inputs.shape:
        return found
    for mirror, transform in MIRRORS.items():
        todo = [i for i in range(n) if found[i] is None or not found[i].fill_is_zero]
        source = np.ascontiguousarray(transform(inputs[todo]))
        if not todo or source.shape[1:] != outputs.shape[1:]:
            continue
        for dy in range(-reach, reach + 1):
            for dx in range(-reach, reach + 1):
                difference = np.abs(shifted(source, dy, dx) - outputs[todo])
                inside = difference[:, :, _interior(h, w, dy, dx)]
                copied = inside.reshape(len(todo), -1).max(axis=1) <= MATCH_TOLERANCE
                border = difference.reshape(len(todo), -1).max(axis=1) <= MATCH_TOLERANCE
                for k in np.flatnonzero(copied):
                    i = todo[k]
                    if found[i] is None or (border[k] and not found[i].fill_is_zero):
                        found[i] = Origin(mirror, dy, dx, bool(border[k]))
    return found


def diagnose_images(found):
    """The first thing wrong with a batch's origins, in words; None if every image is a
    left-right mirror (or not) of its input, shifted, with a zero border."""
    if any(o is None for o in found):
        missing = sum(o is None for o in found)
        return (f"{missing} of {len(found)} output images are not a shifted (and possibly "
                "mirrored) copy of their input image. Each output must be the input, "
                "mirrored left-right or not, moved by at most `padding` pixels in each "
                "direction, with the uncovered border filled with zeros.")
    for mirror, message in WRONG_MIRROR_MESSAGES.items():
        if any(o.mirror == mirror for o in found):
            return message
    if not all(o.fill_is_zero for o in found):
        return ("Where a shift uncovers the border, the output is not zero: pad with zeros "
                "(`F.pad(x, [p, p, p, p])`, whose default value is 0), not by reflecting or "
                "repeating the edge.")
    return None


def _one_shift(found):
    """Whether one crop offset made every image of a call: the same shift, its horizontal
    part negated for the mirrored images when the crop is taken before the mirror."""
    return len({(o.dy, abs(o.dx)) for o in found}) <= 1


def diagnose_randomness(runs):
    """``runs``: a list of origin lists, one per seeded call on the same batch. The first
    thing wrong with how crops and flips are drawn, or None."""
    for found in runs:
        if _one_shift(found):
            return ("Every image in the batch got the same shift. Draw one random offset "
                    "per image (e.g. `torch.randint(0, 2 * padding + 1, (n,))` for rows and "
                    "columns), not one for the whole batch.")
        if len({o.mirror for o in found}) == 1:
            return ("In each call either every image was mirrored or none was. Flip each "
                    "image with probability 1/2 on its own: one coin per image, e.g. "
                    "`torch.rand(n) < 0.5`.")
    flipped = np.mean([o.mirror != "none" for found in runs for o in found])
    if not 0.3 <= flipped <= 0.7:
        return (f"{flipped:.0%} of the images were mirrored; each image should be mirrored "
                "with probability 1/2.")
    return None


def one_shift_per_call(runs):
    """Whether every call shifted all its images alike (``diagnose_randomness`` charges it):
    a few calls then draw too few shifts to tell how far they reach."""
    return all(_one_shift(found) for found in runs)


def diagnose_reach(runs, padding):
    """Whether the shifts cover every offset from -padding to +padding in both directions
    (the coverage is not judged when each call drew one shift for all its images)."""
    shifts = [(o.dy, o.dx) for found in runs for o in found]
    beyond = [s for s in shifts if max(abs(s[0]), abs(s[1])) > padding]
    if beyond:
        return (f"With padding={padding} some images moved by {max(map(max, np.abs(beyond)))} "
                "pixels: the shift must stay within `padding` pixels (use the `padding` "
                "argument, do not fix it).")
    if one_shift_per_call(runs):
        return None
    for axis, name in ((0, "vertical"), (1, "horizontal")):
        seen = {s[axis] for s in shifts}
        if -padding not in seen or padding not in seen:
            return (f"With padding={padding} the {name} shifts never reach both -{padding} "
                    f"and +{padding}: a crop of the padded image can start at any of the "
                    f"2 * padding + 1 = {2 * padding + 1} positions (torch.randint's upper "
                    "bound is exclusive).")
    return None
