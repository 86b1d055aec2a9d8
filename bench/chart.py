"""The PNG chart (bench/results/latest.png): every library's time ratio per workload.

A first panel of the geometric means over the corpus, then one panel per operation, one
row per document; one marker per library at its time ÷ the baseline's (log scale; left of
the line is faster than the baseline).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List

from libraries import LIBRARIES
from operations import OPERATIONS
from sources import CORPUS

MARKERS = "o^sDvP*Xh<>p"


def write(path: Path, data: Dict[str, Any]) -> None:
    import matplotlib
    matplotlib.use("Agg")   # no display: files only
    import matplotlib.pyplot as plt

    ops = [op for op in OPERATIONS if any(r["operation"] == op for r in data["workloads"])]
    libs = [s.name for s in LIBRARIES if s.name in data["libraries"]["loaded"]]
    style = {lib: (MARKERS[i % len(MARKERS)], f"C{i}") for i, lib in enumerate(libs)}
    ncols = 2
    nrows = math.ceil((len(ops) + 1) / ncols)
    height = 0.28 * max(sum(1 for r in data["workloads"] if r["operation"] == op) for op in ops) + 1.5
    fig, axes = plt.subplots(nrows, ncols, figsize=(8 * ncols, max(4.0, height) * nrows), squeeze=False)
    panels = list(axes.flat)
    summary = data["summary"]
    _dots(panels[0], [f"{s['title']} (÷ {s['baseline']})" for s in summary.values()],
          [{lib: e["geomean"] for lib, e in s["libs"].items() if lib != s["baseline"]} for s in summary.values()],
          style, "geometric mean over the corpus files")
    for ax, op in zip(panels[1:], ops):
        rows = [r for r in data["workloads"] if r["operation"] == op]
        _dots(ax, [r["source"] for r in rows],
              [{lib: x["ratio"] for lib, x in r["libs"].items() if x.get("ratio") and lib != r["baseline"]}
               for r in rows],
              style, f"{OPERATIONS[op].title} (÷ {OPERATIONS[op].baseline})",
              separator=sum(1 for r in rows if r["source_kind"] == CORPUS))
    for ax in panels[len(ops) + 1:]:
        ax.axis("off")
    handles = [plt.Line2D([], [], linestyle="", marker=style[lib][0], color=style[lib][1],
                          markersize=9 if lib == "rjson" else 6, label=lib) for lib in libs]
    fig.suptitle(f"rjson benchmark {data['started'][:10]}: time ÷ the baseline's time in the same process "
                 "(log scale; < 1 is faster)", y=0.998)
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.988), ncol=len(libs), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.975))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _dots(ax: Any, labels: List[str], ratios: List[Dict[str, float]], style: Dict[str, Any], title: str,
          separator: int = 0) -> None:
    """One row per label (top to bottom), one marker per library; a dashed line after
    `separator` rows (the corpus files, then the synthetic documents)."""
    ys = list(range(len(labels)))[::-1]
    for lib, (marker, color) in style.items():
        pts = [(row[lib], y) for row, y in zip(ratios, ys) if lib in row]
        if pts:
            big = lib == "rjson"
            ax.scatter([x for x, _ in pts], [y for _, y in pts], marker=marker, color=color,
                       s=60 if big else 22, zorder=3 if big else 2)
    ax.axvline(1.0, color="black", linewidth=0.8)
    if 0 < separator < len(labels):
        ax.axhline(ys[separator - 1] - 0.5, color="grey", linewidth=0.5, linestyle="--")
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    ax.set_xscale("log")
    # Ticks at 1, 2, 5 per decade, written plainly: matplotlib's default labels the minor
    # ticks of a narrow range with overlapping powers of ten.
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.set_title(title, fontsize=10)
