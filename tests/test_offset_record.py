"""The 学法从轻审批表 (page and PDF): every code in words, citations with their item, the rule set's
文号, basis and authority, signature lines for the three steps, user text printed as written, and
the Chinese font embedded in the PDF."""

from __future__ import annotations

import pytest

from eduapp.domain.problems import InputError
from eduapp.extensions import db
from eduapp.services import offsets
from tests.pdfs import fonts, text
from tests.test_offsets import world  # noqa: F401 (the fixture)

MARKUP = '<b>整改</b> & <img src="x.png"/>'


NAMES = {"officer": "张承办", "reviewer": "李法审", "approver": "王负责"}


def _decided(world, approver_comment=MARKUP):  # noqa: F811
    for who, name in NAMES.items():
        world[who].full_name = name
    db.session.commit()
    application = offsets.apply(world["contact"], world["cases"][0])
    offsets.decide(world["officer"], application, "approve", "事实清楚")
    offsets.decide(world["reviewer"], application, "approve", "程序合法")
    return offsets.decide(world["approver"], application, "approve", approver_comment)


def test_the_record_pdf_prints_markup_in_a_comment_as_written_with_its_font_embedded(client, auth, world):  # noqa: F811
    application = _decided(world)
    auth.login("contact-a")
    response = client.get(f"/offsets/applications/{application.id}/record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    used = fonts(response.data)
    assert used and all(used.values()), used  # pdffonts: emb yes, every one
    written = text(response.data)
    assert MARKUP in written
    for words in ("学法从轻审批表", "依学法情况从轻处罚", "示范市生态环境局", "示环规〔2026〕3号",
                  "《中华人民共和国大气污染防治法》第九十九条第（一）项", "《中华人民共和国行政处罚法》第六条、第三十三条",
                  "从轻前拟罚款", "从轻幅度", "从轻后拟罚款", "30,000 分", "¥30,000.00", "¥170,000.00",
                  "承办人", "法制审核", "负责人", "签名", "同意", "通过", "事实清楚", "程序合法", "已批准", "申请日期",
                  *NAMES.values()):
        assert words in written, words
    for code in ("approve", "approved", "rule_in_force", "offset_amount", "pending_", "✓", "✗", "抵扣决定书"):
        assert code not in written, code


def test_the_record_page_shows_the_same_in_words_and_user_text_as_text(client, auth, world):  # noqa: F811
    application = _decided(world)
    auth.login("reviewer")
    page = client.get(f"/offsets/applications/{application.id}/record").get_data(as_text=True)
    assert "&lt;b&gt;整改&lt;/b&gt; &amp; &lt;img src=&#34;x.png&#34;/&gt;" in page and "<img src=\"x.png\"" not in page
    for words in ("学法从轻审批表", "第九十九条第（一）项", "示环规〔2026〕3号", "30,000 分", "通过",
                  "法制审核", "签名"):
        assert words in page, words
    body = page[page.index('<div class="record">'):]
    for code in (">approve<", ">approved<", "rule_in_force", "✓", "抵扣决定书"):
        assert code not in body, code


def test_a_rejected_application_has_its_form_with_the_steps_not_reached_left_blank(client, auth, world):  # noqa: F811
    application = offsets.apply(world["contact"], world["cases"][0])
    with pytest.raises(InputError):
        offsets.decide(world["officer"], application, "reject", " ")
    offsets.decide(world["officer"], application, "reject", "A & B <i>未整改</i>")
    auth.login("contact-a")
    response = client.get(f"/offsets/applications/{application.id}/record.pdf")
    assert response.status_code == 200
    written = text(response.data)
    assert "A & B <i>未整改</i>" in written and "不同意" in written and "已拒绝" in written


def test_without_the_font_the_error_names_the_package_to_install(monkeypatch, tmp_path):
    from eduapp.pdf_fonts import PACKAGE, PdfFontMissing, font_path

    monkeypatch.setenv("EDUAPP_PDF_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(PdfFontMissing, match=PACKAGE):
        font_path()
    assert PACKAGE == "fonts-wqy-microhei"
