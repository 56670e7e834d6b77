"""06-09: a submitted checkpoint loaded into the student's own class, inside the worker.

The trusted process sends the checkpoint's bytes and the test *images* (never labels); the
worker answers with predicted labels, and the accuracy is computed on the trusted side.
Loading is weights-only (``source_lib.checkpoint``): a checkpoint that is a pickle with
code in it is refused before anything in it runs, and it could only reach this sandbox.
"""

import io

import numpy as np
import torch

from gradeworker.tools.common import instantiate_model

PREDICT_BATCH = 500


def _load(namespace, class_name, file_name, checkpoint):
    from source_lib.checkpoint import load_checkpoint
    torch.manual_seed(0)   # a constructor that draws random numbers builds the same model
    model = instantiate_model(namespace, class_name)
    received = io.BytesIO(np.asarray(checkpoint, dtype=np.uint8).tobytes())
    received.name = str(file_name)
    load_checkpoint(model, received)
    return model


def _labels_of(scores, class_name, n_images, n_classes):
    if not isinstance(scores, torch.Tensor):
        raise TypeError(f"`{class_name}.forward` returned {type(scores).__name__}; expected "
                        "a tensor of class scores.")
    if scores.ndim != 2 or scores.shape[0] != n_images or scores.shape[1] != n_classes:
        raise ValueError(f"`{class_name}` returned scores of shape {tuple(scores.shape)} for "
                         f"{n_images} images; expected ({n_images}, {n_classes}): one score "
                         "per class.")
    return scores.argmax(dim=1)


def checkpoint_predictions(namespace, class_name, file_name, checkpoint, images,
                           n_classes=10, batch_size=PREDICT_BATCH):
    """Build ``namespace[class_name]()``, load the checkpoint bytes (uint8 array) into it and
    predict ``images`` (uint8, (N, C, H, W)) fed as float32 in [0, 1], in eval mode without
    gradients. Returns the int64 predicted labels, shape (N,)."""
    torch.set_num_threads(1)
    model = _load(namespace, class_name, file_name, checkpoint)
    model.eval()
    images = np.asarray(images, dtype=np.uint8)
    predictions = []
    with torch.no_grad():
        for start in range(0, len(images), int(batch_size)):
            batch = torch.from_numpy(images[start:start + int(batch_size)]).float().div_(255)
            predictions.append(_labels_of(model(batch), class_name, len(batch), n_classes))
    return torch.cat(predictions).numpy().astype(np.int64)


TOOLS = {"checkpoint_predictions": checkpoint_predictions}
