"""QR codes drawn on this server as SVG (no third-party service sees what they hold): the two-factor
enrolment secret and a certificate's verification address."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def qr_svg(text: str) -> bytes:
    """``text`` as a QR code in SVG, drawn here (no third-party service sees the secret)."""
    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).save(out)
    return out.getvalue()
