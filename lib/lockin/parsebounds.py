"""Shapes of input that Python's own parsers cannot take, refused beforehand.

A scanned portfolio holds files nobody on the team wrote (a vendored file,
a generated lock file, a hostile pull request), and two of the parsers the
readers rely on misbehave on inputs a few kilobytes long:

* :func:`ast.parse` and :mod:`tomllib` build a dotted name (``import
  a.b.c…``, the TOML key ``a.b.c… = 1``) part by part, keeping every prefix:
  time and memory grow with the square of the number of parts (a 70 KB name
  took 11 GB, a 70 KB TOML key 2.8 GB and 20 s). :func:`check_dotted_names`
  refuses a file with a dotted name of more than :data:`MAX_DOTTED_PARTS`
  parts before the parser sees it (nesting depth is already bounded: both
  parsers stop deep nesting with a ``RecursionError``, which the readers
  report).
* :class:`int` refuses to convert a number written with more than
  ``sys.get_int_max_str_digits()`` digits (4,300) and raises a plain
  :class:`ValueError` from inside :mod:`json`, :mod:`tomllib` and
  :mod:`packaging`; :func:`long_number_error` turns it into the readers'
  usual "unreadable file" problem, with the line of the number.

Both raise :class:`~lockin.errors.InputError`, so the scan lists the file
as skipped with the file, the line and the reason.
"""

from __future__ import annotations

import re
import sys

from lockin.errors import InputError

#: The most parts a dotted name (``a.b.c``) may have. Real module paths and
#: TOML keys have fewer than 20; at 256 parts the parsers' quadratic cost
#: is still a few milliseconds and a few megabytes.
MAX_DOTTED_PARTS = 256

#: The most digits :class:`int` converts (Python's integer-string limit).
MAX_NUMBER_DIGITS = sys.get_int_max_str_digits() or 4300

# A run of '.part' continuations. Each part is unambiguous (a word, or a
# quoted TOML key) and the separators cannot be part of one, so the engine
# never re-reads a character: a match starts only at a '.' and runs once to
# the run's end. Blanks and backslash line continuations may stand around
# the dots, as both languages allow.
_SEPARATOR = r"(?:[ \t]|\\\r?\n)*"
_PYTHON_RUN = re.compile(rf"(?:\.{_SEPARATOR}\w+{_SEPARATOR})+")
_TOML_RUN = re.compile(rf"(?:\.{_SEPARATOR}(?:[\w-]+|\"[^\"\n]*\"|'[^'\n]*'){_SEPARATOR})+")
_TOML_PART = re.compile(r"\.(?:[ \t]|\\\r?\n)*(?:[\w-]+|\"[^\"\n]*\"|'[^'\n]*')")
# A run of digits longer than int() converts (a number, or digits in a string).
_LONG_DIGITS = re.compile(rf"\d{{{MAX_NUMBER_DIGITS + 1},}}")


def check_dotted_names(text: str, path: str, language: str) -> None:
    """Refuse ``text`` when it holds a dotted name too long to parse safely.

    Parameters
    ----------
    text : str
        Python source or a TOML document.
    path : str
        The path shown in the problem.
    language : {"python", "toml"}
        Which syntax the parts follow (TOML keys may be quoted).

    Raises
    ------
    InputError
        Naming the line where the name starts and its number of parts.
    """
    run, part = (_TOML_RUN, _TOML_PART) if language == "toml" else (_PYTHON_RUN, None)
    for match in run.finditer(text):
        found = match.group()
        # Cheap upper bound first: every part adds one dot (a quoted TOML
        # part may hold more), so short runs are let through uncounted.
        if found.count(".") < MAX_DOTTED_PARTS:
            continue
        parts = 1 + (found.count(".") if part is None else sum(1 for _ in part.finditer(found)))
        if parts > MAX_DOTTED_PARTS:
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(
                path, line,
                f"a dotted name of {parts:,} parts (more than {MAX_DOTTED_PARTS}): the {language} parser's time "
                "and memory grow with its square, so the file is not read",
            )  # fmt: skip


def long_number_error(text: str, path: str, what: str) -> InputError:
    """The problem for a document with a number :class:`int` refuses to convert.

    Parameters
    ----------
    text : str
        The document whose parsing raised Python's integer-string limit error.
    path : str
    what : str
        The format, as the problem names it (``JSON``, ``TOML``).

    Returns
    -------
    InputError
        At the line of the first run of more than :data:`MAX_NUMBER_DIGITS`
        digits (None if there is none to be seen).
    """
    found = _LONG_DIGITS.search(text)
    line = text.count("\n", 0, found.start()) + 1 if found else None
    return InputError(path, line, f"invalid {what}: a number of more than {MAX_NUMBER_DIGITS:,} digits, more than Python reads")


def is_long_number_error(error: ValueError) -> bool:
    """Whether ``error`` is Python's refusal of a number with too many digits."""
    return "integer string conversion" in str(error)


def parse_python(text: str, path: str):
    """``ast.parse`` of a scanned file without its compile-time warnings.

    Python warns about what it compiles (an invalid escape sequence, ``is``
    with a literal) on standard error, naming the file: a scanned project's
    file is not lockin's to warn about, and the warning would leak its
    path and text into the output of the command.
    """
    import ast
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)
