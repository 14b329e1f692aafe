from eduapp.domain.formats import aiken
from eduapp.domain.questions import MULTIPLE, SINGLE, QuestionData
from tests.domain.samples import MOODLE_FIXTURES, SAMPLES


def _parse(text: str, **kwargs):
    return aiken.parse(text.encode("utf-8"), **kwargs)


def test_fixture_questions():
    result = aiken.parse((MOODLE_FIXTURES / "questions.aiken.txt").read_bytes(), category="导入")
    assert result.problems == []
    started, abilities = result.questions
    assert (started.stem, started.options, started.answer, started.line, started.category) == (
        "The Moodle project was started by:",
        ("Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt"),
        (1,),
        1,
        "导入",
    )
    # Aiken is plain text: the tag shows as typed instead of vanishing in the sanitiser
    assert abilities.stem == "Moodle's abilities include handling user input that includes &lt;html class=\"cool\"> & images:"
    assert abilities.options == ("True", "False") and abilities.answer == (0,)


def test_fixture_errors_as_moodle_reports_them():
    result = aiken.parse((MOODLE_FIXTURES / "aiken_errors.txt").read_bytes())
    assert [(q.stem, q.options, q.answer) for q in result.questions] == [
        ("A good question", ("Correct", "Incorrect"), (0,)),
        ("A second good question", ("Incorrect (No space)", "Correct (No space)"), (1,)),
    ]
    problems = [(p.row, p.field) for p in result.problems]
    assert problems == [(3, "options"), (5, "options"), (7, "answer"), (18, "answer")]
    too_few, _, _, unfinished = result.problems
    assert too_few.params == {"stem": "A question with too few answers"}
    assert unfinished.params == {"stem": "A question started but not finished", "start": 14}


def test_question_open_at_the_end_of_the_file_is_reported():
    [problem] = _parse("好题\nA. 甲\nB. 乙\nANSWER: A\n\n没写完\nA. 甲\nB. 乙\n").problems
    assert (problem.row, problem.field, problem.params["start"]) == (6, "answer", 6)


def test_answer_letters():
    result = _parse("单选\nA) 甲\nB) 乙\nANSWER: b\n\n多选\nA. 甲\nB. 乙\nC. 丙\nANSWER: AC\n\n错\nA) 甲\nB) 乙\nANSWER: C\n")
    assert [(q.qtype, q.answer) for q in result.questions] == [(SINGLE, (1,)), (MULTIPLE, (0, 2))]
    [problem] = result.problems
    assert (problem.row, problem.field, problem.params) == (15, "answer", {"value": "C", "last": "B"})


def test_crlf_cr_and_gbk():
    assert len(_parse("题\r\nA) 甲\r\nB) 乙\r\nANSWER: A\r\n").questions) == 1
    assert len(_parse("题\rA) 甲\rB) 乙\rANSWER: A\r").questions) == 1
    [q] = aiken.parse("中文\nA) 甲\nB) 乙\nANSWER: B\n".encode("gbk")).questions
    assert q.options == ("甲", "乙")


def test_round_trip_single_choice_and_the_rest_is_unsupported():
    single = QuestionData(qtype=SINGLE, stem="a < b & c <i>", options=("<b>甲</b>", "乙 & 丙"), answer=(1,))
    assert aiken.unsupported([*SAMPLES, single]) == SAMPLES[1:]
    data = aiken.write([*SAMPLES, single])
    assert data.decode().count("ANSWER:") == 2
    first, second = aiken.parse(data).questions
    assert (first.stem, first.options, first.answer) == (SAMPLES[0].stem, SAMPLES[0].options, SAMPLES[0].answer)
    assert (second.stem, second.options, second.answer) == ("a < b & c &lt;i>", ("&lt;b>甲&lt;/b>", "乙 & 丙"), (1,))
    # what was read writes back as typed
    assert aiken.write([second]).decode() == "a < b & c <i>\nA) <b>甲</b>\nB) 乙 & 丙\nANSWER: B\n\n"


def test_line_breaks_become_spaces_when_writing():
    question = QuestionData(qtype=SINGLE, stem="第一行\n第二行", options=("甲\n乙", "丙"), answer=(0,))
    assert aiken.write([question]).decode() == "第一行 第二行\nA) 甲 乙\nB) 丙\nANSWER: A\n\n"
