"""The reference networks, and the 04 reference counting proven against library oracles
(torchinfo for the layer table, torch's FlopCounterMode for MACs)."""

import contextlib
import io
import warnings
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from grader.checking import load_reference
from gradeworker.tools.spec_models import build_model
from source_lib.widgets import architecture
from source_lib.architectures import ARCHITECTURES, INPUT_SHAPES

torchinfo = pytest.importorskip("torchinfo")
CHECKS = Path(__file__).resolve().parents[2] / "grader" / "checks" / "04_param_counting"
ref = load_reference(CHECKS / "test_layer_table.py")
cases = load_reference(CHECKS / "test_layer_table.py", "model_cases")

PUBLISHED = {"LeNet-5": 61_706, "AlexNet": 61_100_840, "VGG-16": 138_357_544,
             "ResNet-18": 11_689_512}


def _quiet(function, *args):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args)


def _flop_counter_macs(model, shape, device="cpu"):
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.eval()(torch.zeros(shape, device=device))
    return counter.get_total_flops() // 2


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_published_parameter_counts(name):
    model = ARCHITECTURES[name](device="meta")
    assert sum(p.numel() for p in model.parameters()) == PUBLISHED[name]
    rows = _quiet(ref.layer_table, model, INPUT_SHAPES[name])
    assert sum(r[2] for r in rows) == PUBLISHED[name]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_reference_macs_match_torch_flop_counter(name):
    model = ARCHITECTURES[name](device="meta")
    assert ref.model_macs(model, INPUT_SHAPES[name]) == _flop_counter_macs(
        model, INPUT_SHAPES[name], "meta")


def test_resnet18_costs_about_1_82_gmacs():
    macs = ref.model_macs(ARCHITECTURES["ResNet-18"](device="meta"), (1, 3, 224, 224))
    assert abs(macs / 1e9 - 1.82) < 0.01


def _torchinfo_rows(model, shape):
    names = {module: name for name, module in model.named_modules()}
    stats = torchinfo.summary(model, input_size=shape, verbose=0, depth=20)
    rows, seen = [], set()
    for info in stats.summary_list:
        leaf = next(info.module.children(), None) is None
        if leaf and info.module not in seen:
            seen.add(info.module)
            rows.append((names[info.module], tuple(info.output_size),
                         sum(p.numel() for p in info.module.parameters())))
    return rows, stats.total_params


@pytest.mark.parametrize("case", ["LECTURE", "MIXED", "NESTED", "LeNet-5", "ResNet-18"])
def test_reference_layer_table_matches_torchinfo(case):
    if case in ARCHITECTURES:
        model, shape = ARCHITECTURES[case](), INPUT_SHAPES[case]
    else:
        spec, shape = getattr(cases, case)
        model = build_model(spec)
    rows = _quiet(ref.layer_table, model, shape)
    expected, total = _torchinfo_rows(model, shape)
    assert rows == expected
    assert sum(r[2] for r in rows) == total
    assert model.training                     # the mode is restored


@pytest.mark.parametrize("case", ["LECTURE", "MIXED", "NESTED"])
def test_reference_model_macs_on_check_models(case):
    spec, shape = getattr(cases, case)
    model = build_model(spec)
    assert ref.model_macs(model, shape) == _flop_counter_macs(model, shape)


def test_reference_rejects_invalid_layers():
    for call in [lambda: ref.conv2d_params(6, 8, 3, groups=4), lambda: ref.conv2d_params(0, 8, 3),
                 lambda: ref.linear_params(0, 3), lambda: ref.batchnorm2d_params(0),
                 lambda: ref.conv2d_macs(4, 4, 3, 0, 5)]:
        with pytest.raises(ValueError):
            call()


def test_widget_renders_and_degrades():
    table, macs = (lambda m, s: _quiet(ref.layer_table, m, s)), ref.model_macs
    fig = architecture.render_architecture(layer_table_fn=table, model_macs_fn=macs)
    assert "parameters" in fig.axes[0].get_title()
    bad = architecture.render_architecture(((8, 3, 1, 3),), layer_table_fn=table,
                                                  model_macs_fn=macs)
    assert "invalid layer" in bad.axes[0].texts[0].get_text()

    def not_done(*args):
        raise NotImplementedError()
    blank = architecture.render_architecture(layer_table_fn=not_done, model_macs_fn=not_done)
    assert "implement" in blank.axes[0].texts[0].get_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert architecture.architecture_editor(table, macs) is None


def test_cost_split_plot():
    fig = architecture.plot_cost_split({"A": {"params": (1, 9), "macs": (9, 1)}})
    assert len(fig.axes[0].patches) == 4
