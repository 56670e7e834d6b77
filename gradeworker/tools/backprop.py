"""Worker tools for 05_conv_backprop (run inside the untrusted worker, see gradeworker.tools).

A student's ``cache`` and a Python callable ``f`` cannot cross the protocol, so these
tools chain the student's forward and backward in ONE worker call, define the functions
that ``numerical_gradient`` differentiates here, and drive ``Conv2dFunction`` through
torch's autograd engine. Forbidden operations are armed around the student's code only;
errors come back as data ({"stage", "type", "message"}) so that the trusted side can
name the student's function, not the tool.
"""

import numpy as np
import torch

from gradeworker import tripwires
from gradeworker.tools.common import student_function


def _plain(value):
    """Tensors -> numpy arrays, numpy scalars -> floats, tuples/lists kept (recursively)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (np.ndarray, int, float, bool)):
        return value
    return f"<{type(value).__name__}>"


def _disarm():
    """Stop detecting and forget what was used: the tool reports it per stage itself, so the
    worker must not charge it to the tool as a whole."""
    used = tripwires.disarm()
    tripwires.arm(())
    return used


def _guarded(stage, forbid, function, *args):
    """Run student code with ``forbid`` armed: (value, error-or-None, used groups)."""
    tripwires.arm(forbid)
    try:
        value = function(*args)
    except tripwires.ForbiddenOperationUsed:
        return None, None, _disarm()
    except Exception as error:          # the student's error, reported as data
        used = _disarm()
        return None, {"stage": stage, "type": type(error).__name__,
                      "message": str(error)[:300]}, used
    return value, None, _disarm()


def forward_backward(namespace, forward, backward, args, dout=None,
                     forbid_forward=(), forbid_backward=()):
    """``out, cache = forward(*args)``; then ``backward(dout, cache)`` if dout is given.

    Returns {"out", "grads", "error", "forbidden": {"forward": [...], "backward": [...]}}.
    """
    report = {"out": None, "grads": None, "error": None, "forbidden": {}}
    value, error, used = _guarded(forward, forbid_forward, student_function(namespace, forward), *args)
    report["forbidden"]["forward"] = used
    if error or used:
        report["error"] = error
        return report
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        report["error"] = {"stage": forward, "type": "BadReturn",
                           "message": "it must return a pair (out, cache)"}
        return report
    out, cache = value
    report["out"] = _plain(out)
    if dout is None:
        return report
    grads, error, used = _guarded(backward, forbid_backward, student_function(namespace, backward),
                                  np.array(dout, dtype=np.float64), cache)
    report["forbidden"]["backward"] = used
    report["error"] = error
    report["grads"] = _plain(grads)
    return report


# ------------------------------------------------------------- numerical_gradient
def make_test_function(kind, params):
    """The functions numerical_gradient is checked on (also used by the trusted side)."""
    if kind == "cubic":                    # elementwise: O(h^2) error of centred differences
        return lambda x: np.asarray(x) ** 3 - 2.0 * np.asarray(x)
    if kind == "sin_matmul":               # (m,) <- (n,): every output depends on every input
        a = np.asarray(params["a"], dtype=np.float64)
        return lambda x: np.sin(a @ np.asarray(x))
    if kind == "conv_tanh":                # (H, W) -> (H-2, W-1): a valid correlation + tanh
        k = np.asarray(params["k"], dtype=np.float64)
        def conv_tanh(x):
            x = np.asarray(x)
            kh, kw = k.shape
            h, w = x.shape[0] - kh + 1, x.shape[1] - kw + 1
            out = sum(k[u, v] * x[u:u + h, v:v + w] for u in range(kh) for v in range(kw))
            return np.tanh(out)
        return conv_tanh
    raise ValueError(f"unknown test function {kind!r}")


def numerical_gradient_on(namespace, name, kind, params, x, dout, h=None):
    """The student's ``name(f, x, dout[, h])`` on ``make_test_function(kind, params)``.

    Returns {"grad", "x_changed", "calls", "error"}; x_changed: the student's x was
    left modified (the tool keeps its own copy to compare).
    """
    f = make_test_function(kind, params)
    calls = [0]

    def counted(z):
        calls[0] += 1
        return f(z)
    original = np.array(x, dtype=np.float64)
    x_student = original.copy()
    args = (counted, x_student, np.array(dout, dtype=np.float64)) + (() if h is None else (h,))
    grad, error, _ = _guarded(name, (), student_function(namespace, name), *args)
    return {"grad": _plain(grad), "error": error, "calls": calls[0],
            "x_changed": bool(not np.array_equal(x_student, original))}


# ------------------------------------------------------------- Conv2dFunction
def _original(function):
    return getattr(function, "__wrapped__", function)


def _apply(cls, x, w, b, stride, padding):
    out = cls.apply(x, w, b, stride, padding)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"forward returned {type(out).__name__}, not a tensor")
    return out


def autograd_function_cases(namespace, class_name, cases, forbid=()):
    """For each case {x, w, b, stride, padding, dout}: out and the gradients of
    sum(out * dout) computed by autograd through the student's backward (armed)."""
    torch.set_num_threads(1)
    cls = student_function(namespace, class_name)
    if not (isinstance(cls, type) and issubclass(cls, torch.autograd.Function)):
        raise TypeError(f"`{class_name}` must be a torch.autograd.Function subclass.")
    grad = _original(torch.autograd.grad)
    results = []
    for case in cases:
        x, w, b = (torch.tensor(np.asarray(case[k], dtype=np.float64), requires_grad=True)
                   for k in ("x", "w", "b"))

        def run():
            out = _apply(cls, x, w, b, int(case["stride"]), int(case["padding"]))
            if tuple(out.shape) != tuple(np.shape(case["dout"])):
                return {"out": out.detach().numpy(), "grads": None}
            grads = grad(out, (x, w, b), torch.tensor(np.asarray(case["dout"], dtype=np.float64)),
                         allow_unused=True)
            return {"out": out.detach().numpy(), "grads": _plain(grads)}
        value, error, used = _guarded(class_name, forbid, run)
        results.append({"value": value, "error": error, "forbidden": used})
    return results


