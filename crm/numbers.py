"""Whole numbers typed in a query or a form: ids, versions, years."""

import re

# ASCII digits only, and few enough for any database integer: str.isdigit() also
# takes "²", which int() refuses (a traceback), and "٣", which int() reads as 3.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(text) -> int | None:
    """Return the number `text` writes in ASCII digits (at most 18), else None."""
    if isinstance(text, str) and WHOLE_NUMBER.fullmatch(text):
        return int(text)
    return None
