"""The datasets the course uses: where they come from and how to check them.

``DATASETS`` maps a short name to a :class:`DatasetSpec`. Loaders look the spec
up at call time (through :func:`get_spec`), so tests can swap an entry with
``monkeypatch.setitem(DATASETS, "fashion_mnist", fake_spec)`` to point the
download code at a local server.
"""

import dataclasses
from dataclasses import dataclass, field

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
MNIST1D_CLASSES = tuple(str(digit) for digit in range(10))

_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset.

    ``url`` is None for files that are only handed out as prepared course data
    (there is no official place to download them from). ``size`` in bytes is
    optional; when known it lets a truncated file be reported without hashing.
    """

    filename: str
    url: str | None
    md5: str | None
    size: int | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: its files, where they sit below a data folder, and its shape.

    ``subdir``        folder below each data root holding the files
                      (torchvision's layout, so existing downloads are reused).
    ``extracted_dir`` folder name of an archive's content once extracted.
    ``split_sizes``   expected number of samples per split; None skips the check.
    ``generated``     True when the data is generated locally (no files).
    """

    name: str
    files: tuple = ()
    title: str = ""
    homepage: str = ""
    subdir: str = ""
    extracted_dir: str = ""
    split_sizes: dict | None = None
    class_names: tuple = ()
    generated: bool = False
    extra: dict = field(default_factory=dict)

    def file(self, filename):
        """Return the :class:`RemoteFile` called ``filename``."""
        for remote in self.files:
            if remote.filename == filename:
                return remote
        raise KeyError(f"{self.name} has no file {filename!r}")

    def replace(self, **changes):
        """Return a copy with some fields changed (handy in tests)."""
        return dataclasses.replace(self, **changes)


def _fashion_file(filename, md5, size):
    return RemoteFile(filename, _FASHION_URL + filename, md5, size)


FASHION_MNIST = DatasetSpec(
    name="fashion_mnist",
    title="Fashion-MNIST",
    homepage="https://github.com/zalandoresearch/fashion-mnist",
    subdir="FashionMNIST/raw",
    files=(
        _fashion_file("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 26421880),
        _fashion_file("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe", 29515),
        _fashion_file("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79", 4422102),
        _fashion_file("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310", 5148),
    ),
    split_sizes={"train": 60000, "test": 10000},
    class_names=FASHION_MNIST_CLASSES,
    extra={
        "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    },
)

# The official python version; torchvision keeps the archive and its
# extracted folder side by side in the data root, and so do we.
CIFAR10 = DatasetSpec(
    name="cifar10",
    title="CIFAR-10 (official python batches)",
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    files=(
        RemoteFile(
            "cifar-10-python.tar.gz",
            "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
            "c58f30108f718f92721af3b95e74349a",
            170498071,
        ),
    ),
    extracted_dir="cifar-10-batches-py",
    split_sizes={"train": 50000, "test": 10000},
    class_names=CIFAR10_CLASSES,
    extra={
        "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
        "test": ("test_batch",),
        # md5 of each extracted batch (same values torchvision checks).
        "batch_md5": {
            "data_batch_1": "c99cafc152244af753f735de768cd75f",
            "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
            "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
            "data_batch_4": "634d18415352ddfa80567beed471001a",
            "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
            "test_batch": "40351d587109b95175f43aff81a1287e",
        },
    },
)

# CIFAR-10 re-encoded as JPEG files in class folders (course-prepared data;
# lossy, about 6/255 mean absolute error per pixel). No public URL.
CIFAR10_JPEG = DatasetSpec(
    name="cifar10_jpeg",
    title="CIFAR-10 (JPEG image folders)",
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    files=(RemoteFile("cifar10-jpeg.tar.gz", None, "67664af876dd64ad10750410502e5f72", 19434830),),
    extracted_dir="cifar10-jpeg",
    split_sizes={"train": 50000, "test": 10000},
    class_names=CIFAR10_CLASSES,
)

MNIST1D = DatasetSpec(
    name="mnist1d",
    title="MNIST-1D",
    homepage="https://github.com/greydanus/mnist1d",
    class_names=MNIST1D_CLASSES,
    generated=True,
)

DATASETS = {spec.name: spec for spec in (FASHION_MNIST, CIFAR10, CIFAR10_JPEG, MNIST1D)}

CLASS_NAMES = {
    "fashion_mnist": FASHION_MNIST_CLASSES,
    "cifar10": CIFAR10_CLASSES,
    "mnist1d": MNIST1D_CLASSES,
}


def canonical_name(name):
    """Map spellings like "Fashion-MNIST" or "CIFAR-10" to a registry key."""
    key = str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {
        "fashionmnist": "fashion_mnist",
        "cifar10": "cifar10",
        "cifar10jpeg": "cifar10_jpeg",
        "mnist1d": "mnist1d",
    }
    if key not in aliases:
        known = ", ".join(sorted(DATASETS))
        raise KeyError(f"Unknown dataset {name!r}; known datasets: {known}")
    return aliases[key]


def get_spec(name):
    """Return the current :class:`DatasetSpec` for ``name`` (any spelling)."""
    return DATASETS[canonical_name(name)]
