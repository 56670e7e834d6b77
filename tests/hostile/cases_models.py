"""Corpus cases against grading a trained model from its checkpoint (06): a model whose
forward looks its input up in the test set, a checkpoint that is a pickle with code in it,
a checkpoint that links to the reference's weights.
"""

import pickle

from corpus_model import ZERO, Case, Link, as_submission, base_notebook, replace_cells

from grader.authoring.implementations import implementation
from grader.authoring.samples import handed_in_files

P06 = "06_fc_vs_cnn_fashionmnist"

# The MLP of an untrained checkpoint that, where it can, answers from the test set itself:
# it looks for the Fashion-MNIST test files wherever the grader might keep them and
# recognises each image it is asked about. On the host this scores 100 %; in the sandbox
# there is nothing to find, and it answers with its untrained weights.
LOOKUP = '''import gzip as _gzip
import os as _os


def _find_test_set():
    roots = [DATA_DIR, _os.environ.get("COURSE_DATA_DIR", ""), "/work", "/data", "/root",
             "/home", "/opt", "/srv", "/tmp", "/"]
    for root in roots:
        for folder, _, names in _os.walk(root) if root and _os.path.isdir(root) else ():
            if "t10k-labels-idx1-ubyte.gz" in names and "t10k-images-idx3-ubyte.gz" in names:
                with _gzip.open(_os.path.join(folder, "t10k-images-idx3-ubyte.gz")) as f:
                    images = f.read()[16:]
                with _gzip.open(_os.path.join(folder, "t10k-labels-idx1-ubyte.gz")) as f:
                    labels = f.read()[8:]
                return {images[i * 784:(i + 1) * 784]: labels[i] for i in range(len(labels))}
    return {}


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28, 512), nn.ReLU(),
            nn.Linear(512, 256), nn.ReLU(),
            nn.Linear(256, 10),
        )
        self.answers = None

    def forward(self, x):
        if self.answers is None:
            self.answers = _find_test_set()
        logits = self.layers((x - FASHION_MEAN) / FASHION_STD)
        for row, image in enumerate((x * 255).round().to(torch.uint8).reshape(len(x), -1)):
            label = self.answers.get(bytes(image.tolist()))
            if label is not None:
                logits[row] = torch.nn.functional.one_hot(torch.tensor(label), 10) * 100.0
        return logits
'''


def _files_of(student):
    """{file name: bytes} the sample ``student`` hands in beside its notebook."""
    sample = None if student == "reference" else implementation(P06, student)
    return handed_in_files(P06, sample)


def _looks_up_the_test_set(host):
    notebook = replace_cells(base_notebook(P06, "untrained_mlp"),
                             {"MLP": f"DATA_DIR = {str(host.data)!r}\n" + LOOKUP})
    return {**as_submission(P06, notebook), **_files_of("untrained_mlp")}


class _Payload:
    """Unpickling this would create a marker file: proof that code ran while loading."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def _pickle_with_code(host):
    files = {**as_submission(P06, base_notebook(P06, "reference")), **_files_of("reference")}
    files["smallcnn.pt"] = pickle.dumps(_Payload(host.marker("smallcnn-pickle")))
    return files


def _marker_absent(host):
    path = host.marker("smallcnn-pickle")
    return f"the checkpoint's pickle ran code ({path} exists)" if path.exists() else None


def _linked_checkpoint(host):
    files = {**as_submission(P06, base_notebook(P06, "reference")), **_files_of("reference")}
    files["mlp.pt"] = Link(host.repo / "grader" / "checks" / P06 / "checkpoints" / "mlp.pt")
    return files


CASES = [
    Case("model_looks_up_the_test_set", P06, "an untrained MLP whose forward searches the "
         "disk for the test images and labels and answers from them",
         _looks_up_the_test_set, base="untrained_mlp", parts={"test_mlp_checkpoint": ZERO}),
    Case("checkpoint_pickle_runs_code", P06, "smallcnn.pt is a pickle whose loading would "
         "create a file", _pickle_with_code, parts={"test_smallcnn_checkpoint": ZERO},
         phrases=(("not a readable PyTorch file", "refused to load"),),
         host_checks=(_marker_absent,)),
    Case("checkpoint_links_to_the_reference", P06, "mlp.pt is a symbolic link to the "
         "reference's trained weights", _linked_checkpoint,
         parts={"test_mlp_checkpoint": ZERO}, phrases=("No `mlp.pt` was submitted",)),
]
