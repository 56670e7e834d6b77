"""Notebook 09's budgets: the mode switch, and betas that follow the image size."""

import pytest

from source_lib.style import budgets
from source_lib.style.extractors import COURSE_NAME, IMAGENET_NAME, RANDOM_NAME


def test_course_quick_picks_the_quick_budget(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert budgets.style_budget() is budgets.QUICK
    monkeypatch.setenv("COURSE_QUICK", "")
    assert budgets.style_budget() is budgets.FULL
    assert budgets.style_budget(quick=True) is budgets.QUICK


def test_the_full_budget_is_the_issues_measured_setting():
    full = budgets.FULL
    assert (full.size, full.large_size, full.steps, full.lr) == (128, 256, 200, 0.02)


def test_every_extractor_has_its_own_beta():
    # the table is keyed by the names available_extractors() gives its choices
    assert set(budgets.FULL.beta) == {IMAGENET_NAME, RANDOM_NAME, COURSE_NAME}
    assert budgets.FULL.beta_for("an extractor the table does not know") == \
        budgets.FULL.beta[RANDOM_NAME]


@pytest.mark.parametrize("budget", [budgets.FULL, budgets.QUICK])
def test_beta_grows_with_the_number_of_pixels(budget):
    # the lecture's content cost sums over positions, its style cost does not
    beta = budget.beta_for(RANDOM_NAME)
    assert budget.scaled_beta(RANDOM_NAME, budget.size) == beta
    assert budget.scaled_beta(RANDOM_NAME, 2 * budget.size) == pytest.approx(4 * beta)


def test_the_explorer_compares_the_lectures_beta_with_the_demos():
    betas = budgets.FULL.explorer_betas(RANDOM_NAME)
    assert betas[0] == 40.0
    at_64 = budgets.FULL.scaled_beta(RANDOM_NAME, budgets.FULL.explorer_size)
    assert betas[1:] == pytest.approx([at_64 * f for f in budgets.FULL.explorer_factors], rel=0.05)
