"""The layered auto-layout: no overlaps, forward edges, straight chains, few crossings, determinism."""

from __future__ import annotations

import ast
import os
import random
import subprocess
import sys
import time
from collections.abc import Mapping
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio._layout_coords import _place, assign_cross
from studio.layout import layered_layout

ROOT = Path(__file__).resolve().parents[2]
EPS = 1e-6
Sizes = dict[str, tuple[float, float]]
Edges = list[tuple[str, str]]
Layout = Mapping[str, tuple[float, float]]


def same(n: int, w: float = 120.0, h: float = 60.0, prefix: str = "n") -> Sizes:
    return {f"{prefix}{i}": (w, h) for i in range(n)}


def centre_y(pos: Layout, sizes: Sizes, v: str) -> float:
    return pos[v][1] + sizes[v][1] / 2


def assert_no_overlap(pos: Layout, sizes: Sizes, *, layer_gap: float = 80.0, node_gap: float = 40.0,
                      main: int = 0) -> None:
    """Every pair is apart by layer_gap along the main axis or by node_gap along the cross axis."""
    cross = 1 - main
    for a, b in combinations(sorted(sizes), 2):
        (pa, pb), (sa, sb) = (pos[a], pos[b]), (sizes[a], sizes[b])
        apart_main = max(pa[main] - (pb[main] + sb[main]), pb[main] - (pa[main] + sa[main]))
        apart_cross = max(pa[cross] - (pb[cross] + sb[cross]), pb[cross] - (pa[cross] + sa[cross]))
        assert apart_main >= layer_gap - EPS or apart_cross >= node_gap - EPS, (a, pos[a], b, pos[b])


def assert_forward(pos: Layout, sizes: Sizes, edges: Edges, *, layer_gap: float = 80.0,
                   main: int = 0) -> None:
    for s, t in edges:
        if s in sizes and t in sizes and s != t:
            assert pos[s][main] + sizes[s][main] + layer_gap <= pos[t][main] + EPS, (s, t)


@st.composite
def graphs(draw: st.DrawFn, *, max_nodes: int = 60, acyclic: bool = True) -> tuple[Sizes, Edges]:
    """Random graphs whose id order differs from their topological order."""
    n = draw(st.integers(0, max_nodes))
    names = draw(st.permutations([f"v{i:02d}" for i in range(n)]))
    dims = draw(st.lists(st.tuples(st.floats(0, 300), st.floats(0, 200)), min_size=n, max_size=n))
    sizes = dict(zip(names, dims, strict=True))
    if n < 2:
        return sizes, []
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
    if acyclic:
        pairs = [(min(a, b), max(a, b)) for a, b in pairs if a != b]
    return sizes, [(names[a], names[b]) for a, b in pairs]


@st.composite
def forests(draw: st.DrawFn) -> tuple[Sizes, Edges]:
    """Random out-forests: every node has at most one parent."""
    n = draw(st.integers(1, 60))
    names = draw(st.permutations([f"t{i:02d}" for i in range(n)]))
    heights = draw(st.lists(st.floats(10, 150), min_size=n, max_size=n))
    parents = [draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None for i in range(n)]
    sizes = {name: (100.0, h) for name, h in zip(names, heights, strict=True)}
    return sizes, [(names[p], names[i]) for i, p in enumerate(parents) if p is not None]


def test_empty_input_gives_empty_layout() -> None:
    assert layered_layout({}, []) == {}
    assert layered_layout({}, [("a", "b")]) == {}


def test_single_node_sits_at_the_origin() -> None:
    assert layered_layout({"a": (50, 20)}, [], origin=(10.0, -5.0)) == {"a": (10.0, -5.0)}


def test_chain_lays_out_on_one_line() -> None:
    sizes = same(6)
    pos = layered_layout(sizes, [(f"n{i}", f"n{i + 1}") for i in range(5)])
    assert {y for _, y in pos.values()} == {0.0}
    assert [pos[f"n{i}"][0] for i in range(6)] == [200.0 * i for i in range(6)]


def test_chain_of_mixed_sizes_shares_one_centre_line() -> None:
    sizes = {"a": (80, 30), "b": (200, 140), "c": (60, 90), "d": (120, 10)}
    pos = layered_layout(sizes, [("a", "b"), ("b", "c"), ("c", "d")])
    centres = {centre_y(pos, sizes, v) for v in sizes}
    assert max(centres) - min(centres) < EPS
    assert_forward(pos, sizes, [("a", "b"), ("b", "c"), ("c", "d")])


