"""The .loom format: canonical writer, migrations, clear errors, schema, fuzzing."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.api import (
    CURRENT_FORMAT_VERSION,
    FlowFileError,
    dumps_flow,
    load_flow,
    loads_flow,
    new_id,
    save_flow,
)
from runtime.cli.commands import flow_json_schema

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "format"
EXAMPLES = sorted((ROOT / "assets" / "examples").glob("*.loom"))


def test_every_old_version_has_a_fixture_that_migrates_to_the_expected_file() -> None:
    for version in range(1, CURRENT_FORMAT_VERSION):
        source = FIXTURES / f"v{version}.loom"
        expected = FIXTURES / f"v{version}.expected.loom"
        assert source.exists(), f"no fixture for format version {version}"
        flow = load_flow(source)
        assert flow.format_version == CURRENT_FORMAT_VERSION
        assert dumps_flow(flow) == expected.read_text(encoding="utf-8")


def test_migration_v2_moves_node_policies_into_settings() -> None:
    flow = load_flow(FIXTURES / "v2.loom")
    settings_ = flow.nodes["n_src00001"].settings
    assert (settings_.on_error, settings_.timeout_s, settings_.retries) == ("continue", 30, 2)


@pytest.mark.parametrize("path", EXAMPLES + sorted(FIXTURES.glob("*.expected.loom")),
                         ids=lambda p: p.name)
def test_load_then_save_is_byte_identical(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    out = tmp_path / "copy.loom"
    save_flow(loads_flow(text), out)
    assert out.read_text(encoding="utf-8") == text


def _shuffled_json(value, rng: random.Random):
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled_json(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled_json(v, rng) for v in value]
    return value


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), indent=st.sampled_from([None, 1, 4]))
def test_shuffled_input_saves_to_the_same_bytes(seed: int, indent: int | None) -> None:
    text = (FIXTURES / "v2.expected.loom").read_text(encoding="utf-8")
    data = _shuffled_json(json.loads(text), random.Random(seed))
    rng = random.Random(seed)
    rng.shuffle(data["edges"])
    assert dumps_flow(loads_flow(json.dumps(data, indent=indent))) == text


def test_moving_a_node_is_a_one_line_diff() -> None:
    text = (FIXTURES / "v1.expected.loom").read_text(encoding="utf-8")
    flow = loads_flow(text)
    flow.nodes["n_src00001"].layout.x = 777
    after = dumps_flow(flow)
    changed = [(a, b) for a, b in zip(text.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and '"x": 777' in changed[0][1]


def test_new_ids_are_stable_format() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 10 and i.startswith("n_") for i in ids)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format_version": 3,\n "name": "x",\n  "nodes": {]\n}', "line 3, column 13"),
        ('{"format_version": 99, "name": "x"}', "format version 99, but this Loomwork reads up to version 4"),
        ('{"name": "x"}', "missing or invalid 'format_version'"),
        ('[1, 2]', "JSON object at the top level"),
        ('{"format_version": 3, "nodes": {"n_a": {"type": "x.y"}}, "edges": ["n_a.out -> n_b.in"]}',
         "refers to node 'n_b'"),
        ('{"format_version": 3, "edges": ["garbage"]}', "is not of the form"),
        ('{"format_version": 3, "nodes": {"n_a": {"config": {}}}}', "nodes.n_a.type"),
        ('{"format_version": 3, "nodes": {"n_a": {"type": "x.y", "settings": {"retries": -1}}}}',
         "retries"),
        ('{"format_version": 1, "nodes": [{"type": "a.b"}]}', "could not upgrade from format version 1"),
    ],
)
def test_bad_files_give_one_clear_message(text: str, expected: str) -> None:
    with pytest.raises(FlowFileError) as info:
        loads_flow(text, "bad.loom")
    assert expected in str(info.value)
    assert str(info.value).startswith("bad.loom: ")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FlowFileError, match="no such file"):
        load_flow(tmp_path / "missing.loom")
    with pytest.raises(FlowFileError, match="is a folder"):
        load_flow(tmp_path)
    binary = tmp_path / "binary.loom"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(FlowFileError, match="not UTF-8"):
        load_flow(binary)


def test_unknown_node_type_still_loads_and_keeps_config_bytes() -> None:
    text = (FIXTURES / "v1.expected.loom").read_text(encoding="utf-8").replace(
        '"core.constant"', '"vendor.portal.magic"')
    assert dumps_flow(loads_flow(text)) == text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(
    st.sampled_from(["format_version", "name", "nodes", "edges", "inputs", "outputs", "notes",
                     "groups", "connections", "description", "extra"]),
    json_values | st.integers(-2, 5), max_size=8))
def test_fuzzed_documents_raise_only_flow_file_error(data: dict) -> None:
    try:
        loads_flow(json.dumps(data))
    except FlowFileError:
        pass


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_fuzzed_text_raises_only_flow_file_error(text: str) -> None:
    try:
        loads_flow(text)
    except FlowFileError:
        pass


def test_shipped_json_schema_is_current() -> None:
    shipped = json.loads((ROOT / "assets" / "schema" / "loom.schema.json").read_text(encoding="utf-8"))
    assert shipped == flow_json_schema()


def test_canonical_files_validate_against_the_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = flow_json_schema()
    for path in EXAMPLES + sorted(FIXTURES.glob("*.expected.loom")):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)
