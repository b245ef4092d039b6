"""Browser steps against a real Chromium and a portal served on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from runtime.api import CredentialStore, NodeState, RunStatus, Table
from tests.nodes.browser.conftest import chain
from tests.nodes.browser.site import INVOICES, PASSWORD, USER


@pytest.fixture
def runner(make_runner, keyring_backend, tmp_path: Path):
    credentials = CredentialStore(tmp_path / "credentials.json", backend=keyring_backend)
    credentials.set("portal_login", PASSWORD)
    yield make_runner(credentials=credentials)
    credentials.delete("portal_login")


def button(name: str) -> dict:
    return {"by": "role", "value": "button", "name": name}


def css(selector: str) -> dict:
    return {"target": {"by": "css", "value": selector}}


def run(runner, flow, tmp_path: Path, **kwargs):
    return runner.run_sync(flow, flow_path=tmp_path / "flow.loom", keep_outputs=True, **kwargs)


def login_steps(site) -> list[tuple[str, str, dict]]:
    return [
        ("n_open0000", "browser.open", {"url": site.url("/login")}),
        ("n_user0000", "browser.fill", {"target": {"by": "label", "value": "User name"}, "text": USER}),
        ("n_pass0000", "browser.fill", {"target": {"by": "label", "value": "Password"},
                                        "credential": "portal_login"}),
        ("n_sign0000", "browser.click", {"target": button("Sign in"),
                                         "wait_for_navigation": True}),
    ]


def test_login_with_a_keyring_credential_and_collect_three_pages(runner, site, tmp_path) -> None:
    flow = chain(*login_steps(site),
                 ("n_pages000", "browser.paginate", {"target": {"by": "css", "value": "#invoices"},
                                                     "links": True, "add_page_column": True}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    table: Table = result.node_outputs["n_pages000"]["table"]
    assert result.node_outputs["n_pages000"]["pages"] == 3
    assert [r["Invoice"] for r in table.rows] == [i[0] for i in INVOICES]
    assert table.column_names == ["Invoice", "Supplier", "Amount", "File", "link", "page"]
    assert table.rows[-1]["link"].endswith("/files/INV-1011.csv") and table.rows[-1]["page"] == 3
    history = json.dumps(runner.history.events(result.run_id)) + json.dumps(
        runner.history.get_run(result.run_id), default=str)
    assert PASSWORD not in history  # the secret is typed, never recorded
    stored = runner.history.db.conn.execute("select group_concat(data) from events").fetchone()[0]
    assert PASSWORD not in stored


def test_a_wrong_password_is_reported_where_the_page_says_so(runner, site, tmp_path) -> None:
    steps = login_steps(site)
    password = {"by": "label", "value": "Password"}
    steps[2] = ("n_pass0000", "browser.fill", {"target": password, "text": "nope"})
    flow = chain(*steps, ("n_head0000", "browser.wait_for", {"until": "text", "text": "Invoices",
                                                              "timeout_s": 1}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.FAILED
    assert "waited 1 s for the text 'Invoices'" in result.nodes["n_head0000"].error
    assert "/login" in result.nodes["n_head0000"].error


def test_download_keeps_the_servers_file_name_in_the_run_folder(runner, site, tmp_path) -> None:
    flow = chain(*login_steps(site),
                 ("n_down0000", "browser.download", {"target": {"by": "role", "value": "link",
                                                                "name": "Download", "nth": 2}}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    file = result.node_outputs["n_down0000"]["file"]
    assert file.name == "INV-1001.csv"
    assert Path(file.path).read_text() == "invoice,amount\nINV-1001,100.00\n"
    assert Path(file.path).parent == runner.paths.runs / result.run_id / "n_down0000"


def test_upload_sends_the_file(runner, site, tmp_path) -> None:
    (tmp_path / "invoice.pdf").write_bytes(b"%PDF-1.4 " + b"x" * 991)
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/upload")}),
                 ("n_file0000", "browser.upload", {"target": {"by": "label", "value": "Invoice file"},
                                                   "path": "invoice.pdf"}),
                 ("n_send0000", "browser.click", {"target": button("Send")}),
                 ("n_wait0000", "browser.wait_for", {"until": "text", "text": "Received"}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "css", "value": "#result"}}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_read0000"]["text"] == "Received invoice.pdf: 1000 bytes"


def test_popup_window_and_new_tab(runner, site, tmp_path) -> None:
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/popup")}),
                 ("n_swit0000", "browser.switch_page", {"target": {"by": "role", "value": "button",
                                                                   "name": "Details window"}}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}),
                 ("n_back0000", "browser.switch_page", {"to": "tab_number", "tab_number": 1}),
                 ("n_tab00000", "browser.switch_page", {"target": {"by": "role", "value": "link",
                                                                   "name": "Open details"}}),
                 ("n_text0000", "browser.extract_text", {"target": {"by": "text", "value": "Net 30"}}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_read0000"]["text"] == "Invoice details"
    assert result.node_outputs["n_read0000"]["page"].page == 1
    assert result.node_outputs["n_tab00000"]["page"].page == 2
    assert result.node_outputs["n_text0000"]["text"] == "Net 30 days"


def test_a_slow_element_is_waited_for(runner, site, tmp_path) -> None:
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/slow")}),
                 ("n_wait0000", "browser.wait_for", {"target": {"by": "css", "value": "#late"}}),
                 ("n_clik0000", "browser.click", {"target": {"by": "role", "value": "button",
                                                             "name": "Open report"}, "timeout_s": 5}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "css", "value": "#late"}}))
    started = time.monotonic()
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_read0000"]["text"] == "Report ready"
    assert result.nodes["n_wait0000"].duration_ms >= 1500 and time.monotonic() - started < 30


def test_dialogs_are_answered(runner, site, tmp_path) -> None:
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/dialog")}),
                 ("n_dlg00000", "browser.dialog", {"target": button("Delete")}),
                 ("n_read0000", "browser.extract_text", css("#r")),
                 ("n_note0000", "browser.dialog", {"target": button("Add note"),
                                                   "prompt_text": "paid late"}),
                 ("n_read0001", "browser.extract_text", css("#r")),
                 ("n_dism0000", "browser.dialog", {"target": button("Delete"),
                                                   "answer": "dismiss"}),
                 ("n_read0002", "browser.extract_text", css("#r")))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    outputs = result.node_outputs
    assert outputs["n_dlg00000"]["message"] == "Delete invoice INV-1?"
    assert outputs["n_read0000"]["text"] == "Deleted"
    assert outputs["n_read0001"]["text"] == "Note: paid late"
    assert outputs["n_read0002"]["text"] == "Kept"


def test_inside_an_iframe(runner, site, tmp_path) -> None:
    inside = {"frame": "#booking"}
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/frame")}),
                 ("n_fill0000", "browser.fill", {"target": {"by": "label", "value": "Reference", **inside},
                                                 "text": "PO-77"}),
                 ("n_save0000", "browser.click", {"target": {"by": "role", "value": "button", "name": "Save",
                                                             **inside}}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "css", "value": "#out", **inside}}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_read0000"]["text"] == "Saved PO-77"


def test_records_become_a_table(runner, site, tmp_path) -> None:
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/records")}),
                 ("n_recs0000", "browser.extract_records", {
                     "target": {"by": "css", "value": ".card"}, "infer_types": True,
                     "fields": [{"name": "part", "selector": ".name"},
                                {"name": "price", "selector": ".price"},
                                {"name": "link", "selector": "a.more", "attribute": "href"}]}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.COMPLETED, result.error
    table = result.node_outputs["n_recs0000"]["table"]
    assert len(table) == 5 and table.rows[1]["part"] == "Part 2" and table.rows[1]["price"] == 5.0
    assert table.rows[4]["link"] == site.url("/part/5")


def test_a_failure_attaches_screenshot_html_and_address(runner, site, tmp_path) -> None:
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/dialog")}),
                 ("n_clik0000", "browser.click", {"target": button("Next"),
                                                  "timeout_s": 1}),
                 ("n_more0000", "browser.click", {"target": button("Delete")}))
    result = run(runner, flow, tmp_path)
    assert result.status is RunStatus.FAILED
    error = result.nodes["n_clik0000"].error
    assert error == f"button 'Next' not found after 1 s on {site.url('/dialog')}"
    assert result.nodes["n_more0000"].state is NodeState.SKIPPED
    failed = next(e for e in runner.history.events(result.run_id) if e["kind"] == "node_failed")
    evidence = failed["evidence"]
    assert evidence["url"] == site.url("/dialog")
    assert Path(evidence["screenshot"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Delete invoice" in Path(evidence["html"]).read_text()


def test_an_ambiguous_element_says_how_many_matched(runner, site, tmp_path) -> None:
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/dialog")}),
                 ("n_clik0000", "browser.click", {"target": {"by": "role", "value": "button"},
                                                  "timeout_s": 2}))
    result = run(runner, flow, tmp_path)
    assert "a button matches 2 elements" in result.nodes["n_clik0000"].error
