import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eduapp.cli.laws import laws_group
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, Law, LawArticle, Question, QuestionVersion
from eduapp.services import laws
from tests import factories

AIR = """\
# 中华人民共和国大气污染防治法

1987年9月5日 第六届全国人民代表大会常务委员会第二十二次会议通过

2018年10月26日 第十三届全国人民代表大会常务委员会第六次会议第二次修正

<!-- INFO END -->

## 第一章 总则

第一条 为保护和改善环境，防治大气污染，保障公众健康，制定本法。

第二条 防治大气污染，应当以改善大气环境质量为目标。

防治大气污染，应当加强对燃煤、工业、机动车船等的综合防治。

## 第七章 法律责任

### 第一节 一般规定

第九十九条 违反本法规定，有下列行为之一的，由县级以上人民政府生态环境主管部门责令改正或者限制生产、停产整治，并处十万元以上一百万元以下的罚款：

（一）未依法取得排污许可证排放大气污染物的；

（二）超过大气污染物排放标准排放大气污染物的。

第一百条 本法自2016年1月1日起施行。
"""

NOISE = """\
# 中华人民共和国噪声污染防治法

2021年12月24日 第十三届全国人民代表大会常务委员会第三十二次会议通过

<!-- INFO END -->

## 第一章　总　　则

第一条 为了防治噪声污染，保障公众健康，制定本法。

第二条 本法所称噪声，是指干扰周围生活环境的声音。
"""


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _counts():
    return {
        model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Law, LawArticle, AuditRecord)
    }


def test_import_twice_changes_nothing_the_second_time(ctx, tmp_path):
    folder = _write(tmp_path / "laws", {"air-pollution-law.md": AIR, "noise-pollution-law.md": NOISE})
    first = laws.import_dir(folder)
    assert first.added == ["air-pollution-law", "noise-pollution-law"] and first.updated == []
    assert _counts() == {"Law": 2, "LawArticle": 6, "AuditRecord": 1}
    ids = db.session.execute(select(LawArticle.id).order_by(LawArticle.id)).scalars().all()
    imported_at = db.session.execute(select(Law.imported_at).order_by(Law.id)).scalars().all()

    second = laws.import_dir(folder)
    assert second.unchanged == ["air-pollution-law", "noise-pollution-law"] and not second.changed
    assert _counts() == {"Law": 2, "LawArticle": 6, "AuditRecord": 1}
    assert db.session.execute(select(LawArticle.id).order_by(LawArticle.id)).scalars().all() == ids
    assert db.session.execute(select(Law.imported_at).order_by(Law.id)).scalars().all() == imported_at

    law = laws.law_by_slug("air-pollution-law")
    assert law.title == "中华人民共和国大气污染防治法" and law.history.count("\n") == 1
    art = laws.article_for("中华人民共和国大气污染防治法", "第九十九条")
    assert (art.number, art.position, art.chapter, art.section) == (99, 3, "第七章 法律责任", "第一节 一般规定")
    assert art.text.split("\n\n")[1] == "（一）未依法取得排污许可证排放大气污染物的；"
    assert laws.article_for("中华人民共和国大气污染防治法", "第九十八条") is None
    assert laws.article_anchor(art.label) == "a99"


def test_a_changed_file_replaces_the_articles(ctx, tmp_path):
    folder = _write(tmp_path / "laws", {"air-pollution-law.md": AIR, "noise-pollution-law.md": NOISE})
    laws.import_dir(folder)
    changed = AIR.replace(
        "第一百条 本法自2016年1月1日起施行。", "第一百条 本法自2016年1月1日起施行。\n\n第一百零一条 新增。"
    )
    _write(folder, {"air-pollution-law.md": changed})
    summary = laws.import_dir(folder)
    assert summary.updated == ["air-pollution-law"] and summary.unchanged == ["noise-pollution-law"]
    labels = [a.label for a in laws.law_by_slug("air-pollution-law").articles]
    assert labels == ["第一条", "第二条", "第九十九条", "第一百条", "第一百零一条"]
    assert _counts() == {"Law": 2, "LawArticle": 7, "AuditRecord": 2}
    record = db.session.execute(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(1)).scalar_one()
    assert record.action == "laws.import" and "air-pollution-law" in record.summary and record.actor == "system"


def test_a_bad_file_imports_nothing_and_names_file_and_line(ctx, tmp_path):
    bad = NOISE.replace("第二条 本法所称", "第一条 本法所称")
    folder = _write(tmp_path / "laws", {"air-pollution-law.md": AIR, "noise-pollution-law.md": bad})
    with pytest.raises(InputError) as caught:
        laws.import_dir(folder)
    [problem] = caught.value.problems
    assert problem.field == "noise-pollution-law.md" and problem.row == 11
    assert _counts() == {"Law": 0, "LawArticle": 0, "AuditRecord": 0}


def test_titles_must_be_unique(ctx, tmp_path):
    folder = _write(tmp_path / "laws", {"air-pollution-law.md": AIR, "air-copy.md": AIR})
    with pytest.raises(InputError) as caught:
        laws.import_dir(folder)
    assert [p.field for p in caught.value.problems] == ["air-pollution-law.md"]
    assert _counts()["Law"] == 0


