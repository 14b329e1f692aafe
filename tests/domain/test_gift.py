import json

import pytest

from eduapp.domain.formats import gift
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData
from tests.domain.samples import MOODLE_FIXTURES, SAMPLES


def _parse(text: str, **kwargs):
    return gift.parse(text.encode("utf-8"), **kwargs)


# --- Moodle's own fixtures ----------------------------------------------------------------------------


def test_fixture_questions_as_moodle_reads_them():
    result = gift.parse((MOODLE_FIXTURES / "questions.gift.txt").read_bytes())
    assert result.problems == []
    assert [(s.line, s.name, s.source_type) for s in result.skipped] == [
        (2, "Q8", "essay"),
        (5, "Moodle activities", "match"),
        (31, "Q5", "numerical"),
    ]
    q2, colours, shortanswer, q1, tsl, tsl_again = result.questions
    assert (q2.qtype, q2.name, q2.options, q2.answer, q2.line) == (
        SINGLE, "Q2", ("yellow", "red", "blue"), (0,), 14
    )  # feedback after "#" and the [plain] format prefix are not part of the option
    assert (colours.qtype, colours.options, colours.answer) == (
        MULTIPLE, ("yellow", "red", "off-beige", "blue"), (0, 2)
    )  # no "=" answer: the positive weights are the right ones
    assert (shortanswer.qtype, shortanswer.stem, shortanswer.answer) == (
        FILL_BLANK, "Which is the best animal?", (("Frog",),)
    )  # only the 100% answer is accepted
    # Text after the answer part: Moodle puts a blank where the answer part stood
    assert (q1.qtype, q1.answer, q1.stem) == (TRUE_FALSE, False, '42 is the Absolute Answer to everything._____";')
    assert q1.explanation == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert (tsl.answer, tsl_again.answer, tsl.name) == (True, True, "2-08 TSL")


def test_fixture_in_category_unescapes_and_keeps_html():
    result = gift.parse((MOODLE_FIXTURES / "questions_in_category.gift.txt").read_bytes(), category="导入")
    assert result.problems == [] and [s.source_type for s in result.skipped] == ["match"]
    greeting, user, acronym = result.questions
    assert greeting.stem == (
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
        "<br /><br />What language is being spoken?"
    )
    assert greeting.answer == (1,) and greeting.options[1] == "French"
    assert (user.qtype, user.answer) == (FILL_BLANK, (("Moodler",),))
    assert acronym.answer is True and "<span style=" in acronym.stem
    assert {q.category for q in result.questions} == {"Default for New Features"}


# --- reading --------------------------------------------------------------------------------------------


def test_ids_tags_and_our_metadata_come_from_the_comment():
    result = _parse(
        "// question: 12  name: 排污\n"
        "// [id:air-0009] [tag:排污许可] [tag:eduapp-law:中华人民共和国大气污染防治法] [tag:eduapp-article:第十九条]\n"
        "// [tag:eduapp-difficulty:4] [tag:eduapp-status:retired] [tag:a\\]b]\n"
        "::排污::应当取得排污许可证。{T}\n"
    )
    [q] = result.questions
    assert (q.external_id, q.tags, q.law, q.article, q.difficulty, q.status, q.line) == (
        "air-0009", ("排污许可", "a]b"), "中华人民共和国大气污染防治法", "第十九条", 4, "retired", 4
    )


def test_missing_word_choice_and_category_and_escapes():
    result = _parse(
        "$CATEGORY: $course$/top/生态环境法律/大气\n\n"
        "排污单位应当在{~五日 =十五日 ~三十日}内申请。\n\n"
        "比例 3\\:1 与 \\{a\\} \\~ \\= \\# 和 \\\\ 反斜杠{TRUE}\n\n"
        "第一行\\n第二行{F}\n",
        category="未用",
    )
    assert result.problems == []
    blank, escaped, newline = result.questions
    assert (blank.stem, blank.answer, blank.category) == ("排污单位应当在_____内申请。", (1,), "生态环境法律/大气")
    assert escaped.stem == "比例 3:1 与 {a} ~ = # 和 \\ 反斜杠"
    assert newline.stem == "第一行\n第二行" and newline.answer is False


def test_plain_text_shows_as_typed():
    [q] = _parse("[plain]选 <b> & 其他{=甲 ~[plain]<i>乙}").questions
    assert q.stem == "选 &lt;b> & 其他" and q.options == ("甲", "&lt;i>乙")


