"""Right and wrong implementations of 06_fc_vs_cnn_fashionmnist's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations).

Every sample but the blank release hands in the reference's trained checkpoints
(``grader/checks/06_fc_vs_cnn_fashionmnist/checkpoints/``) unless ``files`` says otherwise.
"""

import io
from dataclasses import replace
from functools import partial

import torch
from torch import nn

from grader.authoring.implementations import Implementation, edited_reference, untrained_weights

_changed = partial(edited_reference, "06_fc_vs_cnn_fashionmnist")

_TRAIN_EPOCH = '''def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total_loss, seen = 0.0, 0
    for x, y in loader:
{body}
    return total_loss / seen
'''
_EVALUATE = '''def evaluate(model, loader):
{prologue}
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
{body}
            seen += len(y)
    return total_loss / seen, correct / seen
'''
_STANDARD_STEP = '''        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()'''


def _whole_model(_reference):
    """torch.save of a whole model object (not weights): the loader must refuse it."""
    buffer = io.BytesIO()
    torch.save(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), buffer)
    return buffer.getvalue()


# Right loops written otherwise: len(loader.dataset), tensor sums, inference_mode, log_softmax
# by hand, a DataLoader-style `for batch in loader`, tensors returned ...
_RIGHT_LOOPS_A = {
    "train_epoch": '''def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    running = torch.zeros(())
    for batch in loader:
        inputs, targets = batch[0], batch[1]
        outputs = model(inputs)
        loss = loss_fn(outputs, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        running += loss.detach() * inputs.size(0)
    return running / len(loader.dataset)
''',
    "evaluate": '''def evaluate(model, loader):
    model.eval()
    n = len(loader.dataset)
    nll, hits = 0.0, 0
    with torch.inference_mode():
        for x, y in loader:
            log_p = torch.log_softmax(model(x), dim=1)
            nll -= log_p.gather(1, y[:, None]).sum()
            hits += (log_p.argmax(1) == y).sum()
    return nll / n, hits.item() / n
''',
}
# ... model.train(True), np.average with weights, the @torch.no_grad() decorator, a summing
# CrossEntropyLoss module, max(...).indices
_RIGHT_LOOPS_B = {
    "train_epoch": '''def train_epoch(model, loader, optimizer, loss_fn):
    model.train(True)
    losses, sizes = [], []
    for step, (x, y) in enumerate(loader):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
        sizes.append(y.shape[0])
    return float(np.average(losses, weights=sizes))
''',
    "evaluate": '''@torch.no_grad()
def evaluate(model, loader):
    model.train(False)
    criterion = nn.CrossEntropyLoss(reduction="sum")
    loss_sum, correct, count = 0.0, 0, 0
    for x, y in loader:
        scores = model(x)
        loss_sum += criterion(scores, y).item()
        correct += int(scores.max(dim=1).indices.eq(y).sum())
        count += len(x)
    return loss_sum / count, correct / count
''',
}

