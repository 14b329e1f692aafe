"""Server-side SVG charts: well-formed, accessible, scalable, escaped, without inline styles."""

import xml.etree.ElementTree as ET

from eduapp.domain import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 400 ") and root.get("width") is None  # scales to its box
    assert "style=" not in svg  # the Content Security Policy forbids inline styles
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def test_a_bar_chart_lists_its_values_for_screen_readers():
    svg = charts.bar_chart("c1", "通过率", "按单位", [charts.Bar("执法一大队", 100, "100.0%"),
                                                    charts.Bar("<乙&企业>", 50, "50.0%")], max_value=100)
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "通过率"
    assert root.find(f"{SVG}desc").text == "按单位 执法一大队: 100.0%; <乙&企业>: 50.0%"
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert widths == [400.0, 200.0]  # on the scale of max_value


def test_a_column_chart_with_a_line():
    svg = charts.column_chart("c2", "Exams", "", ["1", "2", "3"], charts.Series("Finished", [4, 0, 10]),
                              charts.Series("Passed", [2, 0, 9], charts.PALETTE[1]), sublabels=["2026", "", ""])
    root = _parse(svg)
    assert "1: Finished 4, Passed 2" in root.find(f"{SVG}desc").text
    columns = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(columns) == 2  # no column for a zero
    assert len(list(root.iter(f"{SVG}circle"))) == 3 + 1  # the line's points and its legend mark
    assert "2026" in [t.text for t in root.iter(f"{SVG}text")]


def test_empty_charts_say_so():
    root = _parse(charts.bar_chart("c3", "T", "", [], empty_text="Nothing in this period."))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Nothing in this period."]
    root = _parse(charts.column_chart("c4", "T", "", [], charts.Series("x", []), empty_text="—"))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["—"]


def test_axis_ticks_are_round_numbers():
    assert charts.nice_ceiling(0) == (4.0, 1.0)
    assert charts.nice_ceiling(7) == (8, 2)
    assert charts.nice_ceiling(52_153) == (60_000, 20_000)
    assert [charts.compact(v) for v in (950, 1200, 35_000, 1_500_000)] == ["950", "1.2k", "35k", "1.5M"]
