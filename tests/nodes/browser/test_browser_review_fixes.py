"""Regressions from a code review: parallel subflow copies keep their own pages, paged records
with a page column, secrets stay out of failure evidence, local files are not fetched for a
web page."""

from __future__ import annotations

import json
from pathlib import Path

from runtime.api import CredentialStore, Flow, RunStatus, save_flow
from tests.nodes.browser.conftest import chain


def _subflow(path: Path) -> Path:
    """open(url) → wait 2 s for the slow element → read the heading; outputs the page too."""
    body = chain(("n_open0000", "browser.open", {}),
                 ("n_wait0000", "browser.wait_for", {"target": {"by": "css", "value": "#late"}}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}))
    data = json.loads(body.model_dump_json())
    data["inputs"] = {"url": {"type": "text"}}
    data["outputs"] = {"page": {"type": "any"}}
    data["nodes"]["n_in000000"] = {"type": "core.flow_input", "config": {"name": "url"}}
    data["nodes"]["n_out00000"] = {"type": "core.flow_output", "config": {"name": "page"}}
    data["edges"] += ["n_in000000.value -> n_open0000.url", "n_read0000.page -> n_out00000.value"]
    save_flow(Flow.model_validate(data), path)
    return path


def test_two_copies_of_a_subflow_keep_their_own_browser_pages(make_runner, site, tmp_path) -> None:
    _subflow(tmp_path / "body.loom")
    def text(value: str) -> dict:
        return {"type": "core.constant", "config": {"kind": "text", "value": value}}

    nodes = {"n_a0000000": text(site.url("/slow?a")), "n_b0000000": text(site.url("/slow?b")),
             "n_suba0000": {"type": "control.subflow", "config": {"flow": "body.loom"}},
             "n_subb0000": {"type": "control.subflow", "config": {"flow": "body.loom"}}}
    flow = Flow.model_validate({"name": "two", "nodes": nodes, "edges": [
        "n_a0000000.value -> n_suba0000.url", "n_b0000000.value -> n_subb0000.url"]})
    result = make_runner().run_sync(flow, flow_path=tmp_path / "main.loom", keep_outputs=True)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_suba0000"]["page"].url.endswith("/slow?a")
    assert result.node_outputs["n_subb0000"]["page"].url.endswith("/slow?b")


def test_paged_records_with_a_page_column_read_every_page_once(make_runner, tmp_path) -> None:
    page = tmp_path / "list.html"
    page.write_text("""<ul id="l"></ul><button onclick="next()">Next</button><script>
const pages = [["a1", "a2"], ["b1", "b2"], ["c1", "c2"]]; let n = 0;
function show() { const l = document.getElementById('l'); l.innerHTML = '';
  pages[n].forEach((t, i) => setTimeout(() => { const li = document.createElement('li');
  li.textContent = t; l.appendChild(li); }, i * 120));
  document.querySelector('button').hidden = n === pages.length - 1; }
function next() { n++; show(); } show();</script>""")
    flow = chain(("n_open0000", "browser.open", {"url": str(page)}),
                 ("n_wait0000", "browser.wait_for", {"until": "text", "text": "a2"}),
                 ("n_page0000", "browser.paginate", {"read": "records", "add_page_column": True,
                                                     "target": {"by": "css", "value": "li"}}))
    result = make_runner().run_sync(flow, flow_path=tmp_path / "f.loom", keep_outputs=True)
    assert result.status is RunStatus.COMPLETED, result.error
    rows = result.node_outputs["n_page0000"]["table"].rows
    assert [(r["text"], r["page"]) for r in rows] == [("a1", 1), ("a2", 1), ("b1", 2), ("b2", 2),
                                                      ("c1", 3), ("c2", 3)]


def test_a_typed_secret_never_reaches_the_failure_evidence(make_runner, keyring_backend, tmp_path) -> None:
    credentials = CredentialStore(tmp_path / "credentials.json", backend=keyring_backend)
    credentials.set("pin_code", "8642-secret")
    page = tmp_path / "pin.html"
    mirror = "this.setAttribute('value', this.value)"  # like a controlled input of a web framework
    page.write_text(f"<label for='p'>PIN</label><input id='p' oninput=\"{mirror}\">")
    flow = chain(("n_open0000", "browser.open", {"url": str(page)}),
                 ("n_fill0000", "browser.fill", {"target": {"by": "label", "value": "PIN"},
                                                 "credential": "pin_code"}),
                 ("n_clik0000", "browser.click", {"target": {"by": "text", "value": "absent"},
                                                  "timeout_s": 0.5}))
    try:
        runner = make_runner(credentials=credentials)
        result = runner.run_sync(flow, flow_path=tmp_path / "f.loom")
    finally:
        credentials.delete("pin_code")
    assert result.status is RunStatus.FAILED
    failed = next(e for e in runner.history.events(result.run_id) if e["kind"] == "node_failed")
    html = Path(failed["evidence"]["html"]).read_text()
    assert "8642-secret" not in html and "PIN" in html
    assert "screenshot" not in failed["evidence"]  # the page showed the secret: no picture of it


def test_a_web_page_cannot_make_download_copy_local_files(make_runner, site, tmp_path) -> None:
    secret = tmp_path / "private.txt"
    secret.write_text("not for the web")
    links = [{"link": secret.as_uri()}]
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/records")}),
                 ("n_down0000", "browser.download", {}))
    data = json.loads(flow.model_dump_json())
    data["nodes"]["n_tabl0000"] = {"type": "core.constant", "config": {"kind": "table", "value": links}}
    data["edges"].append("n_tabl0000.value -> n_down0000.links")
    result = make_runner().run_sync(Flow.model_validate(data), flow_path=tmp_path / "f.loom")
    assert result.status is RunStatus.FAILED
    assert "points at a file on this computer" in result.nodes["n_down0000"].error
