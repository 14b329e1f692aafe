"""Reading the PDFs the product makes (pypdf): which fonts they use, whether each is embedded, and
their text as a reader's copy-and-paste would give it."""

from __future__ import annotations

import io

from pypdf import PdfReader


def _embedded(font) -> bool:
    font = font.get_object()
    descriptors = [font.get("/FontDescriptor")]
    descriptors += [d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
    return any(d is not None and any(k in d.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
               for d in descriptors)


def fonts(data: bytes) -> dict[str, bool]:
    """Every font of every page (its base name) -> embedded or not (what `pdffonts` calls "emb")."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources")
        for font in (resources.get_object().get("/Font") or {}).values() if resources else ():
            found[str(font.get_object().get("/BaseFont"))] = _embedded(font)
    return found


def text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
