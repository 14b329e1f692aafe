"""The Chinese font of every PDF the product makes, EMBEDDED in the file (a subset of the glyphs used).

reportlab's built-in CID fonts (STSong-Light) are not embedded: the reader's viewer substitutes a font
of its own, or shows nothing. So the PDFs use a TrueType font from Debian's ``fonts-wqy-microhei``
(文泉驿微米黑, Apache-2.0 / GPLv3 with font exception), installed by ``make install`` and ``.ci/run`` and
by the Dockerfile; ``EDUAPP_PDF_FONT`` may name another TrueType (.ttf/.ttc with TrueType outlines).
reportlab's ``TTFont`` embeds only the glyphs a document uses.
"""

from __future__ import annotations

import os
import threading

PACKAGE = "fonts-wqy-microhei"
FONT_NAME = "EduappCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
_lock = threading.Lock()


class PdfFontMissing(RuntimeError):
    """No Chinese TrueType font to embed: the message names the package that provides it."""


def font_path() -> str:
    configured = os.environ.get("EDUAPP_PDF_FONT", "").strip()
    for path in (configured,) if configured else CANDIDATES:
        if os.path.isfile(path):
            return path
    where = configured or ", ".join(CANDIDATES)
    raise PdfFontMissing(
        f"The Chinese font for PDFs is missing ({where}): install Debian's {PACKAGE} "
        f"(`apt-get install {PACKAGE}`, which `make install` does as root) or set EDUAPP_PDF_FONT to a TrueType font.")


def cjk_font() -> str:
    """The registered name of the embedded Chinese font (registered once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            path = font_path()
            font = TTFont(FONT_NAME, path, subfontIndex=0) if path.endswith(".ttc") else TTFont(FONT_NAME, path)
            pdfmetrics.registerFont(font)
    return FONT_NAME

