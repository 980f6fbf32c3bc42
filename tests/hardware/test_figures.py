"""The seaborn figures render from the frames the library returns."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lockin.hardware.efficiency import efficiency  # noqa: E402
from lockin.hardware.figures import efficiency_figure, fleet_figure, parity_figure  # noqa: E402
from lockin.hardware.fleet import read_fleet, summarize_fleet  # noqa: E402
from lockin.hardware.parity import estimated_parity, parity  # noqa: E402
from lockin.hardware.results import load_benchmarks  # noqa: E402
from lockin.hardware.transfer import TransferModel  # noqa: E402


@pytest.fixture(scope="module")
def bundled():
    return load_benchmarks()


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    plt.close(fig)
    return buffer.getvalue()


def texts(fig) -> str:
    # Whitespace collapsed: a long tick label may be wrapped onto two lines.
    return " ".join(" ".join(t.get_text() for ax in fig.axes for t in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_yticklabels(), *ax.get_xticklabels(), *ax.texts]).split())


def test_parity_figure_shows_every_comparison_and_marks_estimates(bundled):
    specs, found = bundled
    measured = parity(found.frame, "H100 SXM", "MI300X")
    estimates = estimated_parity(found.frame, measured.comparisons, "H100 SXM", "MI300X", TransferModel().fit(found.frame, specs))
    import pandas as pd

    frame = pd.concat([measured.comparisons, estimates.head(3), measured.frame.tail(1)], ignore_index=True)
    fig = parity_figure(frame)
    words = texts(fig)
    assert "llama2-70b-99 · Offline" in words and "MI300X" in words
    hatched = [bar for bar in fig.axes[0].patches if bar.get_hatch()]
    assert len(hatched) == 3
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_efficiency_figure_plots_perf_per_watt_against_perf_per_dollar(bundled):
    specs, found = bundled
    frame = efficiency(found.frame, specs)
    fig = efficiency_figure(frame, workload="llama2-70b-99")
    words = texts(fig)
    assert "per joule" in words and "per $" in words
    assert len(fig.axes[0].collections[0].get_offsets()) >= 2
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_fleet_figure_shows_shares_hhi_thresholds_and_the_what_if():
    from pathlib import Path

    from lockin.hardware.specs import load_specs

    specs = load_specs()
    fleet = read_fleet(Path(__file__).parents[2] / "data" / "fleet" / "fleet.csv", specs)
    summary = summarize_fleet(fleet, move_percent=30, move_to="amd")
    fig = fleet_figure(summary.vendors, summary.hhi, regime=summary.regime, whatif=summary.whatif)
    words = texts(fig)
    assert "Vendor shares" in words and "2023 thresholds" in words and "after moving 30% to amd" in words
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_empty_frames_are_refused_with_a_message():
    import pandas as pd

    with pytest.raises(ValueError, match="no parity records"):
        parity_figure(pd.DataFrame(columns=["workload", "scenario", "ratio"]))


FOUR_VENDORS = """\
site,vendor,model,count,utilisation,power_w,pue,purchase_usd,hourly_usd
a,nvidia,H100 SXM,900,0.7,610,1.3,30000,
a,amd,MI300X,40,0.5,520,1.3,15000,
b,intel,Gaudi 3,30,0.5,,1.3,,
b,google,TPU v5p,30,0.5,,1.3,,
"""


def overlapping_bars(fig) -> list[tuple[str, str]]:
    """(panel title, legend) pairs whose legend's drawn box meets a bar's, measured by the renderer."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        for bar in ax.patches:
            extent = bar.get_window_extent(renderer)
            if extent.width > 0 and extent.height > 0 and box.overlaps(extent):
                found.append((ax.get_title(), bar.get_label()))
    return found


def legends_outside_the_figure(fig) -> list[str]:
    """Titles of panels whose legend is drawn (partly) off the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    outside = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        if not (fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)):
            outside.append(ax.get_title())
    return outside


def fleet_from(tmp_path, text, **whatif):
    from lockin.hardware.specs import load_specs

    path = tmp_path / "fleet.csv"
    path.write_text(text)
    return summarize_fleet(read_fleet(path, load_specs()), **whatif)


@pytest.mark.parametrize("whatif", [{}, {"move_percent": 30, "move_to": "amd"}])
def test_no_fleet_legend_covers_a_bar(whatif):
    from pathlib import Path

    from lockin.hardware.specs import load_specs

    fleet = read_fleet(Path(__file__).parents[2] / "data" / "fleet" / "fleet.csv", load_specs())
    summary = summarize_fleet(fleet, **whatif)
    fig = fleet_figure(summary.vendors, summary.hhi, regime=summary.regime, whatif=summary.whatif)
    assert sum(ax.get_legend() is not None for ax in fig.axes) == 2
    assert overlapping_bars(fig) == []
    assert legends_outside_the_figure(fig) == []
    plt.close(fig)


def test_four_vendors_get_a_wider_figure_and_no_legend_over_a_bar(tmp_path):
    from pathlib import Path

    from lockin.hardware.specs import load_specs

    two = summarize_fleet(read_fleet(Path(__file__).parents[2] / "data" / "fleet" / "fleet.csv", load_specs()))
    four = fleet_from(tmp_path, FOUR_VENDORS, move_percent=10, move_to="amd")
    narrow = fleet_figure(two.vendors, two.hhi, regime=two.regime)
    wide = fleet_figure(four.vendors, four.hhi, regime=four.regime, whatif=four.whatif)
    assert wide.get_size_inches()[0] > narrow.get_size_inches()[0]
    assert wide.get_size_inches()[1] > narrow.get_size_inches()[1]  # the what-if adds a bar
    assert overlapping_bars(wide) == [] and legends_outside_the_figure(wide) == []
    assert {t.get_text() for t in wide.axes[0].get_legend().get_texts()} == {"nvidia", "amd", "intel", "google"}
    plt.close(narrow)
    plt.close(wide)


def test_the_parity_legend_covers_no_bar(bundled):
    _, found = bundled
    measured = parity(found.frame, "H100 SXM", "MI300X")
    fig = parity_figure(measured.frame)
    assert fig.axes[0].get_legend() is not None, "the geometric mean has a legend"
    assert overlapping_bars(fig) == [] and legends_outside_the_figure(fig) == []
    plt.close(fig)
