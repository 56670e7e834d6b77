"""mean_ap.py scores through source_lib.detection.evaluation (one copy of the AP arithmetic):
the grader's mAP of fixed grids is the value it gave before that refactor."""

from pathlib import Path

import numpy as np

from grader.checking import load_reference

CHECKS = Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
ref = load_reference(CHECKS / "reference.py")
mean_ap = load_reference(CHECKS / "reference.py", "mean_ap")

# score_grids(noisy_grids(hidden_scenes(200), seed=7)) computed by mean_ap.py's own AP code
# (commit 98a0249), before it used source_lib.detection.evaluation
BEFORE = (0.25189989555832243, [0.2990200857267793, 0.2753327602369704, 0.18134684071121757])


def noisy_grids(scenes, seed):
    """The scenes' true grids with seeded noise on the boxes, the p_c and the class scores:
    a ranking with hits, misses, duplicates and wrong classes."""
    rng = np.random.default_rng(seed)
    grids = np.stack([ref.encode_grid(b, lab, scenes.grid_size, scenes.num_classes)
                      for b, lab in zip(scenes.boxes, scenes.labels)])
    grids[..., 1:5] += rng.normal(0, 0.25, grids[..., 1:5].shape)
    grids[..., 0] = np.clip(grids[..., 0] * rng.uniform(0.3, 1, grids.shape[:3])
                            + rng.uniform(0, 0.5, grids.shape[:3]), 0, 1)
    grids[..., 5:] += rng.uniform(0, 0.8, grids[..., 5:].shape)
    return grids


def test_the_score_of_fixed_grids_is_unchanged_by_the_refactor():
    scenes = mean_ap.hidden_scenes(200)
    assert mean_ap.score_grids(noisy_grids(scenes, 7), scenes) == BEFORE
