"""Layered (Sugiyama-style) auto-layout for the node-graph editor; pure Python, no Qt.

`layered_layout` places the nodes of a flow (or of a selection) in columns that follow the
data: cycles are broken, nodes get layers, long edges get virtual nodes, the layers are
ordered to reduce crossings, and nodes are placed along the cross axis without overlaps.
Internally everything works in (main, cross) coordinates — (x, y) for direction "right",
(y, x) for "down" — on integer node indices; virtual nodes come after the real ones.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from typing import Literal

from studio._layout_coords import assign_cross

__all__ = ["layered_layout"]

_Edge = tuple[str, str]

_SWEEPS = 12  # crossing-minimisation sweeps at most (alternating down and up)
_STALE = 4  # stop after this many sweeps without fewer crossings
_TRANSPOSE_PASSES = 4  # passes of adjacent swaps after each sweep


def layered_layout(
    sizes: Mapping[str, tuple[float, float]],
    edges: Iterable[tuple[str, str]],
    *,
    direction: Literal["right", "down"] = "right",
    layer_gap: float = 80.0,
    node_gap: float = 40.0,
    origin: tuple[float, float] = (0.0, 0.0),
    order_hint: Mapping[str, float] | None = None,
    cross_anchor: float | None = None,
) -> dict[str, tuple[float, float]]:
    """Top-left (x, y) for every node in `sizes`, laid out in layers along `direction`.

    `edges` may name nodes outside `sizes` (ignored), repeat, loop or form cycles.
    `order_hint` gives each node's current cross coordinate (y for "right", x for "down");
    that order is kept wherever changing it would not remove crossings. Weakly connected
    components are laid out separately and stacked along the cross axis, largest first.
    The result depends only on the input's content, never on its iteration order.
    `cross_anchor`: nodes of a chain line up at this distance from their leading side (top for
    "right"; e.g. their first port, so title bars and first ports line up) instead of by centre.
    """
    if direction not in ("right", "down"):
        raise ValueError(f"direction must be 'right' or 'down', not {direction!r}")
    ids = sorted(sizes)
    if not ids:
        return {}
    horizontal = direction == "right"
    main = {v: float(sizes[v][0 if horizontal else 1]) for v in ids}
    cross = {v: float(sizes[v][1 if horizontal else 0]) for v in ids}
    pairs = sorted({(s, t) for s, t in edges if s != t and s in sizes and t in sizes})
    hint = dict(order_hint or {})
    origin_main, origin_cross = (origin if horizontal else (origin[1], origin[0]))

    def component_key(comp: list[str]) -> tuple[int, float, str]:
        hinted = [hint[v] for v in comp if v in hint]
        return -len(comp), min(hinted, default=float("inf")), comp[0]

    placed: dict[str, tuple[float, float]] = {}
    offset = origin_cross
    for comp, comp_pairs in sorted(_components(ids, pairs), key=lambda cp: component_key(cp[0])):
        spots, extent = _layout_component(comp, comp_pairs, main, cross, hint, layer_gap, node_gap,
                                          cross_anchor)
        for v, (m, c) in spots.items():
            m, c = origin_main + m, offset + c
            placed[v] = (m, c) if horizontal else (c, m)
        offset += extent + node_gap
    return {v: placed[v] for v in ids}


def _components(ids: list[str], pairs: list[_Edge]) -> list[tuple[list[str], list[_Edge]]]:
    """Weakly connected components as (sorted node ids, their sorted edges)."""
    parent = {v: v for v in ids}

    def find(v: str) -> str:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for s, t in pairs:
        rs, rt = find(s), find(t)
        if rs != rt:
            parent[max(rs, rt)] = min(rs, rt)
    groups: dict[str, tuple[list[str], list[_Edge]]] = {}
    for v in ids:
        groups.setdefault(find(v), ([], []))[0].append(v)
    for s, t in pairs:
        groups[find(s)][1].append((s, t))
    return list(groups.values())


def _layout_component(
    ids: list[str], pairs: list[_Edge], main: Mapping[str, float], cross: Mapping[str, float],
    hint: Mapping[str, float], layer_gap: float, node_gap: float, anchor: float | None,
) -> tuple[dict[str, tuple[float, float]], float]:
    """(main, cross) top-left of each node of one component, cross starting at 0; and its cross extent."""
    n = len(ids)
    index = {v: i for i, v in enumerate(ids)}
    succ: list[list[int]] = [[] for _ in range(n)]
    for s, t in pairs:
        succ[index[s]].append(index[t])
    succ = _break_cycles(succ)
    layer = _assign_layers(succ)

    rank, seed, up, down = _add_virtual_nodes(succ, layer, [hint.get(v) for v in ids])
    size = [cross[v] for v in ids] + [0.0] * (len(rank) - n)
    layers: list[list[int]] = [[] for _ in range(max(rank) + 1)]
    for v, r in enumerate(rank):
        layers[r].append(v)

    order = _minimise_crossings(layers, up, down, seed)
    ahead = [min(anchor, s) if anchor is not None else s / 2 for s in size[:n]] + [0.0] * (len(size) - n)
    centre = assign_cross(order, up, down, size, n, node_gap, ahead)

    widths = [max((main[ids[v]] for v in lay if v < n), default=0.0) for lay in order]
    starts = [0.0, *accumulate(w + layer_gap for w in widths)]
    top = min(centre[v] - ahead[v] for v in range(n))
    bottom = max(centre[v] - ahead[v] + size[v] for v in range(n))
    spots = {
        ids[v]: (starts[layer[v]] + (widths[layer[v]] - main[ids[v]]) / 2, centre[v] - ahead[v] - top)
        for v in range(n)
    }
    return spots, bottom - top


def _add_virtual_nodes(
    succ: list[list[int]], layer: list[int], seed: list[float | None],
) -> tuple[list[int], list[float | None], list[list[int]], list[list[int]]]:
    """(layer, seed, up-neighbours, down-neighbours) of real then virtual nodes, so that every
    edge joins adjacent layers. Long edges run through chains of virtual nodes; all long edges of
    a node share one chain (a trunk) on the end with more of them, so fans stay linear in size."""
    n = len(succ)
    rank, seed = list(layer), list(seed)
    up: list[list[int]] = [[] for _ in range(n)]
    down: list[list[int]] = [[] for _ in range(n)]
    long_out, long_in = [0] * n, [0] * n
    for s in range(n):
        for t in succ[s]:
            if layer[t] - layer[s] > 1:
                long_out[s] += 1
                long_in[t] += 1
    out_trunk: dict[int, list[int]] = {}
    in_trunk: dict[int, list[int]] = {}

    def link(a: int, b: int) -> None:
        down[a].append(b)
        up[b].append(a)

    def trunk_node(anchor: int, r: int, outgoing: bool) -> int:
        chain = (out_trunk if outgoing else in_trunk).setdefault(anchor, [])
        step = 1 if outgoing else -1
        while len(chain) < abs(r - layer[anchor]):
            virtual = len(rank)
            rank.append(layer[anchor] + step * (len(chain) + 1))
            seed.append(seed[anchor])
            up.append([])
            down.append([])
            prev = chain[-1] if chain else anchor
            if outgoing:
                link(prev, virtual)
            else:
                link(virtual, prev)
            chain.append(virtual)
        return chain[abs(r - layer[anchor]) - 1]

    for s in range(n):
        for t in succ[s]:
            if layer[t] - layer[s] == 1:
                link(s, t)
            elif long_out[s] >= long_in[t]:
                link(trunk_node(s, layer[t] - 1, True), t)
            else:
                link(s, trunk_node(t, layer[s] + 1, False))
    return rank, seed, up, down


def _break_cycles(succ: list[list[int]]) -> list[list[int]]:
    """An acyclic copy of `succ`: DFS (sources first) reverses every back edge."""
    n = len(succ)
    has_pred = [False] * n
    for targets in succ:
        for t in targets:
            has_pred[t] = True
    state = [0] * n  # 0 unseen, 1 on the DFS stack, 2 finished
    back: set[tuple[int, int]] = set()
    roots = [v for v in range(n) if not has_pred[v]] + [v for v in range(n) if has_pred[v]]
    for root in roots:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                if state[w] == 0:
                    state[w] = 1
                    stack.append((w, iter(succ[w])))
                    break
                if state[w] == 1:
                    back.add((v, w))
            else:
                state[v] = 2
                stack.pop()
    if not back:
        return succ
    fixed: list[set[int]] = [set() for _ in range(n)]
    for s in range(n):
        for t in succ[s]:
            if (s, t) in back:
                fixed[t].add(s)
            else:
                fixed[s].add(t)
    return [sorted(targets) for targets in fixed]


def _assign_layers(succ: list[list[int]]) -> list[int]:
    """Longest path from the sources, then nodes pulled toward their successors where that
    does not lengthen the edges in total (at least as many outgoing as incoming edges)."""
    n = len(succ)
    indegree = [0] * n
    for targets in succ:
        for t in targets:
            indegree[t] += 1
    topo = [v for v in range(n) if indegree[v] == 0]
    remaining = list(indegree)
    for v in topo:  # grows while iterating: Kahn's algorithm
        for t in succ[v]:
            remaining[t] -= 1
            if remaining[t] == 0:
                topo.append(t)
    layer = [0] * n
    for v in topo:
        for t in succ[v]:
            layer[t] = max(layer[t], layer[v] + 1)
    for v in reversed(topo):
        if succ[v] and len(succ[v]) >= indegree[v]:
            layer[v] = min(layer[t] for t in succ[v]) - 1
    return layer


def _minimise_crossings(
    layers: list[list[int]], up: list[list[int]], down: list[list[int]], seed: Sequence[float | None],
) -> list[list[int]]:
    """Layer orders with few crossings: barycenter sweeps down and up from a seeded start; the
    best order seen wins, and the start (the user's order) is only replaced by strictly fewer."""
    pos = [0.0] * len(up)  # position within its layer, as a fraction in (0, 1)
    order: list[list[int]] = []
    for lay in layers:
        def start_key(v: int) -> tuple[bool, float, float, int]:
            preds = up[v]
            centre = sum(pos[u] for u in preds) / len(preds) if preds else float("inf")
            return seed[v] is None, seed[v] or 0.0, centre, v

        order.append(sorted(lay, key=start_key))
        _number(order[-1], pos)
    best, best_count = [list(lay) for lay in order], _crossings(order, down, pos)
    stale = 0
    for sweep in range(_SWEEPS):
        if best_count == 0 or stale >= _STALE:
            break
        if sweep % 2 == 0:
            for i in range(1, len(order)):
                order[i] = _barycenter_sort(order[i], up, pos)
        else:
            for i in range(len(order) - 2, -1, -1):
                order[i] = _barycenter_sort(order[i], down, pos)
        _transpose(order, up, down, pos)
        count = _crossings(order, down, pos)
        if count < best_count:
            best, best_count, stale = [list(lay) for lay in order], count, 0
        else:
            stale += 1
    return best


def _number(lay: list[int], pos: list[float]) -> None:
    for k, v in enumerate(lay):
        pos[v] = (k + 0.5) / len(lay)


def _barycenter_sort(lay: list[int], neighbours: list[list[int]], pos: list[float]) -> list[int]:
    """`lay` sorted by the mean position of each node's neighbours; nodes without any stay put."""
    keyed = []
    for k, v in enumerate(lay):
        ns = neighbours[v]
        keyed.append((sum(pos[u] for u in ns) / len(ns) if ns else pos[v], k, v))
    keyed.sort()
    result = [v for _, _, v in keyed]
    _number(result, pos)
    return result


def _transpose(order: list[list[int]], up: list[list[int]], down: list[list[int]], pos: list[float]) -> None:
    """Swap neighbours within a layer while that strictly removes crossings (a few passes at most)."""
    for _ in range(_TRANSPOSE_PASSES):
        improved = False
        for lay in order:
            for k in range(len(lay) - 1):
                v, w = lay[k], lay[k + 1]
                if _pair_crossings(v, w, up, down, pos) > _pair_crossings(w, v, up, down, pos):
                    lay[k], lay[k + 1] = w, v
                    pos[v], pos[w] = pos[w], pos[v]
                    improved = True
        if not improved:
            return


def _pair_crossings(v: int, w: int, up: list[list[int]], down: list[list[int]], pos: list[float]) -> int:
    """Crossings between the edges of v and of w when v sits just before w."""
    count = 0
    for side in (up, down):
        for a in side[v]:
            pa = pos[a]
            for b in side[w]:
                if pa > pos[b]:
                    count += 1
    return count


def _crossings(order: list[list[int]], down: list[list[int]], pos: list[float]) -> int:
    """Edge crossings between consecutive layers, by counting inversions."""
    total = 0
    for lay in order[:-1]:
        seen: list[float] = []
        for u in lay:
            for p in sorted(pos[w] for w in down[u]):
                total += len(seen) - bisect_right(seen, p)
                insort(seen, p)
    return total
