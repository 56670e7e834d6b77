"""How many stages to freeze: pick k and a label count, see the measured accuracy and the cost.

    from source_lib.widgets.transfer_explorer import transfer_explorer, render_frozen_stages
    transfer_explorer(table, trainable_counts, STAGE_NAMES, chance=0.2)

``table``: ``{k frozen stages: {labels per class: [accuracy per seed]}}``, measured by the
notebook (k = 0: everything fine-tuned; k = len(stage_names): only the new head trains);
``trainable_counts``: ``{k: trainable parameters}`` (from the notebook's count_trainable);
``stage_names``: the backbone's stages from the input up, e.g. ["stem", "layer1", ...].
Nothing is trained here: the widget only shows these numbers. A slider picks k, another the
label count; the figure shows the chosen k's accuracy curve (the other k faint, the chosen
count marked) beside the trainable parameters of every k. Without ipywidgets a static figure
of all the curves is returned instead (with a RuntimeWarning).
"""

import warnings

from matplotlib import colormaps

from source_lib.plotting import closed_figure
from source_lib.transfer.plots import (draw_accuracy_curve, draw_chance, format_count_axis,
                                       seed_summary)
from source_lib.widgets import frame, layout


def _color(k, table):
    """k's colour: dark (nothing frozen) to light (everything frozen), the same in every view."""
    ks = sorted(table)
    return colormaps["viridis"](0.85 * ks.index(k) / max(len(ks) - 1, 1))


def frozen_names(k, stage_names):
    """'stem, layer1' for k = 2; 'none' for k = 0."""
    return ", ".join(stage_names[:k]) if k else "none"


def percent(share):
    """A share as a percentage that is never rounded to a misleading 0 % or 100 %."""
    if 0 < share < 0.01:
        return f"{100 * share:.2g}%"
    if 0.99 < share < 1:
        return f"{min(100 * share, 99.9):.1f}%"
    return f"{share:.0%}"


def describe_frozen(k, trainable_counts, stage_names):
    """The line under the controls: 'k frozen stages: stem, layer1 | trainable parameters:
    1,234,567 of 2,800,165 (44%)' (the total: the largest count, everything trainable)."""
    total = max(trainable_counts.values())
    trainable = trainable_counts[k]
    share = trainable / total if total else 0.0
    stages = "stage" if k == 1 else "stages"
    return (f"{k} frozen {stages}: {frozen_names(k, stage_names)} | trainable parameters: "
            f"{trainable:,} of {total:,} ({percent(share)})")


def _curve_panel(ax, table, k, labels, chance, full_count):
    for other in sorted(table):
        if other != k:
            draw_accuracy_curve(ax, table[other], _color(other, table), band=False, alpha=0.25,
                                linewidth=1, markersize=2, label=None)
    draw_accuracy_curve(ax, table[k], _color(k, table), label=f"{k} frozen", linewidth=2.2)
    counts, means, _, _ = seed_summary(table[k])
    if labels in counts:
        accuracy = means[list(counts).index(labels)]
        ax.plot([labels], [accuracy], "o", markersize=12, markerfacecolor="none",
                markeredgecolor="tab:red", markeredgewidth=2, label="chosen")
        ax.annotate(f"{accuracy:.2f}", (labels, accuracy), xytext=(0, 10),
                    textcoords="offset points", ha="center", color="tab:red",
                    fontweight="bold")
        title = f"{labels} labels per class: accuracy {accuracy:.2f} (mean over seeds)"
    else:
        title = f"no run with {labels} labels per class and {k} frozen stages"
    draw_chance(ax, chance)
    format_count_axis(ax, [count for per_count in table.values() for count in per_count],
                      full_count)
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize="medium")
    ax.legend(loc="lower right", fontsize="small")


def _parameter_panel(ax, trainable_counts, table, k):
    ks = sorted(trainable_counts)
    counts = [trainable_counts[other] for other in ks]
    colors = [_color(other, table) if other in table else "0.6" for other in ks]
    bars = ax.bar(ks, counts, color=colors, alpha=0.35)
    bars[ks.index(k)].set_alpha(1.0)
    bars[ks.index(k)].set_edgecolor("tab:red")
    bars[ks.index(k)].set_linewidth(2)
    ax.set_yscale("log")    # the head alone is thousands, the whole network millions
    ax.set_ylim(bottom=max(min(counts), 1) / 4)   # the smallest bar must not vanish
    ax.set_xticks(ks)
    ax.set_xlabel("frozen stages k")
    ax.set_ylabel("trainable parameters")
    ax.set_title("what trains", fontsize="medium")
    ax.grid(axis="y", alpha=0.3)


