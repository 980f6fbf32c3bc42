"""Tests for the Slurm batch script reader (lockin.inventory.slurm)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockin.inventory.slurm import read_slurm
from lockin.records import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "platform"


def evidence(result):
    return [(e.kind, e.name, e.line, e.ecosystem, e.spec) for e in result.evidence]


@pytest.fixture(scope="module")
def script():
    return read_slurm((FIXTURES / "train.sbatch").read_text(), "train.sbatch")


def test_sbatch_gpu_directives(script):
    cluster = [e for e in evidence(script) if e[0] == "cluster" and e[2] <= 14]
    assert cluster == [
        ("cluster", "gres=gpu:a100", 6, "slurm", "8"),
        ("cluster", "gres=gpu", 7, "slurm", "8"),
        ("cluster", "gres=gpu:a100", 8, "slurm", "4"),
        ("cluster", "gres=mps", 8, "slurm", "100"),
        ("cluster", "gpus=h100", 9, "slurm", "8"),
        ("cluster", "gpus-per-node", 10, "slurm", "8"),
        ("cluster", "gpus", 11, "slurm", "4"),
        # sbatch does not treat '|' as a pipe: the whole expression is kept.
        ("cluster", "constraint=h100|a100", 12, "slurm", "h100|a100"),
    ]


def test_partition_time_and_output_are_not_evidence(script):
    assert not any("partition" in e.name or "gpu-h100" in e.name for e in script.evidence)


def test_module_loads(script):
    packages = [e for e in evidence(script) if e[0] == "package"]
    assert packages == [
        ("package", "cuda", 19, "lmod", "12.1"),
        ("package", "nccl", 19, "lmod", "2.18.3"),
        ("package", "rocm", 20, "lmod", "6.2"),
    ]


def test_exports(script):
    env = [e[:4] for e in evidence(script) if e[0] == "env"]
    assert env == [
        ("env", "NCCL_IB_HCA", 22, "slurm"),
        ("env", "CUDA_DEVICE_MAX_CONNECTIONS", 23, "slurm"),
        ("env", "OMP_NUM_THREADS", 23, "slurm"),
        ("env", "MASTER_ADDR", 24, "slurm"),
    ]
    master = next(e for e in script.evidence if e.name == "MASTER_ADDR")
    assert master.spec == '$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)'


def test_srun_options_on_continuation_lines(script):
    found = evidence(script)
    assert ("cluster", "gpus-per-task", 27, "slurm", "1") in found
    assert ("cluster", "gres=gpu:h100", 28, "slurm", "8") in found


def test_directive_after_first_command_is_ignored_and_reported(script):
    assert [(p.line, "ignored" in p.message) for p in script.problems] == [(30, True)]
    assert not any(e.name == "gres=gpu:v100" for e in script.evidence)


def test_short_options_attached_and_separate():
    text = "#!/bin/bash\n#SBATCH -Gh100:2\n#SBATCH -C mi300x\n#SBATCH --gpus-per-task a100:1\nsrun -G 2 --gres=none hostname\n"
    assert evidence(read_slurm(text, "job.sh")) == [
        ("cluster", "gpus=h100", 2, "slurm", "2"),
        ("cluster", "constraint=mi300x", 3, "slurm", "mi300x"),
        ("cluster", "gpus-per-task=a100", 4, "slurm", "1"),
        ("cluster", "gpus", 5, "slurm", "2"),
    ]


def test_ml_shorthand_and_module_subcommands():
    text = "ml purge\nml CUDA/12.1.1 cuDNN/8.9.2.26-CUDA-12.1.1\nmodule -q load rocm\nmodule avail cuda\nml load nvhpc/23.9\n"
    assert evidence(read_slurm(text, "job.sh")) == [
        ("package", "CUDA", 2, "lmod", "12.1.1"),
        ("package", "cuDNN", 2, "lmod", "8.9.2.26-CUDA-12.1.1"),
        ("package", "rocm", 3, "lmod", ""),
        ("package", "nvhpc", 5, "lmod", "23.9"),
    ]


def test_mpirun_and_exports_after_operators():
    text = 'set -e; export HIP_VISIBLE_DEVICES="0,1" && mpirun --gpus 4 ./a.out\n'
    assert evidence(read_slurm(text, "job.sh")) == [
        ("env", "HIP_VISIBLE_DEVICES", 1, "slurm", "0,1"),
        ("cluster", "gpus", 1, "slurm", "4"),
    ]


def test_quoting_error_is_a_problem_and_reading_continues():
    text = "#SBATCH --gres=gpu:2\necho 'unterminated\nexport NCCL_DEBUG=INFO\n"
    result = read_slurm(text, "job.sh")
    assert [p.line for p in result.problems] == [2]
    assert [(e.name, e.line) for e in result.evidence] == [("gres=gpu", 1), ("NCCL_DEBUG", 3)]


def test_unclosed_quote_in_directive_is_a_problem():
    result = read_slurm('#SBATCH --constraint="h100\n', "job.sh")
    assert [p.line for p in result.problems] == [1]
    assert result.evidence == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises_anything_but_input_error(text):
    try:
        read_slurm(text, "job.sh")
    except InputError:
        pass


_directive = st.tuples(
    st.sampled_from(["--gres=gpu:{t}:{n}", "--gres gpu:{n}", "--gpus={t}:{n}", "-G {n}", "--gpus-per-node={n}", "--constraint={t}", "--partition=p", "--time=1:00:00"]),
    st.sampled_from(["a100", "h100", "mi250x", "v100"]),
    st.integers(min_value=1, max_value=16),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_directive, st.sampled_from(["", "# comment", "#!/bin/bash"])), max_size=12))
def test_generated_headers_keep_one_evidence_per_gpu_directive_on_its_line(entries):
    lines = []
    expected_lines = []
    for entry in entries:
        if isinstance(entry, tuple):
            template, gpu_type, count = entry
            lines.append("#SBATCH " + template.format(t=gpu_type, n=count))
            if "partition" not in template and "time" not in template:
                expected_lines.append(len(lines))
        else:
            lines.append(entry)
    lines.append("srun python train.py")
    result = read_slurm("\n".join(lines) + "\n", "job.sbatch")
    assert [e.line for e in result.evidence] == expected_lines
    assert result.problems == []


def test_strings_spanning_lines_and_heredoc_bodies_are_read_as_the_shell_reads_them():
    text = (FIXTURES.parent / "shell" / "multinode.sbatch").read_text()
    result = read_slurm(text, "multinode.sbatch")
    assert result.problems == []
    assert [(e.kind, e.name, e.line) for e in result.evidence] == [
        ("cluster", "gres=gpu", 3),
        ("cluster", "gpus-per-task", 10),
        ("env", "NCCL_SOCKET_IFNAME", 15),
        ("api", "nvidia-smi", 16),  # the job's other commands are read as in any script
        ("package", "cupy-cuda12x", 17),
    ]


def test_a_quote_never_closed_names_its_line_and_the_rest_is_still_read():
    result = read_slurm('#!/bin/bash\necho "oops\nexport NCCL_DEBUG=INFO\n', "job.sh")
    assert [(p.line, p.message) for p in result.problems] == [(2, "a double quote is never closed")]
    assert [(e.name, e.line) for e in result.evidence] == [("NCCL_DEBUG", 3)]
