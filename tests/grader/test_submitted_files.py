"""The files handed in beside a notebook, as checks read them (grader.checking.submitted_files)."""

import pytest

from grader.checking import CheckFailed, submitted_files
from grader.checking.submitted_files import SubmittedFiles

HOW = "Save it with save_checkpoint."


def test_a_checkpoint_is_read_by_name_and_case_is_forgiven(tmp_path):
    (tmp_path / "SmallCNN.pt").write_bytes(b"weights")
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    files = SubmittedFiles(tmp_path)
    assert files.names() == ["SmallCNN.pt"]
    assert files.read("smallcnn.pt", HOW) == ("SmallCNN.pt", b"weights")


def test_a_missing_checkpoint_names_what_was_handed_in(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"weights")
    with pytest.raises(CheckFailed, match=r"No `mlp.pt` was submitted beside your notebook "
                                          r"\(beside it: model.pt\)\. Save it with"):
        SubmittedFiles(tmp_path).read("mlp.pt", HOW)
    with pytest.raises(CheckFailed, match="no checkpoint files were submitted"):
        SubmittedFiles(tmp_path / "nowhere").read("mlp.pt", HOW)
    with pytest.raises(CheckFailed, match="no checkpoint files were submitted"):
        SubmittedFiles(None).read("mlp.pt", HOW)


def test_links_empty_and_huge_files_are_refused(tmp_path, monkeypatch):
    secret = tmp_path.parent / "solution.pt"
    secret.write_bytes(b"the solution's weights")
    (tmp_path / "mlp.pt").symlink_to(secret)
    with pytest.raises(CheckFailed, match="No `mlp.pt`"):
        SubmittedFiles(tmp_path).read("mlp.pt", HOW)
    (tmp_path / "smallcnn.pt").write_bytes(b"")
    with pytest.raises(CheckFailed, match="is empty"):
        SubmittedFiles(tmp_path).read("smallcnn.pt", HOW)
    (tmp_path / "big.pt").write_bytes(b"x" * 2048)
    monkeypatch.setattr(submitted_files, "MAX_CHECKPOINT_BYTES", 1024)
    with pytest.raises(CheckFailed, match="larger than"):
        SubmittedFiles(tmp_path).read("big.pt", HOW)