def render_frozen_stages(table, k, labels, trainable_counts, stage_names, chance=None,
                         full_count=None):
    """The accuracy curve of ``k`` frozen stages (band: min-max over seeds; the other k faint)
    with ``labels`` per class marked, and the trainable parameters of every k; titled by
    :func:`describe_frozen`; ``full_count``: the count that is the whole training set (its
    tick says "(all)"). Returns the Figure."""
    if k not in table:
        raise ValueError(f"no measurements for k = {k}; the table has k in {sorted(table)}")
    fig, axes = closed_figure((10, 4.2), 1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
    _curve_panel(axes[0, 0], table, k, labels, chance, full_count)
    _parameter_panel(axes[0, 1], trainable_counts, table, k)
    fig.suptitle(describe_frozen(k, trainable_counts, stage_names), fontsize="medium")
    fig.tight_layout()
    return fig


def static_frozen_stages(table, trainable_counts, stage_names, chance=None, full_count=None):
    """Every k's accuracy curve (its band over seeds) in one plot, the legend naming the frozen
    stages and the trainable parameters. Returns the Figure."""
    fig, axes = closed_figure((7.5, 5.6))
    ax = axes[0, 0]
    total = max(trainable_counts.values())
    for k in sorted(table):
        trainable = trainable_counts.get(k)
        cost = ("" if trainable is None
                else f": {trainable:,} trainable ({percent(trainable / total)})")
        draw_accuracy_curve(ax, table[k], _color(k, table),
                            label=f"k={k} ({frozen_names(k, stage_names)}){cost}")
    draw_chance(ax, chance)
    format_count_axis(ax, [count for per_count in table.values() for count in per_count],
                      full_count)
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3)
    ax.set_title("accuracy with the first k stages frozen (band: min-max over seeds)",
                 fontsize="medium")
    # below the plot: the long stage lists would squeeze the axes beside it
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize="small", ncols=2,
              frameon=False)
    fig.tight_layout()
    return fig


def _controls(ipywidgets, table, counts):
    wide = layout.wide(ipywidgets)
    ks = sorted(table)
    # a selection, not an IntSlider: the notebook may measure only some k (0, 2, 4, 5)
    return {"k": ipywidgets.SelectionSlider(options=[(str(k), k) for k in ks], value=ks[-1],
                                            description="frozen stages", **wide),
            "labels": ipywidgets.SelectionSlider(options=[(str(c), c) for c in counts],
                                                 value=counts[0],
                                                 description="labels per class", **wide)}


def transfer_explorer(table, trainable_counts, stage_names, chance=None, full_count=None):
    """A slider for the number of frozen stages k (0: fine-tune everything; the largest: only
    the head trains) and one for the labels per class; redraws :func:`render_frozen_stages`.
    Returns an ``ipywidgets.VBox``; without ipywidgets, :func:`static_frozen_stages`."""
    if not table:
        raise ValueError("table must hold at least one k: {k: {labels per class: [accuracy]}}")
    missing = sorted(set(table) - set(trainable_counts))
    if missing:
        raise ValueError(f"trainable_counts has no count for k = {missing}")
    try:
        import ipywidgets
    except ImportError:
        warnings.warn("ipywidgets is not available; showing every k's accuracy curve as a "
                      "static figure instead of the explorer.", RuntimeWarning, stacklevel=2)
        return static_frozen_stages(table, trainable_counts, stage_names, chance, full_count)
    counts = sorted({int(count) for per_count in table.values() for count in per_count})
    controls = _controls(ipywidgets, table, counts)
    output = ipywidgets.Output()

    def redraw(change=None):
        # looked up at call time so that tests can observe the redraws
        fig = render_frozen_stages(table, controls["k"].value, controls["labels"].value,
                                   trainable_counts, stage_names, chance, full_count)
        frame.show_figure(output, fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([*controls.values(), output])
