"""What the database can store, checked where text and numbers come in.

PostgreSQL refuses a NUL character in text, and no database can store a lone
surrogate (it has no UTF-8 form); Python refuses to turn more than 4,300 digits
into an int, and no id or count of ours has more than 18. Input that breaks
these rules is refused with a clear answer where it enters (the request, the
JSON import), never deep inside a query as a 500.
"""

import re

# NUL, and the surrogate code points, which are not characters on their own.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A bigint holds 18 digits safely (9,223,372,036,854,775,807 has 19).
MAX_INT_DIGITS = 18


def is_storable(text: str) -> bool:
    """Whether ``text`` can be stored and sent as UTF-8: no NUL, no lone surrogate."""
    return UNSTORABLE.search(text) is None


def contains_unstorable(value: object) -> bool:
    """Whether any string in ``value`` (nested lists and dicts, keys included) cannot be stored."""
    if isinstance(value, str):
        return not is_storable(value)
    if isinstance(value, dict):
        return any(contains_unstorable(k) or contains_unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_unstorable(item) for item in value)
    return False


def bounded_int(digits: str, max_digits: int = MAX_INT_DIGITS) -> int:
    """``int(digits)`` for at most ``max_digits`` digits; ValueError past that or for anything not a number."""
    text = digits.strip()
    if len(text.lstrip("+-")) > max_digits:
        raise ValueError("too many digits")
    return int(text)


def parse_id(text: str) -> int | None:
    """A positive id as posted (ASCII digits only), or None."""
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_INT_DIGITS:
        return None
    return int(text)