IMPLEMENTATIONS = [
    Implementation("loops_tensor_sums", "train_epoch/evaluate sum tensors, divide by "
            "len(loader.dataset), use inference_mode and log_softmax", _RIGHT_LOOPS_A),
    Implementation("loops_weighted_average", "train_epoch/evaluate use np.average with weights, "
            "@torch.no_grad() and a summing CrossEntropyLoss", _RIGHT_LOOPS_B),
    # Both loops wrong in one notebook (each part is graded on its own): three notebooks.
    Implementation("own_loss_eval_with_grad", "train_epoch calls cross_entropy instead of its "
            "loss_fn; evaluate records gradients",
            {"train_epoch": _changed("train_epoch", ("loss = loss_fn(model(x), y)",
                                                     "loss = F.cross_entropy(model(x), y)")),
             # the loop's body keeps its deeper indentation: still valid Python
             "evaluate": _changed("evaluate", ("with torch.no_grad():\n        for", "for"))},
            {"test_train_epoch": "instead of calling the loss_fn it is given",
             "test_evaluate": "torch.no_grad()"}),
    Implementation("no_train_mode_percent_accuracy", "train_epoch never calls model.train(); "
            "evaluate returns the accuracy in percent",
            {"train_epoch": _changed("train_epoch", ("    model.train()\n", "")),
             "evaluate": _changed("evaluate", ("correct / seen", "100.0 * correct / seen"))},
            {"test_train_epoch": "call model.train() at its start",
             "test_evaluate": "not a percentage"}),
    Implementation("last_batch_loss_eval_calls_fit", "train_epoch returns the last batch's loss; "
            "evaluate hands the work to the course's fit()",
            {"train_epoch": _changed("train_epoch", ("return total_loss / seen",
                                                     "return loss.item()")),
             "evaluate": '''from source_lib.training.loops import fit


def evaluate(model, loader):
    history = fit(model, loader, val=loader, epochs=1, lr=0.0)
    return history.val_loss[-1], history.val_acc[-1]
'''},
            {"test_train_epoch": "the last batch's loss",
             "test_evaluate": "a course helper that already runs a whole epoch"}),
    Implementation("train_no_zero_grad", "train_epoch never resets the gradients",
            {"train_epoch": _TRAIN_EPOCH.format(body=_STANDARD_STEP.replace(
                "        optimizer.zero_grad()\n", "") + '''
        total_loss += loss.item() * len(y)
        seen += len(y)''')},
            {"test_train_epoch": "optimizer.zero_grad()"}),
    Implementation("train_batch_mean", "train_epoch averages the batch losses without weights",
            {"train_epoch": _TRAIN_EPOCH.format(body=_STANDARD_STEP + '''
        total_loss += loss.item()
        seen += 1''')},
            {"test_train_epoch": "weight each batch's mean loss by its batch size"},
            # the loss_fn test compares with this averaging: the mistake is charged once
            notes={"test_train_epoch": "your own way of averaging the batch losses"}),
    Implementation("train_no_step", "train_epoch never calls optimizer.step()",
            {"train_epoch": _TRAIN_EPOCH.format(body=_STANDARD_STEP.replace(
                "\n        optimizer.step()", "") + '''
        total_loss += loss.item() * len(y)
        seen += len(y)''')},
            {"test_train_epoch": "optimizer.step() ran 0 times"},
            # the loss cannot go down: the loss-goes-down test does not charge it again
            notes={"test_train_epoch": "not charged again here"}),
    # A return value of the wrong kind is charged by the test of that value alone.
    Implementation("returns_nothing_and_accuracy", "train_epoch trains right but returns "
            "nothing; evaluate returns only the accuracy",
            {"train_epoch": _changed("train_epoch", ("return total_loss / seen", "print(total_loss / seen)")),
             "evaluate": _changed("evaluate", ("return total_loss / seen, correct / seen",
                                               "return correct / seen"))},
            {"test_train_epoch": "must return the epoch's mean loss as one number",
             "test_evaluate": "not a pair (mean loss, accuracy)"},
            notes={"test_train_epoch": "Judged by the weights"},
            only={"test_train_epoch": ("Returns the mean loss",),
                  "test_evaluate": ("Mean cross-entropy and accuracy",)}),
    Implementation("train_calls_fit", "train_epoch hands the work to the course's fit()",
            {"train_epoch": '''from source_lib.training.loops import fit


def train_epoch(model, loader, optimizer, loss_fn):
    history = fit(model, loader, epochs=1, lr=optimizer.param_groups[0]["lr"])
    return history.train_loss[-1]
'''}, {"test_train_epoch": "a course helper that already runs a whole epoch"}),
    Implementation("eval_no_eval_mode", "evaluate leaves the model in train mode",
            {"evaluate": _EVALUATE.format(prologue="", body='''            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(dim=1) == y).sum().item()''')},
            {"test_evaluate": "call model.eval() first"}),
    Implementation("eval_batch_accuracy", "evaluate averages the per-batch accuracies",
            {"evaluate": '''def evaluate(model, loader):
    model.eval()
    losses, accuracies, sizes = [], [], []
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            losses.append(F.cross_entropy(logits, y).item() * len(y))
            accuracies.append((logits.argmax(dim=1) == y).float().mean().item())
            sizes.append(len(y))
    return sum(losses) / sum(sizes), sum(accuracies) / len(accuracies)
'''}, {"test_evaluate": "the accuracy is a mean over batches"}),
    Implementation("mlp_with_conv", "the dense network sneaks in a convolution",
            {"MLP": '''class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(),
            nn.Linear(8 * 28 * 28, 256), nn.ReLU(),
            nn.Linear(256, 10),
        )

    def forward(self, x):
        return self.layers((x - FASHION_MEAN) / FASHION_STD)
'''}, {"test_mlp": "Linear layers only",
       # the reference's mlp.pt was trained for the real MLP: it cannot fit this one
       "test_mlp_checkpoint": "do not fit"}),
    # Models written for other inputs: their layers are still judged (a note says on what);
    # no checkpoints handed in (theirs could not be predicted with anyway).
    Implementation("models_for_flat_inputs", "MLP and SmallCNN expect flattened (N, 784) images",
            {"MLP": _changed("MLP", ("nn.Flatten(),\n            ", "")),
             "SmallCNN": _changed("SmallCNN", ("self.features((x - FASHION_MEAN)",
                                               "self.features((x.unflatten(1, (1, 28, 28)) - "
                                               "FASHION_MEAN)"))},
            {"test_mlp": "`MLP` raised RuntimeError",
             "test_smallcnn": "`SmallCNN` raised RuntimeError"},
            files={"mlp.pt": None, "smallcnn.pt": None},
            notes={"test_mlp": "layers were counted on an input of shape (4, 784)",
                   "test_smallcnn": "layers were counted on an input of shape (4, 784)"}),
    Implementation("missing_checkpoint", "smallcnn.pt was not handed in", {},
            {"test_smallcnn_checkpoint": "No `smallcnn.pt` was submitted"},
            files={"smallcnn.pt": None}),
    Implementation("whole_model_saved", "smallcnn.pt is a whole pickled model, not weights", {},
            {"test_smallcnn_checkpoint": "refused to load"},
            files={"smallcnn.pt": _whole_model}),
    Implementation("cnn_changed_after_training", "SmallCNN was widened after its checkpoint was saved",
            {"SmallCNN": '''class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            conv_block(1, 48),
            conv_block(48, 64),
            conv_block(64, 128),
        )
        self.classifier = nn.Linear(128 * 3 * 3, 10)

    def forward(self, x):
        features = self.features((x - FASHION_MEAN) / FASHION_STD)
        return self.classifier(features.flatten(1))
'''}, {"test_smallcnn_checkpoint": "do not fit"}),
    Implementation("untrained_mlp", "mlp.pt was saved before training", {},
            {"test_mlp_checkpoint": "test accuracy; this check needs"},
            files={"mlp.pt": untrained_weights}),
]

# A loop cannot change what a saved checkpoint predicts: the loops' samples outside the demo
# hand in no checkpoints, so the suite does not grade two checkpoints for each (their
# checkpoint parts then lose points only for the missing files, which the test allows).
_LOOP_PARTS = {"test_train_epoch", "test_evaluate"}
_DEMO = ("train_no_zero_grad", "missing_checkpoint")
IMPLEMENTATIONS = [
    replace(sample, files={"mlp.pt": None, "smallcnn.pt": None})
    if set(sample.cells) <= {"train_epoch", "evaluate"} and set(sample.loses) <= _LOOP_PARTS
    and not sample.files and sample.student not in _DEMO else sample
    for sample in IMPLEMENTATIONS]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = _DEMO
