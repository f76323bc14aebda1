"""A series bounded by `max_points`, drawn as the full one would be: the points a chart of the equity
curve must not lose are kept, the rest only as the bound allows.

Always kept: the first and the last point, and the largest drawdown's (its trough, the first point
where the drawdown is deepest, and its peak, the last point before that where equity stood at its
peak). So the largest drawdown read from the kept points is the full series' (a drawdown between
kept points is never deeper than the same points' drawdown in the full series). Then, while they
fit in `max_points`, every running peak (a point that raises the peak) and every running trough (a
point deeper below its peak than any before it); the rest of the bound goes to the highest and the
lowest point of equal runs of the series, so the curve keeps its shape. When the running peaks and
troughs alone are more than the bound (a journal that sets a new high every few trades), they are
thinned evenly. The answer has at most `max_points` points, or the four always kept when the bound
is smaller.

Each point is read for its `equity`, `peak` and `drawdown` only (COMPARED): Decimals, or floats read
from the JSON PostgreSQL writes (whose text is what is kept, untouched).
"""

from collections.abc import Sequence

import orjson

COMPARED = ("equity", "peak", "drawdown")


def kept(points: Sequence[dict], max_points: int) -> list[int]:
    """The indices of the points kept within `max_points`, in order."""
    count = len(points)
    if count <= max_points:
        return list(range(count))
    always = {0, count - 1}
    records, high, deepest, trough = [], None, 0, None
    for index, point in enumerate(points):
        drawdown = point["drawdown"]
        if high is None or point["peak"] > high:
            high = point["peak"]
            records.append(index)
        if drawdown > deepest:
            deepest, trough = drawdown, index
            records.append(index)
    if trough is not None:
        always.add(trough)
        start = next((i for i in range(trough - 1, -1, -1) if points[i]["equity"] == points[i]["peak"]), None)
        if start is not None:
            always.add(start)
    room = max_points - len(always)
    extra = sorted(set(records) - always)
    if len(extra) > room:
        return sorted(always | set(_evenly(extra, room)))
    chosen = always | set(extra)
    runs = (max_points - len(chosen)) // 2
    if runs:
        size = -(-count // runs)  # ceiling: at most `runs` runs
        for first in range(0, count, size):
            run = range(first, min(first + size, count))
            chosen.add(max(run, key=lambda i: points[i]["equity"]))
            chosen.add(min(run, key=lambda i: points[i]["equity"]))
    return sorted(chosen)


def _evenly(indices: list[int], room: int) -> list[int]:
    if room <= 0:
        return []
    if room == 1:
        return [indices[-1]]
    step = (len(indices) - 1) / (room - 1)
    return [indices[round(k * step)] for k in range(room)]


def bounded_json(text: str, max_points: int | None) -> str:
    """The points as PostgreSQL's JSON array of flat objects, within `max_points`: the kept objects'
    text is carried as it was written."""
    # Each point is a flat object ({"time":"...","pnl":...}): "},{" separates two of them and
    # appears nowhere inside one.
    if max_points is None or text.count("},{") + 1 <= max_points:
        return text
    items = text[2:-2].split("},{")
    return "[{" + "},{".join(items[i] for i in kept(orjson.loads(text), max_points)) + "}]"
