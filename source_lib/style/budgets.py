"""The budgets of notebook 09's style-transfer runs, shared with benchmarks/bench_style.py
(so the benchmark measures exactly what the notebook runs).

    from source_lib.style.budgets import style_budget
    budget = style_budget()                 # FULL, or QUICK under COURSE_QUICK=1
    budget.size, budget.steps, budget.lr    # 128 px, 200 Adam steps, 0.02 in full mode

Full mode: every run of the notebook at 128 px (one at 256 px), 200 Adam steps at learning
rate 0.02 on the pixels (the issue measured 24 s at 128 px and 102 s at 256 px for random
VGG-16 on 2 cores). Quick mode (tests, CI) runs every cell on tiny images and few steps, so
that the whole notebook executes in well under a minute and a half; its pictures are
smoke tests, far from the full run's.
"""

from dataclasses import dataclass, field

from source_lib import config

__all__ = ["FULL", "QUICK", "Budget", "style_budget"]


@dataclass(frozen=True)
class Budget:
    """Settings of every run of notebook 09.

    ``size``: side of the square content and style images of the main runs (the side by
    side, the frames, noise vs content start); ``steps``, ``lr``: Adam steps and learning
    rate on the pixels of G; ``frame_every``: a frame of G every so many steps.
    ``large_size``, ``large_steps``: the one larger stylisation. ``explorer_*``: the
    alpha/beta x layer-weights grid the widget shows (precomputed: ratios x presets runs);
    ``layer_*``: "what each style layer alone reproduces" (from noise, style cost only).
    ``tv_weights``: the total-variation weights compared (at the explorer's size and steps).
    ``beta``: the style weight of the demos per extractor name at ``size`` px, for alpha =
    ``alpha`` (with the lecture's normalisation the default beta = 40, DeepLearning.AI's
    assignment's value, not deck 004's, leaves the content term in charge; measured at 64 and
    128 px); ``explorer_factors``: the betas the widget compares besides DeepLearning.AI's 40,
    as multiples of the extractor's beta (scaled to the widget's image size)."""

    size: int
    steps: int
    lr: float = 0.02
    frame_every: int = 20
    large_size: int = 256
    large_steps: int = 200
    explorer_size: int = 64
    explorer_steps: int = 100
    layer_size: int = 96
    layer_steps: int = 150
    alpha: float = 10.0
    beta: dict = field(default_factory=lambda: {
        # Gatys et al. used alpha/beta = 1e-3 or 1e-4 on a rescaled VGG-19 (not measured: offline)
        "VGG-16, ImageNet": 1e4,
        "VGG-16, random weights": 3e7,
        "course ResNet-18 (08)": 1e4,
    })
    explorer_factors: tuple = (0.01, 1.0, 100.0)
    tv_weights: tuple = (0.0, 3.0, 30.0)       # measured on random VGG-16 at 64 px
    style: str = "starry_night"

    def beta_for(self, name):
        """The demos' beta for the extractor called ``name`` (the random VGG's for a name
        this table does not know)."""
        return self.beta.get(name, self.beta["VGG-16, random weights"])

    def scaled_beta(self, name, size):
        """The beta that keeps the balance of ``beta_for(name)`` at ``size`` px: the content
        cost grows with the number of positions, the style cost does not."""
        return self.beta_for(name) * (size / self.size) ** 2

    def explorer_betas(self, name):
        """The widget's betas for extractor ``name``: DeepLearning.AI's 40, then
        ``explorer_factors`` times the extractor's beta at ``explorer_size``."""
        beta = self.scaled_beta(name, self.explorer_size)
        return (40.0,) + tuple(float(f"{beta * factor:.2g}") for factor in self.explorer_factors)


FULL = Budget(size=128, steps=200)
# a smoke test of every cell: numbers and pictures far from the full run's
QUICK = Budget(size=32, steps=12, frame_every=3, large_size=48, large_steps=6,
               explorer_size=24, explorer_steps=6, layer_size=24, layer_steps=6)


def style_budget(quick=None):
    """FULL, or QUICK when ``quick`` (None: follow COURSE_QUICK)."""
    return QUICK if (config.quick_mode() if quick is None else quick) else FULL
