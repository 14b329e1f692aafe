"""Statute levels in the law library: stored on import (from INDEX.tsv's level column, else from the
title), shown on the pages and filtered by on the pages and in the API; the local regulations of
../shared/laws-local and their questions."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eduapp.domain.law_library import ADMINISTRATIVE, LAW, MUNICIPAL, PROVINCIAL
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Law, Question, QuestionVersion
from eduapp.services import laws
from eduapp.services.question_import import import_files
from tests import factories
from tests.test_api_journey import _bearer, _error_fields, _sign_in
from tests.test_laws import AIR, _write
from tests.test_no_english import english_sentences, visible_text

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = ROOT.parent / "shared" / "laws-local"
REPEALED = "杭州市污染物排放许可管理条例"  # repealed: the bureau's annual report 2024

pytestmark = pytest.mark.skipif(not LOCAL_DIR.is_dir(), reason="the local regulations (../shared/laws-local) are absent")

PERMITS = """\
# 排污许可管理条例

2021年1月24日 中华人民共和国国务院令第736号公布

<!-- INFO END -->

第一条 为了加强排污许可管理，规范企业事业单位和其他生产经营者排污行为，制定本条例。
"""
NATIONAL_INDEX = "file\ttitle\tversion\tarticles\nair-pollution-law.md\t中华人民共和国大气污染防治法\t2018-10-26 修正\t4\n"


@pytest.fixture
def library(ctx, tmp_path):
    """A national folder (an INDEX.tsv without levels), the local regulations, and a reader."""
    national = _write(tmp_path / "laws", {"air-pollution-law.md": AIR, "pollutant-permit-regulation.md": PERMITS,
                                          "INDEX.tsv": NATIONAL_INDEX})
    laws.import_dir(national)
    laws.import_dir(LOCAL_DIR)
    factories.user("reader", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)


def _levels() -> dict[str, str]:
    return {title: level for title, level in db.session.execute(select(Law.title, Law.level))}


def test_levels_come_from_the_index_or_the_title(library):
    levels = _levels()
    assert levels["中华人民共和国大气污染防治法"] == LAW and levels["排污许可管理条例"] == ADMINISTRATIVE
    assert levels["浙江省大气污染防治条例"] == PROVINCIAL
    # a 规定, which the title alone would call "other": INDEX.tsv says it is a municipal regulation
    assert levels["杭州市大气污染防治规定"] == MUNICIPAL
    assert sorted(level for title, level in levels.items() if title[:3] in ("浙江省", "杭州市")) == (
        [MUNICIPAL] * 6 + [PROVINCIAL] * 5)


def test_a_changed_level_in_the_index_updates_the_statute(ctx, tmp_path):
    folder = Path(shutil.copytree(LOCAL_DIR, tmp_path / "local"))
    assert len(laws.import_dir(folder).added) == 11
    assert laws.import_dir(folder).changed is False  # the same levels: nothing to write
    index = folder / "INDEX.tsv"
    index.write_text(index.read_text(encoding="utf-8").replace("2016-08-04\t设区的市地方性法规", "2016-08-04\t其他"),
                     encoding="utf-8")
    assert laws.import_dir(folder).updated == ["hangzhou-air-pollution-provisions"]
    assert _levels()["杭州市大气污染防治规定"] == "other"


def test_an_unknown_level_imports_nothing(ctx, tmp_path):
    folder = Path(shutil.copytree(LOCAL_DIR, tmp_path / "local"))
    index = folder / "INDEX.tsv"
    index.write_text(index.read_text(encoding="utf-8").replace("省级地方性法规\t71", "省级法规\t71"), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        laws.import_dir(folder)
    [problem] = raised.value.problems
    assert (problem.field, problem.row, problem.params["level"]) == ("INDEX.tsv", 2, "省级法规")
    assert db.session.execute(select(func.count(Law.id))).scalar_one() == 0


def test_a_single_file_takes_its_level_from_the_folder_index(ctx):
    laws.import_file(LOCAL_DIR / "hangzhou-air-pollution-provisions.md")
    assert _levels() == {"杭州市大气污染防治规定": MUNICIPAL}


def test_the_library_page_shows_and_filters_by_level(client, auth, library):
    auth.login("reader")
    everything = client.get("/laws/").get_data(as_text=True)
    # by level: laws, administrative regulations, provincial, then municipal regulations
    assert (everything.index("中华人民共和国大气污染防治法") < everything.index("排污许可管理条例")
            < everything.index("浙江省大气污染防治条例") < everything.index("杭州市大气污染防治规定"))
    assert "设区的市地方性法规" in everything and "省级地方性法规" in everything and "行政法规" in everything
    assert "/laws/?level=municipal_regulation" in everything  # a chip per level
    municipal = client.get("/laws/?level=municipal_regulation").get_data(as_text=True)
    assert "杭州市生态文明建设促进条例" in municipal and "杭州市大气污染防治规定" in municipal
    assert "浙江省大气污染防治条例" not in municipal and "中华人民共和国大气污染防治法" not in municipal
    unknown = client.get("/laws/?level=部门规章")
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 200 and "没有“部门规章”这一层级" in text and "浙江省大气污染防治条例" in text
    law_page = client.get("/laws/zhejiang-air-pollution-regulation").get_data(as_text=True)
    assert "省级地方性法规" in law_page
    for page in (everything, municipal, text, law_page):
        assert english_sentences(visible_text(page)) == []


def test_the_search_filters_by_level(client, auth, library):
    auth.login("reader")
    everywhere = client.get("/laws/search", query_string={"q": "大气污染"}).get_data(as_text=True)
    assert "浙江省大气污染防治条例" in everywhere and "杭州市大气污染防治规定" in everywhere
    local = client.get("/laws/search", query_string={"q": "大气污染", "level": "provincial_regulation"})
    text = local.get_data(as_text=True)
    assert "浙江省大气污染防治条例" in text and "杭州市大气污染防治规定" not in text
    assert "中华人民共和国大气污染防治法" not in text
    assert '<option value="provincial_regulation" selected' in text


def test_the_api_lists_and_searches_by_level(client, library):
    bearer = _bearer(_sign_in(client, "reader"))
    listing = client.get("/api/v1/laws", headers=bearer).get_json()
    assert [s["level"] for s in listing[:2]] == [LAW, ADMINISTRATIVE] and len(listing) == 13
    provincial = client.get("/api/v1/laws", query_string={"level": PROVINCIAL}, headers=bearer).get_json()
    assert {(s["level"], s["level_label"]) for s in provincial} == {(PROVINCIAL, "省级地方性法规")}
    assert [s["title"] for s in provincial] == sorted(s["title"] for s in provincial) and len(provincial) == 5
    assert "level" in _error_fields(client.get("/api/v1/laws", query_string={"level": "国家法律"}, headers=bearer))
    found = client.get("/api/v1/laws/search", query_string={"q": "机动车", "level": MUNICIPAL},
                       headers=bearer).get_json()
    assert found["total"] > 0 and {hit["law"]["title"][:3] for hit in found["items"]} == {"杭州市"}
    assert "level" in _error_fields(client.get("/api/v1/laws/search", query_string={"q": "x", "level": "?"},
                                               headers=bearer))


def test_the_local_questions_load_and_cite_existing_articles(ctx):
    laws.import_dir(LOCAL_DIR)
    local_titles = set(db.session.execute(select(Law.title).where(Law.level.in_([PROVINCIAL, MUNICIPAL]))).scalars())
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "question_bank").glob("*.yaml"))
             if p.name.startswith(("zhejiang-", "hangzhou-"))]
    report = import_files(files)
    assert report.written and not report.rejected, report.problems
    versions = db.session.execute(
        select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.status == "published")
    ).scalars().all()
    assert len(versions) >= 60
    assert {v.law for v in versions} == local_titles - {REPEALED}  # none for the repealed regulation
    assert all(sum(v.law == title for v in versions) >= 4 for title in local_titles - {REPEALED})
    assert [(v.law, v.article) for v in versions if laws.article_for(v.law, v.article) is None] == []
    assert {v.qtype for v in versions} == {"single", "multiple", "true_false", "fill_blank"}