def test_cli_import(runner, ctx, tmp_path):
    folder = _write(tmp_path / "laws", {"air-pollution-law.md": AIR, "noise-pollution-law.md": NOISE})
    result = runner.invoke(laws_group, ["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "added 中华人民共和国大气污染防治法 (4 articles)",
        "added 中华人民共和国噪声污染防治法 (2 articles)",
        "laws: added 2, updated 0, unchanged 0, amended 0",
    ]
    assert json.loads(result.output.splitlines()[-1]) == {
        "added": 2, "updated": 0, "unchanged": 0, "amended": 0, "articles_unchanged": 0, "articles_renumbered": 0,
        "articles_changed": 0, "articles_added": 0, "articles_removed": 0, "questions_flagged": 0,
        "citations_moved": 0}
    again = runner.invoke(laws_group, ["import", str(folder)])
    assert json.loads(again.output.splitlines()[-1])["unchanged"] == 2

    _write(folder, {"broken.md": "没有标题\n"})
    failed = runner.invoke(laws_group, ["import", str(folder)])
    assert failed.exit_code == 1
    assert "broken.md line 1:" in failed.stderr and "broken.md" not in failed.stdout
    assert _counts()["Law"] == 2


# --- pages ---------------------------------------------------------------------------------------------


@pytest.fixture
def library(ctx, tmp_path):
    """Two statutes and a signed-in enterprise employee (anyone signed in may read the library)."""
    laws.import_dir(_write(tmp_path / "laws", {"air-pollution-law.md": AIR, "noise-pollution-law.md": NOISE}))
    factories.user("reader", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)


def test_list_page(client, auth, library):
    auth.login("reader")
    response = client.get("/laws/")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "中华人民共和国大气污染防治法" in text and "中华人民共和国噪声污染防治法" in text
    assert "2018-10-26" in text and 'name="q"' in text
    assert "/laws/air-pollution-law" in text


def test_law_page_has_contents_and_anchors(client, auth, library):
    auth.login("reader")
    text = client.get("/laws/air-pollution-law").get_data(as_text=True)
    assert 'id="a99"' in text and 'id="a1"' in text
    assert 'href="#c1"' in text and 'href="#c2-s1"' in text and 'id="c2-s1"' in text
    assert text.index("第一章 总则") < text.index("第九十九条") < text.index("第一百条")
    assert '<p class="mb-1">（一）未依法取得排污许可证排放大气污染物的；</p>' in text
    assert "<strong>" in text and "第一次" not in text


def test_article_page_links_neighbours_and_lists_citing_questions(client, auth, library):
    article = laws.article_for("中华人民共和国大气污染防治法", "第九十九条")
    _question("air-0001", "超标排放大气污染物的，处罚是？", "中华人民共和国大气污染防治法", "第九十九条")
    _question("air-0002", "草稿题不应出现", "中华人民共和国大气污染防治法", "第九十九条", status="draft")
    _question("air-0003", "引用别的条文", "中华人民共和国大气污染防治法", "第一条")
    assert [v.stem for v in laws.questions_citing(article)] == ["超标排放大气污染物的，处罚是？"]
    auth.login("reader")
    response = client.get("/laws/air-pollution-law/第九十九条")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "十万元以上一百万元以下的罚款" in text
    assert "超标排放大气污染物的，处罚是？" in text
    assert "草稿题不应出现" not in text and "引用别的条文" not in text
    assert "第二条" in text and "第一百条" in text  # previous and next
    assert "#a99" in text


def test_search_finds_a_chinese_phrase(client, auth, library):
    auth.login("reader")
    text = client.get("/laws/search?q=排污许可证").get_data(as_text=True)
    assert "<mark>排污许可证</mark>" in text and "第九十九条" in text and "噪声" not in text.split("<main")[1]
    both = client.get("/laws/search?q=公众健康").get_data(as_text=True)
    assert "中华人民共和国大气污染防治法" in both and "中华人民共和国噪声污染防治法" in both
    by_title = client.get("/laws/search?q=噪声污染防治法 声音").get_data(as_text=True)
    assert "干扰周围生活环境的<mark>声音</mark>" in by_title or "<mark>声音</mark>" in by_title
    wildcard = client.get("/laws/search?q=%25").get_data(as_text=True)
    assert "<mark>" not in wildcard  # % is a character to find, not a LIKE wildcard
    assert client.get("/laws/search").status_code == 200


def test_unknown_law_or_article_is_404(client, auth, library):
    auth.login("reader")
    assert client.get("/laws/no-such-law").status_code == 404
    assert client.get("/laws/air-pollution-law/第九十八条").status_code == 404
    assert client.get("/laws/air-pollution-law/not-a-label").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, library):
    for path in ("/laws/", "/laws/search?q=大气", "/laws/air-pollution-law", "/laws/air-pollution-law/第一条"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def _question(uid: str, stem: str, law: str, article: str, status: str = "published") -> Question:
    question = Question(uid=uid, status=status)
    db.session.add(question)
    db.session.flush()
    version = QuestionVersion(
        question_id=question.id,
        number=1,
        qtype="single",
        stem=stem,
        options=["甲", "乙"],
        answer=[0],
        explanation="",
        law=law,
        article=article,
        difficulty=3,
        tags=[],
        fingerprint="0" * 64,
        search_text=stem,
    )
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    db.session.commit()
    return question


def test_law_pages_count_study_time_for_learners_only(client, auth, library):
    auth.login("reader")
    for path in ("/laws/air-pollution-law", "/laws/air-pollution-law/第九十九条"):
        text = client.get(path).get_data(as_text=True)
        assert "js/study.js" in text and 'id="study-clock"' in text
    auth.logout()
    factories.user("officer-x", factories.unit("执法支队"), Role.CASE_OFFICER)
    auth.login("officer-x")
    assert "js/study.js" not in client.get("/laws/air-pollution-law").get_data(as_text=True)
