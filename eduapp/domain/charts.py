"""Charts as SVG text, drawn on the server: no JavaScript, no chart library, nothing to download.

Each chart has a ``viewBox`` and no fixed size, so it scales to the width of a phone; its
``<title>`` and ``<desc>`` (named by ``aria-labelledby``) say what it shows and list every value,
for screen readers. Colours and fonts are presentation attributes, not ``style``: the Content
Security Policy allows no inline styles. The caller gives every text already translated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 400
FONT = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"
PALETTE = ("#0b6e4f", "#c05621", "#1d4ed8", "#b91c1c", "#6d28d9", "#0e7490", "#4d7c0f", "#a16207")
INK, MUTED, GRID = "#212529", "#555b61", "#dee2e6"


def _x(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def compact(value: float) -> str:
    """An axis label: 950, 1.2k, 35k, 1.5M."""
    if abs(value) >= 1_000_000:
        return _n(value / 1_000_000) + "M"
    if abs(value) >= 10_000:
        return _n(round(value / 1000)) + "k"
    if abs(value) >= 1000:
        return _n(round(value / 100) / 10) + "k"
    return _n(value)


def nice_ceiling(value: float, ticks: int = 4) -> tuple[float, float]:
    """(top of the axis, step between gridlines): steps of 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0 * ticks, 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1.0
    return step * math.ceil(value / step), step


def _open(chart_id: str, title: str, desc: str, height: int, font_size: int = 12) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{_x(chart_id)}-title {_x(chart_id)}-desc" font-family="{_x(FONT)}" '
        f'font-size="{font_size}">',
        f'<title id="{_x(chart_id)}-title">{_x(title)}</title>',
        f'<desc id="{_x(chart_id)}-desc">{_x(desc)}</desc>',
    ]


def _empty(parts: list[str], text: str, height: int) -> str:
    parts.append(f'<text x="{WIDTH / 2}" y="{height / 2 + 4}" text-anchor="middle" fill="{MUTED}">{_x(text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str | None = None  # the value as shown next to the bar (the number by default)

    @property
    def shown(self) -> str:
        return self.text if self.text is not None else _n(self.value)


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar], *, empty_text: str = "",
              max_value: float | None = None, color: str = PALETTE[0]) -> str:
    """Horizontal bars across the whole width, each with its label above it on the left and its value
    on the right (long Chinese names fit a phone's width). ``max_value`` fixes the scale (100 for
    percentages)."""
    row, top = 42, 4
    height = max(top + row * len(bars) + 4, 60)
    listing = "; ".join(f"{b.label}: {b.shown}" for b in bars)
    parts = _open(chart_id, title, f"{desc} {listing}".strip(), height, font_size=14)
    if not bars:
        return _empty(parts, empty_text, height)
    scale_max = max_value or max((b.value for b in bars), default=0) or 1
    for i, bar in enumerate(bars):
        y = top + i * row
        width = max(WIDTH * min(bar.value, scale_max) / scale_max, 0)
        parts.append(f'<text x="0" y="{y + 14}" fill="{INK}">{_x(bar.label)}</text>')
        parts.append(f'<text x="{WIDTH}" y="{y + 14}" text-anchor="end" fill="{INK}" '
                     f'font-weight="600">{_x(bar.shown)}</text>')
        parts.append(f'<rect x="0" y="{y + 20}" width="{WIDTH}" height="14" rx="2" fill="#f1f3f5"/>')
        if width > 0:
            parts.append(f'<rect x="0" y="{y + 20}" width="{_n(max(width, 1.5))}" height="14" rx="2" '
                         f'fill="{_x(color)}"><title>{_x(bar.label)}: {_x(bar.shown)}</title></rect>')
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    color: str = PALETTE[0]


