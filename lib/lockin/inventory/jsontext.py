"""Loading a JSON document whose top level must be an object."""

from __future__ import annotations

import json
from typing import Any

from lockin.parsebounds import is_long_number_error, long_number_error
from lockin.records import InputError


def load_json_object(text: str, path: str, expected: str = "a JSON object at the top") -> dict[str, Any]:
    """Parse ``text`` as JSON and require an object at the top.

    Raises
    ------
    InputError
        With the line of a syntax error, or line 1 when the top level is not
        an object (``expected`` says what should be there).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise InputError(path, None, "invalid JSON: nested too deeply to read") from None
    except ValueError as exc:  # after JSONDecodeError, a ValueError itself
        if is_long_number_error(exc):
            raise long_number_error(text, path, "JSON") from None
        raise InputError(path, None, f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(path, 1, f"expected {expected}, found {type(data).__name__}")
    return data
