"""The notebooks run on the interpreter that runs lockin, whatever kernels lie around."""

import json
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel

from lockin.report.kernel import DEFAULT_KERNEL_NAME, OWN_KERNEL_NAME, kernel_manager_options, report_kernel_name, runs_this_interpreter


class FakeSpecs:
    """A kernelspec manager that knows exactly the specs it is given."""

    def __init__(self, **argv_by_name):
        self.argv_by_name = argv_by_name

    def get_kernel_spec(self, name):
        if name not in self.argv_by_name:
            raise NoSuchKernel(name)
        return KernelSpec(argv=self.argv_by_name[name], display_name=name, language="python")


LAUNCH = ["-m", "ipykernel_launcher", "-f", "{connection_file}"]


def test_in_this_environment_python3_is_this_interpreter():
    assert report_kernel_name(manager=KernelSpecManager()) in {DEFAULT_KERNEL_NAME, OWN_KERNEL_NAME}
    spec = KernelSpecManager().get_kernel_spec(report_kernel_name())
    assert runs_this_interpreter(spec.argv)


def test_a_bare_python_command_is_this_interpreter():
    # jupyter_client starts these with sys.executable.
    for command in ("python", "python3", "python{}.{}".format(*sys.version_info[:2])):
        assert runs_this_interpreter([command, *LAUNCH])


def test_an_absolute_path_counts_only_if_it_is_this_interpreter():
    assert runs_this_interpreter([sys.executable, *LAUNCH])
    assert not runs_this_interpreter(["/opt/elsewhere/bin/python", *LAUNCH])


def test_a_spec_that_is_not_ipykernel_does_not_count():
    assert not runs_this_interpreter([sys.executable, "-m", "some_other_kernel", "-f", "{connection_file}"])
    assert not runs_this_interpreter([])
    assert not runs_this_interpreter(None)


def test_python3_is_used_when_it_runs_this_interpreter(tmp_path):
    assert report_kernel_name(prefix=str(tmp_path), manager=FakeSpecs(python3=["python", *LAUNCH])) == DEFAULT_KERNEL_NAME
    assert not (tmp_path / "share").exists(), "nothing is installed when python3 will do"


def test_an_existing_own_spec_is_reused(tmp_path):
    manager = FakeSpecs(python3=["/opt/elsewhere/bin/python", *LAUNCH], **{OWN_KERNEL_NAME: [sys.executable, *LAUNCH]})
    assert report_kernel_name(prefix=str(tmp_path), manager=manager) == OWN_KERNEL_NAME
    assert not (tmp_path / "share").exists()


def test_a_foreign_python3_makes_lockin_install_its_own_spec(tmp_path):
    manager = FakeSpecs(python3=["/opt/elsewhere/bin/python", *LAUNCH])
    assert report_kernel_name(prefix=str(tmp_path), manager=manager) == OWN_KERNEL_NAME
    spec = json.loads((tmp_path / "share" / "jupyter" / "kernels" / OWN_KERNEL_NAME / "kernel.json").read_text())
    assert Path(spec["argv"][0]) == Path(sys.executable)
    assert runs_this_interpreter(spec["argv"])


def test_kernel_manager_options_are_a_kernel_manager_class_or_nothing():
    options = kernel_manager_options()
    assert set(options) <= {"kernel_manager_class"}
