"""The corpus's cheats are real: run on the host, where nothing is hidden, each one gets
the reference's answer. So when the graded corpus shows that they gained nothing, it is
the sandbox that stopped them, not a bug in the cheat.

Only cheats that read are run here (none writes, kills or floods anything).
"""

import os
import uuid
from pathlib import Path

import cases_secrets
import nbformat
import pytest
from corpus_model import Host, as_submission, solution, write_submission

from grader.checking import load_reference
from grader.course.layout import REPO_ROOT

POTENT = [case for case in cases_secrets.CASES if case.potency]


def _cheat_cell(files, function):
    notebook = nbformat.reads(next(iter(files.values())).decode(), as_version=4)
    return next(cell.source for cell in notebook.cells   # the cheat replaced the stub
                if cell.cell_type == "code" and f"\ndef {function}(" in "\n" + cell.source)


@pytest.mark.parametrize("case", POTENT, ids=lambda case: case.name)
def test_the_cheat_gets_the_reference_answer_where_nothing_is_hidden(case, tmp_path):
    host = Host(repo=REPO_ROOT, submissions=tmp_path / "submissions", output=tmp_path / "out",
                token=uuid.uuid4().hex[:12],
                data=Path(os.environ.get("COURSE_DATA_DIR", "/nonexistent")))
    write_submission(host.submissions / "classmate" / case.assignment,
                     as_submission(case.assignment, solution(case.assignment)))
    function, args = case.potency
    namespace = {"__name__": "cheat"}
    exec(compile(_cheat_cell(case.build(host), function), f"<{case.name}>", "exec"), namespace)
    if "_places" in namespace:
        # Here the search must not find (and exec) other notebooks lying around on this
        # machine, such as the "crash" sample that calls os._exit: only the grader, the
        # course and this test's classmate. In the sandbox it searches everywhere it can.
        namespace["_places"] = lambda: [str(REPO_ROOT / "grader"), str(REPO_ROOT / "course"),
                                        str(host.submissions)]
    reference = load_reference(str(REPO_ROOT / "grader" / "checks" / case.assignment / "x.py"))
    expected = getattr(reference, function)(*args)
    got = namespace[function](*args)
    assert type(got) is type(expected) or hasattr(got, "shape")
    assert got == pytest.approx(expected) if not hasattr(got, "shape") else \
        got.tolist() == pytest.approx(list(expected))


def test_the_test_set_lookup_answers_every_test_image_where_the_data_is_visible(tmp_path):
    """cases_models.model_looks_up_the_test_set, run on the host with the data directory it
    is told about: every test image gets its true label (the sandbox is what stops it)."""
    import cases_models
    import numpy as np
    import torch
    from torch import nn

    from source_lib.data import load_fashion_mnist
    data = Path(os.environ.get("COURSE_DATA_DIR", "/nonexistent"))
    namespace = {"nn": nn, "torch": torch, "FASHION_MEAN": 0.286, "FASHION_STD": 0.353}
    exec(f"DATA_DIR = {str(data)!r}\n" + cases_models.LOOKUP, namespace)
    images, labels = load_fashion_mnist("test", download=False)
    picked = np.random.default_rng(0).permutation(len(images))[:500]
    x = torch.from_numpy(images[picked][:, None]).float() / 255
    with torch.no_grad():
        predicted = namespace["MLP"]()(x).argmax(dim=1).numpy()
    assert (predicted == labels[picked]).all()
