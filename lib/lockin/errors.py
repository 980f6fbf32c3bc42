"""The errors lockin raises for what its users cause.

Every error a user can cause (a bad input file, a bad option value, a bad
parameter) derives from :class:`LockinError`. The command line catches only
that class and prints it as ``file:line: problem``; anything else is a bug
and shows its traceback. Messages never quote an unbounded value: use
:func:`quote` for anything that came from the user.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest quoted user value in a message, in characters.
MAX_QUOTED = 80


class LockinError(Exception):
    """An error the user caused; its text says where and what is wrong."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A defect in an input: the file, the line and what is wrong."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class InputError(LockinError):
    """An input that cannot be read at all.

    Raised by a reader when the whole file is unusable (invalid JSON, a YAML
    syntax error, a document of the wrong shape). The scan records it as a
    skipped input and goes on with the other files.
    """

    def __init__(self, path: str, line: int | None, message: str):
        self.problem = Problem(path, line, message)
        super().__init__(str(self.problem))


class UsageError(LockinError, ValueError):
    """A value given on the command line or to a library call that cannot be used
    (an unknown accelerator, a what-if that moves more than there is).

    Also a :class:`ValueError`, as Python's convention for a bad argument
    value has it, so library callers that catch ``ValueError`` keep working;
    the command line catches it as a :class:`LockinError`.
    """


def read_utf8(path) -> str:
    """The text of a user's UTF-8 file (a byte-order mark is dropped).

    Raises
    ------
    InputError
        When the file cannot be read, or is not UTF-8: then with the line
        and offset of the first byte that is not.
    """
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(str(path), line, f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; save the file as UTF-8") from None


def quote(value: object, limit: int = MAX_QUOTED) -> str:
    """``repr(value)`` cut to ``limit`` characters with an ellipsis.

    Values in messages come from users' files: a YAML alias expansion or a
    pasted blob must not turn one error line into megabytes, so the value is
    never rendered whole (:mod:`reprlib` bounds nested containers too).
    """
    text = _bounded_repr(value, limit)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded_repr(value: object, limit: int) -> str:
    import reprlib

    shorter = reprlib.Repr()
    shorter.maxstring = shorter.maxother = limit
    shorter.maxlist = shorter.maxtuple = shorter.maxdict = shorter.maxset = 12
    shorter.maxlevel = 3
    return shorter.repr(value)