def column_chart(chart_id: str, title: str, desc: str, labels: list[str], columns: Series,
                 line: Series | None = None, *, sublabels: list[str] | None = None, empty_text: str = "") -> str:
    """Columns per month (or year), with an optional line of a second series on the same scale;
    ``sublabels`` is a second line under the labels (the year under January)."""
    height = 240
    left, right, top, bottom = 40, 8, 30, 40
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = list(columns.values) + (list(line.values) if line else [])
    series = [columns] + ([line] if line else [])
    listing = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_n(s.values[i])}" for s in series)
        for i, label in enumerate(labels)
    )
    parts = _open(chart_id, title, f"{desc} {listing}".strip(), height, font_size=13)
    if not labels:
        return _empty(parts, empty_text, height)

    # legend
    x = 0.0
    for s in series:
        if s is line:
            parts.append(f'<line x1="{_n(x)}" y1="10" x2="{_n(x + 14)}" y2="10" stroke="{_x(s.color)}" '
                         f'stroke-width="2"/><circle cx="{_n(x + 7)}" cy="10" r="3" fill="{_x(s.color)}"/>')
        else:
            parts.append(f'<rect x="{_n(x)}" y="4" width="14" height="12" fill="{_x(s.color)}"/>')
        parts.append(f'<text x="{_n(x + 18)}" y="14" fill="{INK}">{_x(s.name)}</text>')
        x += 18 + 14 * len(s.name) + 16  # wide enough for Chinese names; Latin ones get more room

    axis_max, step = nice_ceiling(max(values, default=0))
    tick = 0.0
    while tick <= axis_max + 1e-9:
        y = top + plot_h - plot_h * tick / axis_max
        parts.append(f'<line x1="{left}" y1="{_n(y)}" x2="{WIDTH - right}" y2="{_n(y)}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{_n(y + 4)}" text-anchor="end" fill="{MUTED}" '
                     f'font-size="11">{_x(compact(tick))}</text>')
        tick += step

    count = len(labels)
    slot = plot_w / count
    bar_w = slot * 0.62
    show_values = count <= 12
    label_size = 12 if count <= 12 else 10
    for i, label in enumerate(labels):
        centre = left + slot * i + slot / 2
        value = columns.values[i]
        h = plot_h * value / axis_max
        if h > 0:
            parts.append(f'<rect x="{_n(centre - bar_w / 2)}" y="{_n(top + plot_h - h)}" width="{_n(bar_w)}" '
                         f'height="{_n(h)}" fill="{_x(columns.color)}"><title>{_x(label)}: {_x(columns.name)} '
                         f'{_x(_n(value))}</title></rect>')
            if show_values:
                parts.append(f'<text x="{_n(centre)}" y="{_n(top + plot_h - h - 3)}" text-anchor="middle" '
                             f'font-size="11" fill="{INK}">{_x(compact(value))}</text>')
        if count <= 12 or i % 2 == 0:
            parts.append(f'<text x="{_n(centre)}" y="{top + plot_h + 14}" text-anchor="middle" '
                         f'font-size="{label_size}" fill="{INK}">{_x(label)}</text>')
        if sublabels and sublabels[i]:
            parts.append(f'<text x="{_n(centre)}" y="{top + plot_h + 28}" text-anchor="middle" font-size="11" '
                         f'fill="{MUTED}">{_x(sublabels[i])}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}" stroke="{MUTED}"/>')

    if line:
        points = [(left + slot * i + slot / 2, top + plot_h - plot_h * v / axis_max) for i, v in enumerate(line.values)]
        parts.append(f'<polyline fill="none" stroke="{_x(line.color)}" stroke-width="2" '
                     f'points="{" ".join(f"{_n(px)},{_n(py)}" for px, py in points)}"/>')
        for (px, py), label, v in zip(points, labels, line.values, strict=True):
            parts.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="3" fill="{_x(line.color)}">'
                         f'<title>{_x(label)}: {_x(line.name)} {_x(_n(v))}</title></circle>')
    parts.append("</svg>")
    return "\n".join(parts)
