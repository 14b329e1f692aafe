"""Importing the bank: idempotent, all or nothing, versions, the CLI contract."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eduapp.domain.formats import registry
from eduapp.extensions import db
from eduapp.models import AuditRecord, Question, QuestionVersion
from eduapp.services.question_bank import all_for_export
from eduapp.services.question_import import import_files

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "question_bank"
MOODLE = ROOT.parent / "shared" / "fixtures" / "moodle"

ONE = """law: 中华人民共和国行政处罚法
category: 行政法律/行政处罚法
questions:
  - id: apl-9001
    type: single
    stem: 行政处罚的设定和实施，应当以什么为依据？
    options: [事实, 上级指示]
    answer: A
    article: 第五条
    difficulty: 2
"""


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_the_bank_imports_cleanly_and_twice_changes_nothing(runner, ctx):
    first = runner.invoke(args=["questions", "import", str(BANK)])
    assert first.exit_code == 0, first.output
    counts = _last_json(first.output)
    assert counts["added"] >= 300 and counts["rejected"] == 0 and counts["written"] is True
    assert "ignored FORMAT.md" in first.output
    before = (_count(Question), _count(QuestionVersion), _count(AuditRecord))
    second = runner.invoke(args=["questions", "import", str(BANK)])
    assert second.exit_code == 0
    assert _last_json(second.output) == {
        "added": 0,
        "updated": 0,
        "unchanged": counts["added"],
        "skipped": 0,
        "rejected": 0,
        "written": False,
    }
    assert (_count(Question), _count(QuestionVersion), _count(AuditRecord)) == before


def test_bank_size_and_spread(runner, ctx):
    runner.invoke(args=["questions", "import", str(BANK)])
    published = _count(Question)
    assert published >= 300
    laws = db.session.execute(select(func.count(func.distinct(QuestionVersion.law)))).scalar_one()
    assert laws >= 10
    types = set(db.session.execute(select(QuestionVersion.qtype).distinct()).scalars())
    assert types == {"single", "multiple", "true_false", "fill_blank"}
    difficulties = set(db.session.execute(select(QuestionVersion.difficulty).distinct()).scalars())
    assert difficulties == {1, 2, 3, 4, 5}


def test_changed_question_gets_a_new_version_and_old_stays(ctx, tmp_path):
    import_files([("a.yaml", ONE.encode())])
    question = db.session.execute(select(Question).where(Question.uid == "apl-9001")).scalar_one()
    first_version = question.current
    old_stem = first_version.stem
    report = import_files([("a.yaml", ONE.replace("以什么为依据", "以什么作为依据").encode())])
    assert [i.uid for i in report.updated] == ["apl-9001"]
    db.session.expire_all()
    question = db.session.execute(select(Question).where(Question.uid == "apl-9001")).scalar_one()
    assert [v.number for v in question.versions] == [1, 2]
    assert question.current.number == 2 and "作为依据" in question.current.stem
    assert db.session.get(QuestionVersion, first_version.id).stem == old_stem  # the old version never changes


def test_invalid_question_writes_nothing_unless_skip_invalid(runner, ctx, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        ONE + "  - id: apl-9002\n    type: single\n    stem: 无正确选项\n    options: [甲, 乙]\n    answer: ''\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["questions", "import", str(bad)])
    assert result.exit_code == 1
    assert "rejected bad.yaml:11" in result.output
    assert _count(Question) == 0
    result = runner.invoke(args=["questions", "import", str(bad), "--skip-invalid"])
    assert result.exit_code == 0
    assert _last_json(result.output)["added"] == 1 and _count(Question) == 1


def test_dry_run_reports_and_writes_nothing(runner, ctx, tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(ONE, encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "would add apl-9001" in result.output and "dry run" in result.output
    assert _count(Question) == 0


def test_duplicate_ids_are_rejected(runner, ctx, tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(ONE + ONE.split("questions:\n")[1], encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 1 and "apl-9001" in result.output and "dup.yaml:4" in result.output
    assert _count(Question) == 0


def test_file_over_the_size_limit(app, runner, ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "QUESTION_IMPORT_MAX_MB", 0)
    path = tmp_path / "one.yaml"
    path.write_text(ONE, encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 1 and "MB" in result.output
    assert _count(Question) == 0


def _snapshot() -> dict:
    return {
        q.uid: (q.current.fingerprint, q.status, q.category.path if q.category else None)
        for q in db.session.execute(select(Question)).unique().scalars()
    }


def _empty_the_bank():
    db.session.execute(Question.__table__.update().values(current_version_id=None))
    for model in ("version_tags", "question_versions", "questions"):
        db.session.execute(db.text(f"DELETE FROM {model}"))  # noqa: S608
    db.session.commit()


@pytest.mark.parametrize("fmt", ["yaml", "gift", "moodle-xml", "csv", "xlsx"])
def test_export_then_import_into_an_empty_bank(fmt, runner, ctx, tmp_path):
    """Every question the format can express comes back the same: content, id, status, category."""
    assert runner.invoke(args=["questions", "import", str(BANK)]).exit_code == 0
    before = _snapshot()
    left_out = {q.external_id for q in registry.module(fmt).unsupported(all_for_export())}
    exported = tmp_path / ("out" if fmt == "yaml" else f"bank{registry.FILE_SUFFIX[fmt]}")
    result = runner.invoke(args=["questions", "export", "--format", fmt, str(exported)])
    assert result.exit_code == 0, result.output
    _empty_the_bank()
    result = runner.invoke(args=["questions", "import", str(exported)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _snapshot() == {uid: v for uid, v in before.items() if uid not in left_out}
    assert len(left_out) < len(before) / 10


def test_aiken_export_then_import_keeps_every_single_choice_question(runner, ctx, tmp_path):
    """Aiken holds a stem, options and one right answer: those come back for every single-choice question."""
    assert runner.invoke(args=["questions", "import", str(BANK)]).exit_code == 0

    def choices():
        return sorted(
            (q.stem, q.options, q.answer) for q in all_for_export() if q.qtype == "single"
        )

    before = choices()
    exported = tmp_path / "bank.aiken.txt"
    result = runner.invoke(args=["questions", "export", "--format", "aiken", str(exported)])
    assert result.exit_code == 0, result.output
    assert "not expressible in aiken" in result.output
    _empty_the_bank()
    result = runner.invoke(args=["questions", "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert choices() == before and len(before) > 50


def test_moodle_gift_fixtures_import_as_moodle_reads_them(runner, ctx):
    result = runner.invoke(args=["questions", "import", str(MOODLE / "questions.gift.txt")])
    assert result.exit_code == 0, result.output
    counts = _last_json(result.output)
    # essay, matching and numerical are skipped with their reason; the two identical TSL questions are one
    assert counts == {"added": 5, "updated": 0, "unchanged": 1, "skipped": 3, "rejected": 0, "written": True}
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped ")]
    assert [line.split(": ", 1)[0] for line in skipped] == [
        "skipped questions.gift.txt:2 Q8",
        "skipped questions.gift.txt:5 Moodle activities",
        "skipped questions.gift.txt:31 Q5",
    ]
    assert ["“essay”" in skipped[0], "“match”" in skipped[1], "“numerical”" in skipped[2]] == [True] * 3
    stems = {v.stem: v for v in db.session.execute(select(QuestionVersion)).scalars()}
    assert stems["Which is the best animal?"].answer == [["Frog"]]
    assert stems["What's between orange and green in the spectrum?"].qtype in ("single", "multiple")

    result = runner.invoke(args=["questions", "import", str(MOODLE / "questions_in_category.gift.txt")])
    assert result.exit_code == 0, result.output
    assert _last_json(result.output)["added"] == 3
    paths = {q.category.path for q in db.session.execute(select(Question)).unique().scalars() if q.category}
    assert "Default for New Features" in paths


def test_moodle_aiken_fixtures(runner, ctx):
    good = runner.invoke(args=["questions", "import", str(MOODLE / "questions.aiken.txt")])
    assert good.exit_code == 0, good.output
    assert _last_json(good.output)["added"] == 2

    before = _count(Question)
    bad = runner.invoke(args=["questions", "import", str(MOODLE / "aiken_errors.txt")])
    assert bad.exit_code == 1
    assert _last_json(bad.output) == {
        "added": 2, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 4, "written": False
    }
    for line in (3, 5, 7, 18):
        assert f"rejected aiken_errors.txt:{line}:" in bad.output
    assert _count(Question) == before

    partial = runner.invoke(args=["questions", "import", "--skip-invalid", str(MOODLE / "aiken_errors.txt")])
    assert partial.exit_code == 0
    assert _count(Question) == before + 2


# --- Word documents, and files without ids matched by content (docs/imports.md) -------------------------

WORD_BANK = (
    "生态环境法律知识题库",
    "一、单选题",
    "1．行政机关实施代履行，应当在代履行几日前催告当事人履行？",
    "A．一日 B．三日 C．五日 D．七日",
    "答案：B",
    "解析：代履行三日前应当催告当事人履行。",
    "出处：《中华人民共和国行政强制法》第五十一条",
    "二、判断题",
    "1. 当事人履行的，停止代履行。（ ）",
    "答案：√",
)


def _word_editor():
    from eduapp.domain.roles import Role
    from tests import factories

    factories.user("editor1", factories.unit("生态环境局"), Role.QUESTION_EDITOR)


def _preview(client, name: str, data: bytes):
    import io

    from tests.conftest import csrf_token

    return client.post(
        "/questions/import",
        data={"csrf_token": csrf_token(client, "/questions/import"), "fmt": "auto", "category": "",
              "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_word_upload_previews_then_imports_and_again_changes_nothing(client, auth, ctx):
    from tests.domain.test_docx_format import docx_bytes

    _word_editor()
    auth.login("editor1")
    data = docx_bytes(*WORD_BANK)
    preview = _preview(client, "题库.docx", data)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text
    assert "行政机关实施代履行" in text and "新增 2 道" in text
    assert _count(Question) == 0  # only a preview so far
    action = text.split('action="/questions/import/')[1].split('"')[0]
    done = auth.post(f"/questions/import/{action}", {}, form_page="/questions/")
    assert done.status_code == 200
    stored = {v.stem: v for v in db.session.execute(select(QuestionVersion)).scalars()}
    assert stored["行政机关实施代履行，应当在代履行几日前催告当事人履行？"].answer == [1]
    assert stored["行政机关实施代履行，应当在代履行几日前催告当事人履行？"].article == "第五十一条"
    assert stored["当事人履行的，停止代履行。"].qtype == "true_false"

    again = _preview(client, "题库（第二次）.docx", data).get_data(as_text=True)
    assert "新增 0 道" in again and "2 道无变化" in again


def test_word_problems_name_the_paragraph_in_chinese(client, auth, ctx):
    from tests.domain.test_docx_format import docx_bytes

    _word_editor()
    auth.login("editor1")
    data = docx_bytes("一、单选题", "1. 题干", "A. 甲", "B. 乙", "答案：AB", "2. 没有答案的题", "A. 甲", "B. 乙")
    text = _preview(client, "坏题库.docx", data).get_data(as_text=True)
    assert "第 5 段：单选题只能有一个答案，不能是 AB。" in text
    assert "第 6 段：试题“没有答案的题”没有答案（答案：…）。" in text
    assert 'action="/questions/import/' not in text and _count(Question) == 0


def test_word_dry_run_and_import_by_cli_and_api(runner, client, ctx, tmp_path):
    from eduapp.domain.roles import Role
    from tests import factories
    from tests.domain.test_docx_format import docx_bytes
    from tests.test_api_bureau import _upload, bearer

    path = tmp_path / "题库.docx"
    path.write_bytes(docx_bytes(*WORD_BANK))
    dry = runner.invoke(args=["questions", "import", "--dry-run", str(path)])
    assert dry.exit_code == 0, dry.output
    assert _last_json(dry.output) == {"added": 2, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 0,
                                      "written": False}
    assert (_count(Question), _count(QuestionVersion), _count(AuditRecord)) == (0, 0, 0)

    editor = factories.user("editor", factories.unit("示范市生态环境局"), Role.QUESTION_EDITOR)
    api = client.post("/api/v1/questions/import", headers=bearer(editor),
                      data=_upload("题库.docx", docx_bytes(*WORD_BANK, "2. 题", "答案：是的吧"), dry_run=True))
    assert api.status_code == 200, api.json
    assert api.json["counts"]["added"] == 2 and api.json["written"] is False
    [rejected] = api.json["rejected"]
    assert rejected["line"] == 12 and rejected["reason"].startswith("第 12 段：")
    assert _count(Question) == 0

    real = client.post("/api/v1/questions/import", headers=bearer(editor), data=_upload("题库.docx", path.read_bytes()))
    assert real.status_code == 200 and real.json["written"] is True and real.json["counts"]["added"] == 2
    assert _count(Question) == 2


AIKEN = "行政处罚的设定和实施，应当以什么为依据？\nA) 事实\nB) 上级指示\nANSWER: A\n\n" \
        "代履行的费用原则上由谁承担？\nA) 当事人\nB) 行政机关\nC) 第三人\nANSWER: A\n"


def test_aiken_twice_adds_no_duplicates_even_typed_differently_or_edited_since(runner, ctx, tmp_path):
    first = tmp_path / "a.aiken.txt"
    first.write_text(AIKEN, encoding="utf-8")
    assert _last_json(runner.invoke(args=["questions", "import", str(first)]).output)["added"] == 2
    # the bank's copy gains an explanation in the editor: the file is still the same question
    version = db.session.execute(select(QuestionVersion).where(QuestionVersion.stem.like("代履行%"))).scalar_one()
    version.explanation = "第五十一条：代履行的费用按照成本合理确定，由当事人承担。"
    db.session.commit()
    before = (_count(Question), _count(QuestionVersion))
    # typed again: full-width punctuation, other spacing, options in another order
    second = tmp_path / "b.aiken.txt"
    second.write_text("行政处罚的设定和实施,应当以什么为依据?\nA) 上级指示\nB) 事实\nANSWER: B\n\n"
                      "代履行的费用原则上由谁承担？ \nA) 当事人\nB) 行政机关\nC) 第三人\nANSWER: A\n", encoding="utf-8")
    for path in (first, second):
        result = runner.invoke(args=["questions", "import", str(path)])
        assert result.exit_code == 0, result.output
        assert _last_json(result.output) == {"added": 0, "updated": 0, "unchanged": 2, "skipped": 0, "rejected": 0,
                                             "written": False}
    assert (_count(Question), _count(QuestionVersion)) == before
    # another answer is another question
    third = tmp_path / "c.aiken.txt"
    third.write_text(AIKEN.replace("C) 第三人\nANSWER: A", "C) 第三人\nANSWER: C"), encoding="utf-8")
    assert _last_json(runner.invoke(args=["questions", "import", str(third)]).output)["added"] == 1


def test_word_adds_an_explanation_to_the_question_an_aiken_file_brought(runner, ctx, tmp_path):
    from tests.domain.test_docx_format import docx_bytes

    aiken = tmp_path / "a.aiken.txt"
    aiken.write_text("行政机关实施代履行，应当在代履行几日前催告当事人履行？\nA) 一日\nB) 三日\nC) 五日\nD) 七日\n"
                     "ANSWER: B\n", encoding="utf-8")
    assert _last_json(runner.invoke(args=["questions", "import", str(aiken)]).output)["added"] == 1
    word = tmp_path / "b.docx"
    word.write_bytes(docx_bytes(*WORD_BANK[:7]))
    result = runner.invoke(args=["questions", "import", str(word)])
    assert _last_json(result.output)["updated"] == 1, result.output
    question = db.session.execute(select(Question)).unique().scalar_one()
    assert (question.current.number, question.current.article) == (2, "第五十一条")
    assert question.current.explanation == "代履行三日前应当催告当事人履行。"
    assert _last_json(runner.invoke(args=["questions", "import", str(word)]).output)["unchanged"] == 1


def test_word_export_then_import_into_an_empty_bank_keeps_every_question(runner, ctx, tmp_path):
    """Word holds everything but ids, categories and statuses: the content of every question comes back,
    and importing the export into the full bank changes nothing (matched by content)."""
    from eduapp.domain.questions import content_of

    assert runner.invoke(args=["questions", "import", str(BANK)]).exit_code == 0

    def contents():
        return sorted(json.dumps(content_of(q), ensure_ascii=False, sort_keys=True) for q in all_for_export())

    before = contents()
    exported = tmp_path / "bank.docx"
    result = runner.invoke(args=["questions", "export", "--format", "docx", str(exported)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["questions", "import", str(exported)])
    assert _last_json(again.output)["unchanged"] == len(before) and _count(Question) == len(before), again.output
    _empty_the_bank()
    result = runner.invoke(args=["questions", "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert contents() == before and len(before) > 300


def test_the_editor_exports_word(client, auth, ctx):
    from eduapp.domain.formats import docx_format

    _word_editor()
    auth.login("editor1")
    import_files([("one.yaml", ONE.encode())])
    assert "format=docx" in client.get("/questions/").get_data(as_text=True)
    response = client.get("/questions/export?format=docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    [question] = docx_format.parse(response.data).questions
    assert (question.stem, question.article) == ("行政处罚的设定和实施，应当以什么为依据？", "第五条")
