"""01: the student's model classes, summarised and trained inside the worker."""

import numpy as np
import torch

from gradeworker.tools.common import instantiate_model


def _as_output_tensor(output, class_name):
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"`{class_name}.forward` returned {type(output).__name__}, "
                        "expected a torch.Tensor of class scores.")
    return output


def module_summary(namespace, class_name, input_shape):
    """Instantiate ``namespace[class_name]()`` and describe it.

    Returns dict(n_params, n_trainable, layer_counts ({"Conv1d": 3, ...}, over
    leaf modules), output_shape (list), output_finite) where the output comes
    from one eval-mode forward pass on a seeded random float32 input.
    """
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = instantiate_model(namespace, class_name)
    n_params = sum(p.numel() for p in model.parameters())
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    layer_counts = {}
    for module in model.modules():
        if next(module.children(), None) is None:
            name = type(module).__name__
            layer_counts[name] = layer_counts.get(name, 0) + 1
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(*tuple(int(s) for s in input_shape), generator=generator)
    model.eval()
    with torch.no_grad():
        out = _as_output_tensor(model(x), class_name)
    return {"n_params": int(n_params), "n_trainable": int(n_trainable),
            "layer_counts": layer_counts, "output_shape": [int(s) for s in out.shape],
            "output_finite": bool(torch.isfinite(out).all())}


def train_and_predict(namespace, class_name, x_train, y_train, x_test,
                      epochs=10, lr=1e-2, batch_size=100, seed=0):
    """Train a fresh ``namespace[class_name]()`` (Adam, cross-entropy, shuffled
    minibatches, all seeded) and return int64 predicted labels for ``x_test``."""
    torch.set_num_threads(1)
    torch.manual_seed(int(seed))
    model = instantiate_model(namespace, class_name)
    x_train = torch.as_tensor(np.asarray(x_train, dtype=np.float32))
    y_train = torch.as_tensor(np.asarray(y_train, dtype=np.int64))
    x_test = torch.as_tensor(np.asarray(x_test, dtype=np.float32))
    if len(x_train) != len(y_train):
        raise ValueError("x_train and y_train differ in length")
    optimizer = torch.optim.Adam(model.parameters(), lr=float(lr))
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(int(seed))
    batch_size = int(batch_size)
    n_classes = int(y_train.max()) + 1 if len(y_train) else 0
    model.train()
    for _ in range(int(epochs)):
        order = torch.randperm(len(x_train), generator=generator)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            logits = _as_output_tensor(model(x_train[idx]), class_name)
            if logits.ndim != 2 or logits.shape[0] != len(idx) or logits.shape[1] < n_classes:
                raise ValueError(f"`{class_name}` returned scores of shape {tuple(logits.shape)} "
                                 f"for a batch of {len(idx)} signals; expected ({len(idx)}, "
                                 f"{n_classes}): one score per class.")
            loss = loss_fn(logits, y_train[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    predictions = []
    with torch.no_grad():
        for start in range(0, len(x_test), 1000):
            logits = _as_output_tensor(model(x_test[start:start + 1000]), class_name)
            predictions.append(logits.argmax(dim=1))
    return torch.cat(predictions).numpy().astype(np.int64)


TOOLS = {"module_summary": module_summary, "train_and_predict": train_and_predict}
