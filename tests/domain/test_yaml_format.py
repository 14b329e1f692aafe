from eduapp.domain.formats import yaml_format
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData

HEAD = "law: 中华人民共和国行政处罚法\ncategory: 行政法律/行政处罚法\nquestions:\n"


def _parse(body: str):
    return yaml_format.parse((HEAD + body).encode("utf-8"))


def test_reads_all_four_types_with_lines():
    result = _parse(
        "  - id: apl-9001\n    type: single\n    stem: 题一\n    options: [甲, 乙]\n    answer: B\n    article: 第六十条\n"
        "  - id: apl-9002\n    type: multiple\n    stem: 题二\n    options: [甲, 乙, 丙]\n    answer: AC\n"
        "  - id: apl-9003\n    type: true_false\n    stem: 题三\n    answer: false\n"
        "  - id: apl-9004\n    type: fill_blank\n    stem: 应在___日内\n    answer: [[十五日, 15日]]\n    difficulty: 4\n"
    )
    assert result.problems == []
    single, multiple, truth, blank = result.questions
    assert (single.qtype, single.answer, single.line, single.law) == (SINGLE, (1,), 4, "中华人民共和国行政处罚法")
    assert single.category == "行政法律/行政处罚法" and single.status == "published"
    assert (multiple.qtype, multiple.answer) == (MULTIPLE, (0, 2))
    assert (truth.qtype, truth.answer, truth.line) == (TRUE_FALSE, False, 15)
    assert (blank.qtype, blank.answer, blank.difficulty) == (FILL_BLANK, (("十五日", "15日"),), 4)


def test_bad_questions_name_line_and_field():
    result = _parse(
        "  - id: a-0001\n    type: single\n    stem: 题\n    options: [甲, 乙]\n    answer: C\n"  # letter with no option
        "  - id: a-0002\n    type: single\n    stem: ''\n    options: [甲, 乙]\n    answer: A\n"  # empty stem
        "  - id: a-0003\n    type: essay\n    stem: 论述\n    answer: x\n"  # unknown type
        "  - id: a-0004\n    type: single\n    stem: 题\n    options: [甲, 乙]\n    answer: A\n    colour: red\n"
    )
    assert result.questions == []
    assert [(p.row, p.field) for p in result.problems] == [(4, "answer"), (9, "stem"), (14, "type"), (18, "colour")]


def test_broken_yaml_names_the_line():
    result = yaml_format.parse(b"questions:\n  - id: x\n    stem: [unclosed\n")
    assert result.questions == [] and result.problems[0].field == "file" and result.problems[0].row == 4


def test_not_a_question_file():
    assert yaml_format.parse(b"just: text\n").problems[0].field == "file"
    assert yaml_format.parse(b"\xff\xfe").problems[0].field == "file"


def test_round_trip_keeps_everything():
    questions = [
        QuestionData(
            SINGLE,
            "单选？",
            (2,),
            ("甲", "乙", "丙"),
            "解析",
            "中华人民共和国环境保护法",
            "第六十条",
            2,
            ("标签",),
            "生态环境法律/环境保护法",
            "published",
            "epl-9001",
        ),
        QuestionData(
            TRUE_FALSE,
            "判断。",
            True,
            (),
            "",
            "中华人民共和国行政处罚法",
            "第六条",
            1,
            (),
            "行政法律",
            "draft",
            "apl-9002",
        ),
        QuestionData(
            FILL_BLANK,
            "___和___",
            (("甲", "A"), ("乙",)),
            (),
            "",
            None,
            None,
            5,
            ("x", "y"),
            None,
            "retired",
            "misc-9003",
        ),
    ]
    again = yaml_format.parse(yaml_format.write(questions)).questions
    assert [q.with_(line=None) for q in again] == questions


def test_broken_yaml_is_described_by_its_place_not_by_the_parser_s_english():
    problem = yaml_format.parse(b"questions:\n  - id: x\n    stem: [unclosed\n").problems[0]
    assert problem.msgid.startswith("The YAML cannot be read at line") and problem.params == {"line": 4, "column": 1}