def test_chain_going_down_shares_one_x() -> None:
    sizes = same(4)
    edges = [("n0", "n1"), ("n1", "n2"), ("n2", "n3")]
    pos = layered_layout(sizes, edges, direction="down", layer_gap=30.0)
    assert {x for x, _ in pos.values()} == {0.0}
    assert_forward(pos, sizes, edges, layer_gap=30.0, main=1)


def test_diamond_is_symmetric() -> None:
    sizes = {v: (100.0, 50.0) for v in "abcd"}
    pos = layered_layout(sizes, [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    b, c, d = (centre_y(pos, sizes, v) for v in "bcd")
    assert min(b, c) <= d <= max(b, c)
    assert abs(d - (b + c) / 2) < EPS
    assert abs(centre_y(pos, sizes, "a") - d) < EPS
    assert pos["b"][0] == pos["c"][0]


@pytest.mark.parametrize("hint", [{"a": 0, "b": 100, "c": 0, "d": 100}, {"a": 100, "b": 0, "c": 100, "d": 0}])
def test_crossed_pair_is_uncrossed(hint: dict[str, float]) -> None:
    """r → a, b; a → d and b → c, hinted so that they cross: d ends up on a's side."""
    sizes = {v: (100.0, 50.0) for v in "rabcd"}
    pos = layered_layout(sizes, [("r", "a"), ("r", "b"), ("a", "d"), ("b", "c")], order_hint=hint)
    assert (pos["a"][1] < pos["b"][1]) == (pos["d"][1] < pos["c"][1])


def test_two_crossed_bicliques_are_uncrossed() -> None:
    """r feeds a..d; a, b → y, z and c, d → w, x, hinted w < x < y < z: the two K2,2 come apart."""
    sizes = {v: (100.0, 50.0) for v in "rabcdwxyz"}
    edges = [("r", s) for s in "abcd"] + [(s, t) for s in "ab" for t in "yz"]
    edges += [(s, t) for s in "cd" for t in "wx"]
    hint = {v: float(i % 4) for i, v in enumerate("abcdwxyz")}
    pos = layered_layout(sizes, edges, order_hint=hint)
    left_top = set(sorted("abcd", key=lambda v: pos[v][1])[:2])
    right_top = set(sorted("wxyz", key=lambda v: pos[v][1])[:2])
    assert (left_top, right_top) in (({"a", "b"}, {"y", "z"}), ({"c", "d"}, {"w", "x"}))


def test_chains_stay_straight_after_a_fork() -> None:
    sizes = {v: (100.0, 50.0) for v in ("s", "a1", "a2", "a3", "b1", "b2")}
    edges = [("s", "a1"), ("a1", "a2"), ("a2", "a3"), ("s", "b1"), ("b1", "b2")]
    pos = layered_layout(sizes, edges)
    assert pos["a1"][1] == pos["a2"][1] == pos["a3"][1]
    assert pos["b1"][1] == pos["b2"][1]
    assert pos["a1"][1] + 50.0 + 40.0 <= pos["b1"][1] or pos["b1"][1] + 50.0 + 40.0 <= pos["a1"][1]
    assert min(pos["a1"][1], pos["b1"][1]) < pos["s"][1] < max(pos["a1"][1], pos["b1"][1])


@pytest.mark.parametrize("first", ["x", "y"])
def test_order_hint_is_kept_when_it_costs_no_crossings(first: str) -> None:
    sizes = {v: (100.0, 50.0) for v in "axy"}
    hint = {"a": 0.0, first: 10.0, "y" if first == "x" else "x": 20.0}
    pos = layered_layout(sizes, [("a", "x"), ("a", "y")], order_hint=hint)
    other = "y" if first == "x" else "x"
    assert pos[first][1] < pos[other][1]


def test_sources_are_pulled_toward_their_successors() -> None:
    sizes = same(5)
    edges = [("n0", "n1"), ("n1", "n2"), ("n2", "n3"), ("n4", "n3")]
    pos = layered_layout(sizes, edges)
    assert pos["n4"][0] == pos["n2"][0]
    assert pos["n0"][0] == 0.0


def test_dangling_duplicate_and_self_edges_are_ignored() -> None:
    sizes = same(3)
    clean = [("n0", "n1"), ("n1", "n2")]
    noisy = [*clean, ("n0", "n1"), ("n1", "n1"), ("n2", "ghost"), ("ghost", "n0"), *clean]
    assert layered_layout(sizes, noisy) == layered_layout(sizes, clean)


def test_cycles_still_lay_out() -> None:
    sizes = same(4)
    edges = [("n0", "n1"), ("n1", "n2"), ("n2", "n0"), ("n2", "n3"), ("n3", "n1")]
    pos = layered_layout(sizes, edges)
    assert set(pos) == set(sizes)
    assert_no_overlap(pos, sizes)
    assert sum(pos[s][0] < pos[t][0] for s, t in edges) >= 3


def test_binary_tree_centres_parents_on_their_children() -> None:
    sizes = {v: (100.0, 50.0) for v in "rabcdef"}
    edges = [("r", "a"), ("r", "b"), ("a", "c"), ("a", "d"), ("b", "e"), ("b", "f")]
    pos = layered_layout(sizes, edges)
    for parent, kids in (("r", "ab"), ("a", "cd"), ("b", "ef")):
        assert pos[parent][1] == pytest.approx(sum(pos[k][1] for k in kids) / 2)
    assert_no_overlap(pos, sizes)


def test_long_edges_win_over_crossing_short_ones() -> None:
    """Coordinates: a virtual-to-virtual segment crossing a real edge stays straight (type 1 conflict)."""
    order = [[0, 2], [3, 1]]  # real 0 → real 1 crosses virtual 2 → virtual 3
    up, down = [[], [0], [], [2]], [[1], [], [3], []]
    centre = assign_cross(order, up, down, [50.0, 50.0, 0.0, 0.0], 2, 40.0)
    assert centre[2] == centre[3]
    assert centre[0] < centre[2] and centre[3] < centre[1]


def test_overlaps_are_projected_apart_around_their_mean() -> None:
    """Real 0 (height 20), virtual 3, real 1 (height 60) all wanting 10: half gaps beside the virtual."""
    size, gap = [20.0, 60.0, 0.0, 0.0], 40.0

    def room(a: int, b: int) -> float:
        return (size[a] + size[b]) / 2 + (gap if a < 2 and b < 2 else gap / 2)

    centre = [0.0] * 4
    _place([0, 3, 1], [10.0, 10.0, 10.0], centre, room)
    assert centre[3] - centre[0] == pytest.approx(10.0 + 20.0)
    assert centre[1] - centre[3] == pytest.approx(30.0 + 20.0)
    assert centre[0] + centre[1] + centre[3] == pytest.approx(30.0)
    _place([0, 1], [0.0, 500.0], centre, room)
    assert centre[:2] == [0.0, 500.0]


def test_a_cycle_is_entered_where_the_flow_comes_in() -> None:
    sizes = {v: (100.0, 50.0) for v in "abz"}
    pos = layered_layout(sizes, [("z", "b"), ("b", "a"), ("a", "b")])
    assert pos["z"][0] < pos["b"][0] < pos["a"][0]


def test_components_stack_largest_first_without_overlap() -> None:
    sizes = same(3, prefix="a") | same(5, prefix="b") | same(2, prefix="c") | {"lone": (300.0, 20.0)}
    edges = [("a0", "a1"), ("a1", "a2"), ("b0", "b1"), ("b0", "b2"), ("b1", "b3"), ("b2", "b4"), ("c0", "c1")]
    pos = layered_layout(sizes, edges, origin=(5.0, 7.0))
    assert_no_overlap(pos, sizes)
    tops = {p: min(pos[v][1] for v in sizes if v.startswith(p)) for p in ("a", "b", "c", "lone")}
    assert tops["b"] == 7.0
    assert tops["b"] < tops["a"] < tops["c"] < tops["lone"]
    assert min(x for x, _ in pos.values()) == 5.0


def test_same_content_in_another_order_gives_the_same_layout() -> None:
    rng = random.Random(1)
    sizes, edges = random_dag(80, 120, seed=3)
    first = layered_layout(sizes, edges)
    names = list(sizes)
    rng.shuffle(names)
    rng.shuffle(edges)
    assert layered_layout({v: sizes[v] for v in names}, edges) == first


def test_same_input_gives_the_same_layout_in_every_process() -> None:
    """String hashing differs per process; the layout must not."""
    code = ("import json\nfrom tests.studio.test_layout import random_dag\n"
            "from studio.layout import layered_layout\n"
            "print(json.dumps(layered_layout(*random_dag(120, 200, seed=5), order_hint={'n0003': 1.0})))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(runs) == 1


def test_unknown_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="direction"):
        layered_layout({"a": (1, 1)}, [], direction="left")  # type: ignore[arg-type]


def test_layout_modules_import_only_the_standard_library() -> None:
    for path in sorted((ROOT / "studio").glob("*layout*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = list(ast.walk(tree))
        names = [a.name for n in nodes if isinstance(n, ast.Import) for a in n.names]
        names += [n.module for n in nodes if isinstance(n, ast.ImportFrom) and n.module and not n.level]
        outside = [m for m in names
                   if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith("studio._layout_")]
        assert not outside, f"{path.name} imports {outside}"


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_random_dags_never_overlap_and_flow_forward(graph: tuple[Sizes, Edges]) -> None:
    sizes, edges = graph
    pos = layered_layout(sizes, edges, origin=(3.0, 4.0))
    assert set(pos) == set(sizes)
    assert_no_overlap(pos, sizes)
    assert_forward(pos, sizes, edges)
    if sizes:
        assert min(x for x, _ in pos.values()) == pytest.approx(3.0)
        assert min(y for _, y in pos.values()) == pytest.approx(4.0)


@settings(max_examples=40, deadline=None)
@given(graphs(), st.floats(0, 200), st.floats(0, 100))
def test_random_dags_going_down_respect_the_gaps(graph: tuple[Sizes, Edges], layer_gap: float,
                                                 node_gap: float) -> None:
    sizes, edges = graph
    pos = layered_layout(sizes, edges, direction="down", layer_gap=layer_gap, node_gap=node_gap)
    assert_no_overlap(pos, sizes, layer_gap=layer_gap, node_gap=node_gap, main=1)
    assert_forward(pos, sizes, edges, layer_gap=layer_gap, main=1)


@settings(max_examples=40, deadline=None)
@given(graphs(acyclic=False), st.randoms(use_true_random=False))
def test_random_graphs_with_cycles_are_safe_and_deterministic(graph: tuple[Sizes, Edges],
                                                              rng: random.Random) -> None:
    sizes, edges = graph
    pos = layered_layout(sizes, edges)
    assert set(pos) == set(sizes)
    assert_no_overlap(pos, sizes)
    names, shuffled = list(sizes), list(edges)
    rng.shuffle(names)
    rng.shuffle(shuffled)
    assert layered_layout({v: sizes[v] for v in names}, shuffled) == pos


@settings(max_examples=40, deadline=None)
@given(forests())
def test_forests_have_no_crossings(graph: tuple[Sizes, Edges]) -> None:
    sizes, edges = graph
    pos = layered_layout(sizes, edges)
    by_column: dict[float, Edges] = {}
    for s, t in edges:
        by_column.setdefault(round(pos[s][0], 6), []).append((s, t))
    for column in by_column.values():
        for (s1, t1), (s2, t2) in combinations(column, 2):
            ds = centre_y(pos, sizes, s1) - centre_y(pos, sizes, s2)
            dt = centre_y(pos, sizes, t1) - centre_y(pos, sizes, t2)
            assert ds * dt >= 0, (s1, t1, s2, t2)


def random_dag(n: int, m: int, *, seed: int) -> tuple[Sizes, Edges]:
    """n nodes of random sizes and m distinct edges i → j (i < j, uniformly drawn)."""
    rng = random.Random(seed)
    edges: set[tuple[str, str]] = set()
    while len(edges) < m:
        a = rng.randrange(n - 1)
        edges.add((f"n{a:04d}", f"n{rng.randrange(a + 1, n):04d}"))
    sizes = {f"n{i:04d}": (rng.uniform(80, 240), rng.uniform(40, 160)) for i in range(n)}
    return sizes, sorted(edges)


def test_thousand_nodes_lay_out_quickly(capsys: pytest.CaptureFixture[str]) -> None:
    sizes, edges = random_dag(1000, 1500, seed=42)
    start = time.perf_counter()
    pos = layered_layout(sizes, edges)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\nlayered_layout: 1000 nodes / 1500 edges in {elapsed:.3f} s")
    assert len(pos) == 1000
    assert_forward(pos, sizes, edges)
    assert elapsed < 5.0


def test_chained_nodes_of_different_heights_line_up_by_their_first_port() -> None:
    sizes = {"a": (180.0, 80.0), "b": (180.0, 200.0), "c": (180.0, 60.0)}
    edges = [("a", "b"), ("b", "c")]
    centred = layered_layout(sizes, edges)
    assert len({round(y + sizes[v][1] / 2) for v, (_x, y) in centred.items()}) == 1  # by centre
    anchored = layered_layout(sizes, edges, cross_anchor=41.0)
    assert len({round(y) for _x, y in anchored.values()}) == 1  # tops (and first ports) in a line


def test_anchored_layout_keeps_nodes_of_a_layer_apart() -> None:
    sizes = {"s": (180.0, 60.0), "t1": (180.0, 200.0), "t2": (180.0, 50.0), "t3": (180.0, 120.0)}
    spots = layered_layout(sizes, [("s", "t1"), ("s", "t2"), ("s", "t3")], cross_anchor=41.0)
    column = sorted((spots[v][1], sizes[v][1]) for v in ("t1", "t2", "t3"))
    for (y0, h0), (y1, _h1) in pairwise(column):
        assert y1 >= y0 + h0 + 40.0 - 1e-6
