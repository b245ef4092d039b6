"""Page surgery with pypdf (BSD-3-Clause): opening, decrypting and saving PDFs for the nodes that
split, merge, rotate and extract pages.

pypdf is pure Python, copies pages without re-rendering them (text stays text, quality is
unchanged), and keeps bookmarks, links and form fields where it can. Writes are atomic: the new
file is written next to the target and renamed over it, so a failed or cancelled run never
leaves half a file. pypdf itself is imported inside the functions, when a node runs.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, Stopped
from nodes.documents._common import artifact_path, check_source, document_ref
from nodes.files._common import prepare_target, replace_file
from runtime.api import DocumentRef, NodeContext, NodeError

__all__ = ["OutputConfig", "open_reader", "output_path", "pdf_errors", "save_writer"]

T = TypeVar("T")


class OutputConfig(BaseModel):
    """Where a page-surgery node saves its result (fields shared by those nodes)."""

    output: str = Field(default="", title="Save as",
                        description="The new PDF (relative to the flow's folder). Empty: keep it in this "
                                    "run's work folder, to pass on to other nodes.",
                        json_schema_extra={"widget": "file-save"})
    overwrite: bool = Field(default=True, title="Replace an existing file",
                            description="When off, an existing file with that name is an error")
    create_folders: bool = Field(default=True, title="Create missing folders")
    password_credential: str = Field(
        default="", title="Password credential",
        description="For password-protected files: the name of a saved credential holding the password. "
                    "The new file is saved without a password.",
        json_schema_extra={"widget": "credential"})


@contextmanager
def pdf_errors(path: Path, action: str = "read") -> Iterator[None]:
    """Turn pypdf's exceptions about a broken file into a `NodeError` naming the file."""
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PyPdfError

    try:
        yield
    except (NodeError, Stopped, OSError, MemoryError):
        raise
    except FileNotDecryptedError:
        raise NodeError(f"cannot {action} {path}: the file is password-protected; save its password as a "
                        "credential and enter the credential's name in 'Password credential'") from None
    except DependencyError as exc:
        raise NodeError(f"cannot {action} {path}: {exc}") from None
    except (PdfReadError, PyPdfError) as exc:
        raise NodeError(f"cannot {action} {path}: the file is damaged or is not a valid PDF "
                        f"({exc})") from None
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise NodeError(f"cannot {action} {path}: the file is damaged ({detail})") from None


def open_reader(path: Path, password: str | None, credential: str) -> Any:
    """A pypdf reader for the file, decrypted when it has a password (errors name the file)."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # repairs of small defects are not news to users

    check_source(path, {"pdf"}, "a PDF file")
    with pdf_errors(path):
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and reader.decrypt("") == 0:  # owner-only protection needs no password
            if not password:
                raise NodeError(f"cannot open {path}: the file is password-protected; save its password as "
                                "a credential and enter the credential's name in 'Password credential'")
            if reader.decrypt(password) == 0:
                raise NodeError(f"cannot open {path}: the password saved in the credential '{credential}' "
                                "is not this file's password")
        len(reader.pages)  # reads the page tree now, so that a broken one is reported here
    return reader


def output_path(ctx: NodeContext, config: OutputConfig, default_name: str) -> Path:
    """The configured target (checked and with its folder made), or a new file in the run's folder."""
    if not config.output.strip():
        return artifact_path(ctx.artifacts, default_name)
    target = ctx.resolve_path(config.output.strip())
    if target.suffix.lower() != ".pdf":
        raise NodeError(f"'Save as' must name a .pdf file, not {target.name}")
    prepare_target(target, create_folders=config.create_folders, overwrite=config.overwrite)
    return target


def save_writer(writer: Any, target: Path, stop: Stop) -> DocumentRef:
    """Write the PDF atomically (unless cancelled) and return a reference to it."""
    buffer = io.BytesIO()
    with pdf_errors(target, "write"):
        writer.write(buffer)
    pages = len(writer.pages)
    replace_file(target, buffer.getvalue(), stop)
    return document_ref(target, "pdf", pages)


def guarded(path: Path, work: Callable[[], T]) -> T:
    """`work()` with pypdf's errors reported against `path`."""
    with pdf_errors(path):
        return work()
