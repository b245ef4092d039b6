"""Cross-axis coordinates for `studio.layout`: Brandes–Köpf alignment with real node sizes.

Four alignments (toward the previous or the next layer, scanning from either end) each join
nodes into blocks along median neighbours, which share one cross coordinate, and compact the
blocks; the result is the mean of the two middle candidates per node. Each candidate keeps the
order and the gaps, and so does that balance; a final exact projection (`_place`) makes certain.
Nodes are integer indices; those from `n_real` on are virtual (size 0, half a gap around them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

__all__ = ["assign_cross"]

_Layers = list[list[int]]
_Adjacency = list[list[int]]


def assign_cross(order: _Layers, up: _Adjacency, down: _Adjacency, size: Sequence[float], n_real: int,
                 gap: float, before: Sequence[float] | None = None) -> list[float]:
    """Cross-axis reference points for every node: layers in `order` (first to last along the
    main axis), neighbours in the previous layer in `up` and in the next one in `down`. A node
    extends `before[v]` ahead of its reference point and the rest of its size after it (default:
    its centre); aligned nodes share the reference point."""
    n = len(size)
    ahead = list(before) if before is not None else [s / 2 for s in size]
    behind = [s - a for s, a in zip(size, ahead, strict=True)]

    def room(a: int, b: int) -> float:
        """Between reference points of `a` and then `b` (in the cross axis' own order)."""
        return behind[a] + ahead[b] + (gap if a < n_real and b < n_real else gap / 2)

    conflicts = _inner_conflicts(order, up, n_real)
    candidates: list[tuple[bool, list[float]]] = []
    for towards_lower in (False, True):
        layers, neighbours = (order[::-1], down) if towards_lower else (order, up)
        for from_right in (False, True):
            lays = [lay[::-1] for lay in layers] if from_right else layers
            root = _align(lays, neighbours, conflicts, n)
            sep = (lambda a, b: room(b, a)) if from_right else room  # reversed: b comes first
            xs = _compact(lays, root, sep, n)
            candidates.append((from_right, [-x for x in xs] if from_right else xs))

    # Align every candidate with the narrowest one (left ones by their left end, right ones by
    # their right end), then take the mean of the two middle values per node.
    def extent(xs: list[float]) -> tuple[float, float]:
        return min(xs), max(xs)

    narrowest = min((xs for _, xs in candidates), key=lambda xs: extent(xs)[1] - extent(xs)[0])
    low, high = extent(narrowest)
    shifted = []
    for from_right, xs in candidates:
        lo, hi = extent(xs)
        delta = high - hi if from_right else low - lo
        shifted.append([x + delta for x in xs])
    centre = [0.0] * n
    for v in range(n):
        values = sorted(xs[v] for xs in shifted)
        centre[v] = (values[1] + values[2]) / 2
    for lay in order:
        _place(lay, [centre[v] for v in lay], centre, room)
    return centre


def _inner_conflicts(order: _Layers, up: _Adjacency, n_real: int) -> set[tuple[int, int]]:
    """Edges (as sorted pairs) that cross an inner segment (virtual to virtual): these never
    get aligned, so long edges stay straight (type 1 conflicts)."""
    pos = {v: k for lay in order for k, v in enumerate(lay)}
    conflicts: set[tuple[int, int]] = set()
    for prev, lay in pairwise(order):
        k0, scan = 0, 0
        for i, v in enumerate(lay):
            inner = next((u for u in up[v] if u >= n_real), None) if v >= n_real else None
            if inner is None and i < len(lay) - 1:
                continue
            k1 = pos[inner] if inner is not None else len(prev)
            for s in lay[scan:i + 1]:
                for u in up[s]:
                    if (pos[u] < k0 or pos[u] > k1) and not (u >= n_real and s >= n_real):
                        conflicts.add((min(u, s), max(u, s)))
            scan, k0 = i + 1, k1
    return conflicts


def _align(lays: _Layers, neighbours: _Adjacency, conflicts: set[tuple[int, int]], n: int) -> list[int]:
    """Block roots: each node joins the block of a median neighbour in the previous layer of `lays`
    when that keeps blocks from crossing and the edge has no conflict."""
    pos = [0] * n
    for lay in lays:
        for k, v in enumerate(lay):
            pos[v] = k
    root = list(range(n))
    for lay in lays[1:]:
        r = -1
        for v in lay:
            ns = sorted(neighbours[v], key=pos.__getitem__)
            if not ns:
                continue
            for m in sorted({(len(ns) - 1) // 2, len(ns) // 2}):
                u = ns[m]
                if root[v] == v and r < pos[u] and (min(u, v), max(u, v)) not in conflicts:
                    root[v] = root[u]
                    r = pos[u]
    return root


def _compact(lays: _Layers, root: list[int], sep: Callable[[int, int], float], n: int) -> list[float]:
    """Coordinates of the blocks: packed from the left (longest path in the block graph), then
    each block moved as far right as its right-hand neighbours allow."""
    right: dict[int, dict[int, float]] = {}
    indegree: dict[int, int] = {}
    for lay in lays:
        for v in lay:
            indegree.setdefault(root[v], 0)
        for a, b in pairwise(lay):
            ra, rb = root[a], root[b]
            edges = right.setdefault(ra, {})
            if rb not in edges:
                indegree[rb] += 1
            edges[rb] = max(edges.get(rb, 0.0), sep(a, b))
    topo = [r for r, d in indegree.items() if d == 0]
    for r in topo:  # grows while iterating: Kahn's algorithm
        for s in right.get(r, {}):
            indegree[s] -= 1
            if indegree[s] == 0:
                topo.append(s)
    topo += [r for r, d in indegree.items() if d > 0]  # only if blocks crossed; `_place` repairs
    x = dict.fromkeys(topo, 0.0)
    for r in topo:
        for s, w in right.get(r, {}).items():
            x[s] = max(x[s], x[r] + w)
    for r in reversed(topo):
        edges = right.get(r)
        if edges:
            x[r] = max(x[r], min(x[s] - w for s, w in edges.items()))
    return [x[root[v]] for v in range(n)]


def _place(lay: list[int], wanted: list[float], centre: list[float],
           room: Callable[[int, int], float]) -> None:
    """Set `centre` for `lay` as close as possible (least squares) to `wanted` while keeping the
    order and the gaps (half a gap next to virtual nodes): pool-adjacent-violators. Positions
    that already keep them come back unchanged."""
    offsets, offset, prev = [], 0.0, -1
    for v in lay:
        if prev >= 0:
            offset += room(prev, v)
        offsets.append(offset)
        prev = v
    values: list[float] = []
    counts: list[int] = []
    for w, o in zip(wanted, offsets, strict=True):
        value, count = w - o, 1
        while values and values[-1] > value:
            value = (values[-1] * counts[-1] + value * count) / (counts[-1] + count)
            count += counts.pop()
            values.pop()
        values.append(value)
        counts.append(count)
    k = 0
    for value, count in zip(values, counts, strict=True):
        for _ in range(count):
            centre[lay[k]] = value + offsets[k]
            k += 1