def test_lowercase_true_is_a_short_answer_as_in_moodle():
    [q] = _parse("说法正确吗{true}").questions
    assert (q.qtype, q.answer) == (FILL_BLANK, (("true",),))


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("缺少右括号{=甲 ~乙", "answer", "between “{” and “}”"),
        ("只有一个选项{~甲}", "options", "at least two answers"),
        ("通配{=3*日}", "answer", "wildcard"),
        ("两个都对{=甲 =乙 ~丙}", "answer", "exactly one correct option"),
        ("空选项{=甲 ~ ~丙}", "options", "Option B is empty"),
        ("// [tag:eduapp-difficulty:9]\n难度{T}", "difficulty", "difficulty from 1 to 5"),
        ("// [tag:eduapp-blanks:oops]\n___和___{=甲}", "answer", "JSON list of lists"),
    ],
)
def test_bad_questions_name_field_and_line(text, field, words):
    result = _parse("::好题::好{T}\n\n" + text)
    assert [q.name for q in result.questions] == ["好题"]
    [problem] = result.problems
    assert problem.field == field and problem.row == 3 + text.count("// ")
    assert words in problem.msgid % problem.params if problem.params else words in problem.msgid


def test_gbk_file_and_binary_file():
    assert _parse("题干{T}").questions[0].stem == "题干"
    assert gift.parse("中文题干{T}".encode("gbk")).questions[0].stem == "中文题干"
    [problem] = gift.parse(b"\xff\xfe\x00\xd8\x00\xdc\xff").problems
    assert problem.field == "file"


# --- writing --------------------------------------------------------------------------------------------


def test_round_trip_all_types():
    data = gift.write(SAMPLES)
    result = gift.parse(data, category="不用")
    assert result.problems == [] and result.skipped == []
    # after a category, "$course$/top" means "no category": the import's default applies
    expected = SAMPLES[:3] + [SAMPLES[3].with_(category="不用")]
    assert [q.with_(line=None) for q in result.questions] == expected


def test_written_file_structure():
    text = gift.write(SAMPLES).decode("utf-8")
    assert text.startswith("$CATEGORY: $course$/top/生态环境法律/大气污染防治法\n\n// [id:air-0001] [tag:排污许可]")
    assert "[tag:eduapp-law:中华人民共和国大气污染防治法] [tag:eduapp-article:第十九条] [tag:eduapp-difficulty:2]" in text
    assert "::排污许可::[markdown]排放工业废气的企业事业单位，应当取得什么？{\n\t=排污许可证\n\t~营业执照\n" in text
    assert "\t~%33.33333%查封场所\n" in text and "\t~%-50%加处罚款\n" in text
    assert "\t=3\\*日\n" in text  # a literal star, not Moodle's wildcard
    assert "\t####依法取得排污许可证。\n}" in text
    lines = text.splitlines()
    assert [lines[q.line - 1][:2] for q in gift.parse(text.encode()).questions] == ["::"] * 4


def test_round_trip_tricky_text():
    question = QuestionData(
        qtype=FILL_BLANK,
        stem="比例 3:1 {a} ~b =c #d \\ e\n\n第二段 ___ 与 ___ [链接](http://x)",
        answer=(("甲=乙", "a#b"), ("[x]", "y]")),
        explanation="解析 ####\n第二行 }",
        tags=("a]b", "c[d"),
        name="名::字",
        external_id="x-1",
        status="draft",
        difficulty=5,
    )
    [back] = gift.parse(gift.write([question])).questions
    assert back.with_(line=None) == question


def test_three_blanks_travel_in_a_json_tag():
    question = QuestionData(qtype=FILL_BLANK, stem="___、___和___", answer=(("甲",), ("乙", "yi"), ('"丙",]',)))
    data = gift.write([question]).decode()
    tag = data.split("[tag:eduapp-blanks:", 1)[1].split("] [tag:", 1)[0]
    assert json.loads(tag.replace("\\]", "]")) == [["乙", "yi"], ['"丙",]']]
    assert gift.parse(data.encode()).questions[0].answer == question.answer


def test_write_and_parse_10000_questions():
    questions = [SAMPLES[i % 4].with_(external_id=f"q-{i}", name=None) for i in range(10_000)]
    result = gift.parse(gift.write(questions))
    assert len(result.questions) == 10_000 and result.problems == []
    assert result.questions[-1].external_id == "q-9999"