def autograd_function_gradcheck(namespace, class_name, cases):
    """torch.autograd.gradcheck (float64) of the student's Function on each case: bools."""
    torch.set_num_threads(1)
    cls = student_function(namespace, class_name)
    results = []
    for case in cases:
        inputs = tuple(torch.tensor(np.asarray(case[k], dtype=np.float64), requires_grad=True)
                       for k in ("x", "w", "b"))
        stride, padding = int(case["stride"]), int(case["padding"])
        try:
            ok = torch.autograd.gradcheck(lambda x, w, b: _apply(cls, x, w, b, stride, padding),
                                          inputs, eps=1e-6, atol=1e-5, rtol=1e-4,
                                          raise_exception=False, fast_mode=True)
            results.append({"ok": bool(ok), "error": None})
        except Exception as error:
            results.append({"ok": False, "error": {"stage": class_name,
                                                   "type": type(error).__name__,
                                                   "message": str(error)[:300]}})
    return results


def autograd_function_training(namespace, class_name, steps=15, seed=0):
    """Train the same small model twice with SGD (float64): once with nn.Conv2d, once with
    the student's Function and the same initial weights. Returns both loss curves."""
    torch.set_num_threads(1)
    cls = student_function(namespace, class_name)
    torch.manual_seed(seed)
    conv = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1).double()
    head = torch.nn.Linear(4 * 4 * 4, 3).double()
    data = torch.randn(16, 3, 8, 8, dtype=torch.float64)
    labels = torch.randint(0, 3, (16,))
    curves = {"error": None}
    for variant in ("torch", "student"):
        weight = conv.weight.detach().clone().requires_grad_(True)
        bias = conv.bias.detach().clone().requires_grad_(True)
        linear = torch.nn.Linear(64, 3).double()
        linear.load_state_dict(head.state_dict())
        optimizer = torch.optim.SGD([weight, bias, *linear.parameters()], lr=0.1)
        losses = []
        for _ in range(int(steps)):
            optimizer.zero_grad()
            if variant == "torch":
                maps = torch.nn.functional.conv2d(data, weight, bias, stride=2, padding=1)
            else:
                maps, error, _ = _guarded(class_name, (), _apply, cls, data, weight, bias, 2, 1)
                if error:
                    return {"error": error}
            loss = torch.nn.functional.cross_entropy(linear(torch.relu(maps).flatten(1)), labels)
            _, error, _ = _guarded(class_name, (), _original(torch.autograd.backward), loss)
            if error:
                return {"error": error}
            optimizer.step()
            losses.append(float(loss))
        curves[variant] = losses
    return curves


TOOLS = {"forward_backward": forward_backward, "numerical_gradient_on": numerical_gradient_on,
         "autograd_function_cases": autograd_function_cases,
         "autograd_function_gradcheck": autograd_function_gradcheck,
         "autograd_function_training": autograd_function_training}
