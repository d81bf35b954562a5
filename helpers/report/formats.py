"""One format per kind of figure, for every table, sentence and chart (docs/pdfs.md's words and
formats section lists them): a percent without a space ("58.0%"), a difference in signed points
("+1.2 points"), a p-value to two decimals or "< 0.001", thousands separated ("1,234"), a ratio in
words ("1.8 times"), an interval with both ends ("84.1% to 88.2%")."""

from __future__ import annotations

import math

from ..core.progress import duration


def percent(fraction: float, digits: int = 1) -> str:
    """58.0%"""
    return f"{100 * fraction:.{digits}f}%"


def points(fraction: float) -> str:
    """A signed difference of two fractions in percentage points: "+1.2 points"."""
    return f"{_signed(100 * fraction)} points"


def _signed(value: float) -> str:
    """"+1.2", "-3.4", and "0.0" for what rounds to zero."""
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def unsigned_points(fraction: float) -> str:
    """"1.2 points", "1.0 point"."""
    value = round(100 * abs(fraction), 1)
    return f"{value:.1f} point{'' if value == 1 else 's'}"


def p_value(p: float) -> str:
    """"0.04", "0.004", "< 0.001"; a p that two decimals would round to 0.05, the usual
    threshold, keeps three ("0.047", "0.052"), so that its side of the threshold shows."""
    if p is None or math.isnan(p):
        return ""
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.01 or round(p, 2) == 0.05 else f"{p:.2f}"


def p_equals(p: float, name: str = "p") -> str:
    """"p = 0.04", "p < 0.001" (``name``: "Holm's p", ...)."""
    shown = p_value(p)
    return f"{name} {shown}" if shown.startswith("<") else f"{name} = {shown}"


def count(number: float) -> str:
    """"1,234"."""
    return f"{number:,.0f}"


def large(number: float) -> str:
    """"950", "18.2 million", "1.07 billion", "3.4 trillion": three figures and a word."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(number) >= size:
            return f"{number / size:.3g} {word}"
    return count(number)


def seconds(value: float) -> str:
    """"under 0.1 s", "1.5 s", "42 s", "3 min 5 s"."""
    if value < 0.05:
        return "under 0.1 s"
    return f"{value:.1f} s" if value < 10 else duration(value)


def times(ratio: float) -> str:
    """"1.8 times"."""
    return f"{ratio:.1f} times"


def percent_interval(low: float, high: float) -> str:
    """"84.1% to 88.2%" ("" without an interval)."""
    if low is None or math.isnan(low):
        return ""
    return percent(low) if percent(low) == percent(high) else f"{percent(low)} to {percent(high)}"


def points_interval(low: float, high: float) -> str:
    """"+1.2 to +3.4" (points; "" without an interval). A difference of two accuracies lies
    within 100 points either way; an end beyond (a t-interval over two or three random seeds can
    reach there) is clipped and says so: "+6.2 to +100.0 (clipped from +108.3)"."""
    if low is None or math.isnan(low):
        return ""
    signed = [_signed(100 * end) for end in (low, high)]
    shown = [f"{100 * min(max(end, -1.0), 1.0):+.1f}" if abs(end) > 1 else text
             for end, text in zip((low, high), signed)]
    clipped = [text for end, text in zip((low, high), signed) if abs(end) > 1]
    note = f" (clipped from {' and '.join(clipped)})" if clipped else ""
    return f"{shown[0]} to {shown[1]}{note}"  # both ends, also where they meet: an interval
