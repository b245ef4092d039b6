"""Pages to images, and page surgery: split, merge, rotate, extract (new PDFs written atomically)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.api import DocumentRef, ImageRef, NodeState


def _pages(path: str | Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def test_render_writes_one_png_per_page_at_the_chosen_dpi(run_node, files, tmp_path):
    from PIL import Image

    run = run_node("documents.pdf_render", {"path": str(files["four"]), "pages": "2-3", "dpi": 72})
    out = run.ok()
    images: list[ImageRef] = out["images"]
    assert [r["page"] for r in out["pages"]] == [2, 3]
    assert [Path(i.path).name for i in images] == ["four-page-002.png", "four-page-003.png"]
    for image in images:
        assert image.media_type == "image/png" and (image.width, image.height) == (612, 792)
        with Image.open(image.path) as png:
            assert png.format == "PNG" and png.size == (612, 792)
            assert png.convert("L").getextrema()[0] < 100  # the page's text is drawn
        runs = (tmp_path / "home").resolve()
        assert Path(image.path).is_relative_to(runs) and run.result.run_id in Path(image.path).parts
    assert run_node("documents.pdf_render", {"path": str(files["four"]), "pages": "1", "dpi": 144}).ok()[
        "images"][0].width == 1224


def test_render_is_cached_while_its_images_exist(run_node, make_runner, files):
    runner = make_runner()
    config = {"path": str(files["four"]), "pages": "1"}
    first = run_node("documents.pdf_render", config, runner=runner).ok()
    again = run_node("documents.pdf_render", config, runner=runner)
    assert again.cached and again.ok()["images"][0].path == first["images"][0].path
    Path(first["images"][0].path).unlink()  # e.g. the first run was pruned from history
    third = run_node("documents.pdf_render", config, runner=runner)
    assert not third.cached and Path(third.ok()["images"][0].path).exists()


def test_split_every_page_into_the_run_folder(run_node, files, pdf_text):
    out = run_node("documents.pdf_split", {"path": str(files["four"])}).ok()
    documents: list[DocumentRef] = out["documents"]
    assert [Path(d.path).name for d in documents] == [f"four-part{n}.pdf" for n in (1, 2, 3, 4)]
    assert [pdf_text(d.path)[0].strip() for d in documents] == [f"Page {n} alpha" for n in (1, 2, 3, 4)]
    assert [r["pages"] for r in out["parts"]] == ["1", "2", "3", "4"]


def test_split_by_ranges_into_a_folder_with_names(run_node, files, tmp_path, pdf_text):
    config = {"path": str(files["four"]), "mode": "ranges", "ranges": "1-2,3-",
              "output": str(tmp_path / "out"), "name": "{name}_{first}-{last}.pdf"}
    out = run_node("documents.pdf_split", config).ok()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["four_1-2.pdf", "four_3-4.pdf"]
    assert [r["page_count"] for r in out["parts"]] == [2, 2]
    assert pdf_text(tmp_path / "out" / "four_3-4.pdf")[1].strip() == "Page 4 alpha"
    grouped = dict(config, ranges="1,4; 2-3", name="g{part}.pdf")
    parts = run_node("documents.pdf_split", grouped).ok()["parts"]
    assert [r["pages"] for r in parts] == ["1,4", "2-3"]
    assert [t.strip() for t in pdf_text(tmp_path / "out" / "g1.pdf")] == ["Page 1 alpha", "Page 4 alpha"]


def test_split_refuses_to_overwrite_when_asked_not_to(run_node, files, tmp_path):
    (tmp_path / "four-part1.pdf").write_bytes(b"keep me")
    run = run_node("documents.pdf_split", {"path": str(files["four"]), "output": str(tmp_path),
                                           "overwrite": False})
    assert run.state is NodeState.FAILED and "already exists" in run.error
    assert (tmp_path / "four-part1.pdf").read_bytes() == b"keep me"


def test_merge_joins_files_in_order_with_bookmarks(run_node, files, tmp_path, pdf_text):
    target = tmp_path / "bundle" / "all.pdf"
    out = run_node("documents.pdf_merge", {"paths": [str(files["layout"]), str(files["four"])],
                                           "output": str(target)}).ok()
    assert out["document"].pages == 5 and Path(out["document"].path) == target.resolve()
    texts = pdf_text(target)
    assert "Invoice number" in texts[0] and texts[4].strip() == "Page 4 alpha"
    from pypdf import PdfReader

    assert [item.title for item in PdfReader(str(target)).outline] == ["layout", "four"]


def test_merge_takes_a_list_input_and_names_a_broken_file(run_node, files, tmp_path):
    refs = [DocumentRef(path=str(files["four"]), doc_kind="pdf"), str(files["layout"])]
    out = run_node("documents.pdf_merge", {"bookmarks": False}, {"files": refs}).ok()
    assert _pages(out["document"].path) == 5
    broken = run_node("documents.pdf_merge", {"paths": [str(files["four"]), str(files["garbage"])],
                                              "output": str(tmp_path / "m.pdf")})
    assert broken.state is NodeState.FAILED and "garbage.pdf" in broken.error and "damaged" in broken.error
    assert not (tmp_path / "m.pdf").exists()


def test_rotate_turns_only_the_chosen_pages(run_node, files, tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "turned.pdf"
    out = run_node("documents.pdf_rotate", {"path": str(files["four"]), "pages": "2,4", "angle": 270,
                                            "output": str(target)}).ok()
    assert out["document"].pages == 4
    assert [page.rotation for page in PdfReader(str(target)).pages] == [0, 270, 0, 270]


def test_rotate_can_replace_the_file_itself(run_node, files, tmp_path):
    from pypdf import PdfReader

    copy = tmp_path / "copy.pdf"
    copy.write_bytes(files["four"].read_bytes())
    run_node("documents.pdf_rotate", {"path": str(copy), "angle": 180, "output": str(copy)}).ok()
    assert [page.rotation for page in PdfReader(str(copy)).pages] == [180] * 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".copy.pdf")]  # no temporary left


def test_extract_pages_in_the_order_given(run_node, files, pdf_text):
    out = run_node("documents.pdf_extract", {"path": str(files["four"]), "pages": "3,1"}).ok()
    assert [t.strip() for t in pdf_text(out["document"].path)] == ["Page 3 alpha", "Page 1 alpha"]
    assert Path(out["document"].path).name == "four-pages.pdf"


def test_surgery_on_a_locked_pdf_needs_the_password_and_saves_without_one(run_node, make_runner, files,
                                                                          credentials, pdf_text):
    locked = run_node("documents.pdf_extract", {"path": str(files["locked"]), "pages": "2"})
    assert locked.state is NodeState.FAILED
    assert "locked.pdf" in locked.error and "password-protected" in locked.error
    runner = make_runner(credentials=credentials)
    out = run_node("documents.pdf_extract", {"path": str(files["locked"]), "pages": "2",
                                             "password_credential": "pdf_pw"}, runner=runner).ok()
    from pypdf import PdfReader

    assert not PdfReader(out["document"].path).is_encrypted
    assert pdf_text(out["document"].path)[0].strip() == "Page 2 alpha"
    wrong = run_node("documents.pdf_rotate",
                     {"path": str(files["locked"]), "password_credential": "wrong_pw"}, runner=runner)
    assert "'wrong_pw' is not this file's password" in wrong.error


@pytest.mark.parametrize("node", ["documents.pdf_extract", "documents.pdf_rotate", "documents.pdf_split"])
@pytest.mark.parametrize(("name", "message"), [("truncated", "damaged"), ("empty", "empty"),
                                               ("png", "PNG image")])
def test_surgery_on_broken_files_names_the_file(run_node, files, node, name, message):
    run = run_node(node, {"path": str(files[name]), "pages": "1"})
    assert run.state is NodeState.FAILED
    assert files[name].name in run.error and message in run.error, run.error


def test_save_as_must_be_a_pdf(run_node, files, tmp_path):
    run = run_node("documents.pdf_extract", {"path": str(files["four"]), "output": str(tmp_path / "x.txt")})
    assert run.state is NodeState.FAILED and "must name a .pdf file" in run.error
