"""Words for counts in what people read: `plural(1, "row")` is "1 row", `plural(2, "row")` is
"2 rows", `plural(2, "delivery")` is "2 deliveries" — never "row(s)"."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and `word`, in the plural unless `count` is exactly 1 (English: "0 rows").

    The plural of the last word follows the regular English rules ("delivery" → "deliveries",
    "fix" → "fixes", "day" → "days"); `many` gives it when they are wrong ("person" → "people").
    """
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or _regular_plural(word)}"


def _regular_plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"
