"""core.text_template: sandboxed Jinja templates with strict names."""

from __future__ import annotations

import pytest

from runtime.api import CompileError, NodeState, Table


def test_record_keys_are_variables_and_data_is_the_whole_value(run_node):
    out = run_node("core.text_template", {"template": "Dear {{ name }}, you owe {{ data.amount }} EUR."},
                   {"data": {"name": "Ms Lee", "amount": 12.5}}).ok()
    assert out == {"text": "Dear Ms Lee, you owe 12.5 EUR."}


def test_loops_over_the_rows_of_a_table(run_node):
    table = Table.from_records([{"item": "paper", "qty": 2}, {"item": "ink", "qty": 1}])
    template = "{% for row in data %}{{ row.item }}={{ row.qty }}\n{% endfor %}{{ data | length }} lines"
    out = run_node("core.text_template", {"template": template}, {"data": table}).ok()
    assert out["text"] == "paper=2\nink=1\n2 lines"


def test_without_data_the_template_is_plain_text(run_node):
    assert run_node("core.text_template", {"template": "no placeholders"}).ok() == {"text": "no placeholders"}


def test_syntax_error_is_a_config_problem_with_its_line(run_node):
    with pytest.raises(CompileError) as info:
        run_node("core.text_template", {"template": "line one\n{% for x in %}\n{% endfor %}"})
    problem = info.value.problems[0]
    assert problem.field == "template"
    assert "line 2" in problem.message


def test_unknown_name_fails_with_line_and_the_names_available(run_node):
    run = run_node("core.text_template", {"template": "Hello\n{{ nmae }}"}, {"data": {"name": "x"}})
    assert run.state is NodeState.FAILED
    assert "line 2" in run.error
    assert "'nmae' is undefined" in run.error
    assert "name" in run.error


@pytest.mark.parametrize("template", ["{{ data.__class__.__mro__ }}", "{{ data.append(3) }}"])
def test_the_sandbox_refuses_internals_and_changes(run_node, template):
    run = run_node("core.text_template", {"template": template}, {"data": [1, 2]})
    assert run.state is NodeState.FAILED
    assert "not allowed" in run.error
