"""The training budgets of notebook 08's experiments, shared with benchmarks/bench_transfer.py
(so the benchmark measures exactly what the notebook runs).

    from source_lib.transfer.budgets import experiment_budget
    budget = experiment_budget()            # FULL, or QUICK under COURSE_QUICK=1
    budget.steps[20]                        # SGD steps of a run with 20 labels per class

Full mode fits the whole notebook in about 3 to 4 minutes on 2 CPU cores (3 min 18 s measured; the course backbone
pretrained and cached); quick mode (tests, CI) in well under a minute and a half.
"""

from dataclasses import dataclass

from source_lib import config

__all__ = ["FULL", "QUICK", "Budget", "experiment_budget"]


@dataclass(frozen=True)
class Budget:
    """Settings of every experiment of notebook 08.

    ``counts``: labels per class of the main comparison (the last one is "all": the whole
    pool of ``pool_per_class`` images per class); ``steps``: SGD steps per count (one
    shuffled pass per step of ``batch_size`` images, or of all of them when fewer);
    ``seeds``: repetitions (another subset of labelled images and another initialisation);
    ``test_images``: target test images the experiments are scored on (the graded model:
    all 5,000). ``fashion_*``: the Fashion-MNIST transfer; ``widget_*``: the frozen-stages
    table (a smaller budget: 6 x counts x seeds runs); ``graded_*``: the handed-in model.
    Learning rates: the backbone's and the new head's when fine-tuning, ``lr_scratch`` for
    every weight of a network trained from random initialisation."""

    counts: tuple
    steps: dict
    seeds: tuple
    pool_per_class: int = 5000
    batch_size: int = 64
    test_images: int = 2000
    fashion_counts: tuple = (5, 20, 100)
    fashion_seeds: tuple = (0, 1)
    widget_counts: tuple = (5, 20, 100)
    widget_seeds: tuple = (0, 1)
    widget_steps: int = 30
    widget_batch_size: int = 64     # 32 made full fine-tuning unstable on 100 images
    widget_test_images: int = 1000
    graded_per_class: int = 100
    graded_steps: int = 300
    lr_backbone: float = 0.01
    lr_head: float = 0.1
    lr_scratch: float = 0.05


FULL = Budget(counts=(5, 20, 100, 5000), steps={5: 50, 20: 80, 100: 120, 5000: 200},
              seeds=(0, 1, 2))
# a smoke test of every cell: numbers far from the full run's
QUICK = Budget(counts=(5, 20, 200), steps={5: 10, 20: 12, 200: 15}, seeds=(0,),
               pool_per_class=200, test_images=500, fashion_counts=(5, 20),
               fashion_seeds=(0,), widget_counts=(5, 20), widget_seeds=(0,),
               widget_steps=6, widget_test_images=300, graded_steps=30)


def experiment_budget(quick=None):
    """FULL, or QUICK when ``quick`` (None: follow COURSE_QUICK)."""
    return QUICK if (config.quick_mode() if quick is None else quick) else FULL
