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
    return " ".join(t.get_text() for ax in fig.axes for t in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_yticklabels(), *ax.get_xticklabels(), *ax.texts])


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
