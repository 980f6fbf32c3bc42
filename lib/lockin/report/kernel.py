"""The Jupyter kernel the report's notebooks run in: this very interpreter.

A scheduled ``lockin report`` must execute the notebooks with the Python
that has lockin installed, whatever kernels the machine's user has lying
around. jupyter_client runs a kernelspec whose command is a bare
``python`` with the calling interpreter (``sys.executable``), so the
``python3`` spec that ipykernel ships in an environment does the right
thing; but a user-level ``python3`` spec pointing at another interpreter
takes precedence over it. In that case lockin installs a spec of its own,
named ``lockin-python``, into the environment's prefix, whose command is
the absolute path of this interpreter.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

#: The kernelspec jupyter_client and ipykernel know by default.
DEFAULT_KERNEL_NAME = "python3"

#: The kernelspec lockin installs when ``python3`` is another interpreter's.
OWN_KERNEL_NAME = "lockin-python"

# Commands jupyter_client replaces with sys.executable when it starts a kernel.
_BARE_PYTHON_COMMANDS = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}


def report_kernel_name(prefix: str = sys.prefix, manager: KernelSpecManager | None = None) -> str:
    """The name of a kernelspec that runs this interpreter, installing one if needed.

    Parameters
    ----------
    prefix : str
        Where to install ``lockin-python`` when it is needed (the running
        environment's prefix).
    manager : jupyter_client.kernelspec.KernelSpecManager, optional
        Where kernelspecs are looked up (tests pass their own).

    Returns
    -------
    str
        ``python3`` or ``lockin-python``.
    """
    manager = manager or KernelSpecManager()
    for name in (DEFAULT_KERNEL_NAME, OWN_KERNEL_NAME):
        if runs_this_interpreter(_kernel_command(manager, name)):
            return name
    install_own_kernelspec(prefix)
    return OWN_KERNEL_NAME


def runs_this_interpreter(command: list[str] | None) -> bool:
    """Whether a kernelspec's command starts an IPython kernel on this Python."""
    if not command or not ({"ipykernel_launcher", "ipykernel"} & set(command)):
        return False
    executable = command[0]
    if executable in _BARE_PYTHON_COMMANDS:
        return True
    return os.path.abspath(executable) == os.path.abspath(sys.executable)


def install_own_kernelspec(prefix: str) -> str:
    """Install the ``lockin-python`` kernelspec under ``prefix``.

    Returns
    -------
    str
        The folder of the installed kernelspec.
    """
    from ipykernel.kernelspec import install

    return install(kernel_name=OWN_KERNEL_NAME, display_name="Python (lockin)", prefix=prefix)


def kernel_manager_options() -> dict[str, Any]:
    """Extra papermill engine options for the kernel manager.

    Recent ipykernel warns on every start that its TCP channels are not
    encrypted. Where jupyter_client can provision CurveZMQ keys (and libzmq
    supports them), lockin asks for them, which both encrypts the channels
    and keeps that warning out of the report run's output.

    Returns
    -------
    dict
        ``{"kernel_manager_class": ...}`` or nothing when unsupported.
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    if "transport_encryption" not in AsyncKernelManager.class_trait_names() or not zmq.has("curve"):
        return {}

    class EncryptedKernelManager(AsyncKernelManager):
        """A kernel manager that provisions CurveZMQ keys when the kernelspec supports them."""

        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport_encryption", "auto")
            super().__init__(**kwargs)

    return {"kernel_manager_class": EncryptedKernelManager}


def _kernel_command(manager: KernelSpecManager, name: str) -> list[str] | None:
    try:
        return list(manager.get_kernel_spec(name).argv)
    except NoSuchKernel:
        return None
