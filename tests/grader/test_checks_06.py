"""The hidden checks of 06_fc_vs_cnn_fashionmnist, graded through the real worker, with the
reference's checkpoints handed in (so the checkpoint parts keep full marks).

Right train_epoch/evaluate loops written differently (len(loader.dataset), tensor sums,
inference_mode, log_softmax by hand, a DataLoader-style `for batch in loader`, tensors
returned) must get full marks; wrong ones must lose points on their own part with a message
naming the mistake. Each variant set is one notebook, graded once.
"""

import pytest
from variant_grading import (assert_full_marks, assert_mistakes_named, assert_no_expected_values,
                             grade_variant, solution_and_reference_definitions, wrong_cells)

ASSIGNMENT = "06_fc_vs_cnn_fashionmnist"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks06")]

RIGHT_A = {
    "train_epoch": '''
def train_epoch(model, loader, optimizer, loss_fn):
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
    "evaluate": '''
def evaluate(model, loader):
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
RIGHT_B = {
    "train_epoch": '''
def train_epoch(model, loader, optimizer, loss_fn):
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
    "evaluate": '''
@torch.no_grad()
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
WRONG_A = {
    "test_train_epoch": ('''
def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
    return total / len(loader.dataset)
''', "instead of calling the loss_fn it is given"),
    "test_evaluate": ('''
def evaluate(model, loader):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        logits = model(x)
        total_loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(dim=1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen
''', "torch.no_grad()"),
}
WRONG_B = {
    "test_train_epoch": ('''
def train_epoch(model, loader, optimizer, loss_fn):
    total, seen = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        seen += len(y)
    return total / seen
''', "call model.train() at its start"),
    "test_evaluate": ('''
def evaluate(model, loader):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
    return total_loss / seen, 100.0 * correct / seen
''', "not a percentage"),
}
WRONG_C = {
    "test_train_epoch": ('''
def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()
''', "the last batch's loss"),
    "test_evaluate": ('''
from source_lib.training.loops import fit

def evaluate(model, loader):
    history = fit(model, loader, val=loader, epochs=1, lr=0.0)
    return history.val_loss[-1], history.val_acc[-1]
''', "a course helper that already runs a whole epoch"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    variants = [("right_a", RIGHT_A), ("right_b", RIGHT_B), ("wrong_a", wrong_cells(WRONG_A)),
                ("wrong_b", wrong_cells(WRONG_B)), ("wrong_c", wrong_cells(WRONG_C))]
    return {name: grade_variant(tmp_path_factory, ASSIGNMENT, name, replacements)
            for name, replacements in variants}


@pytest.mark.parametrize("variant", ["right_a", "right_b"])
def test_right_implementations_get_full_marks(graded, variant):
    assert_full_marks(graded[variant])


@pytest.mark.parametrize("variant, variants", [("wrong_a", WRONG_A), ("wrong_b", WRONG_B),
                                                ("wrong_c", WRONG_C)])
def test_wrong_implementations_lose_points_with_the_mistake_named(graded, variant, variants):
    assert_mistakes_named(graded[variant], variants)


def test_messages_never_show_expected_values(graded):
    assert_no_expected_values(graded[v] for v in ("wrong_a", "wrong_b", "wrong_c"))


def test_the_solution_notebook_is_the_reference_the_checkpoints_were_trained_with():
    """The reference checkpoints come from reference.py (benchmarks/bench_fashion.py --save):
    the solution notebook's graded code must be the same, docstrings aside."""
    names = {"MLP", "SmallCNN", "train_epoch", "evaluate", "conv_block"}
    solution, reference = solution_and_reference_definitions(ASSIGNMENT, names)
    assert solution == reference and set(solution) == names
