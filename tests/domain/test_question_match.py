"""The content rule of files without ids (eduapp/domain/question_match.py, docs/question-bank.md
“Files without ids”): same type, stem, options and answer after normalising is the same question."""

import pytest

from eduapp.domain.question_match import content_key, merged, normalise
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData

BASE = QuestionData(qtype=SINGLE, stem="下列（  ）正确，是哪一项？", options=("甲", "乙", "丙"), answer=(1,))


def test_normalise_folds_width_and_drops_space_punctuation_and_case():
    assert normalise(" 下列（  ）ＡＢ，c。\n ") == "下列abc"
    assert normalise("A &amp; B") == normalise("A & B") == "ab"


@pytest.mark.parametrize(
    "other, same",
    [
        (BASE.with_(stem="下列( )正确,是哪一项?"), True),  # ASCII punctuation, other spacing
        (BASE.with_(stem="下列（ ）正确，是哪一项？ ", options=("丙", "乙", "甲"), answer=(1,)), True),  # order
        (BASE.with_(options=("甲 ", "乙", "丙"), explanation="解析", law="某法", article="第一条"), True),
        (BASE.with_(stem="下列错误的是哪一项？"), False),  # another stem
        (BASE.with_(options=("甲", "乙", "丁")), False),  # another option
        (BASE.with_(answer=(2,)), False),  # another answer
        (BASE.with_(qtype=MULTIPLE, answer=(1, 2)), False),
    ],
)
def test_content_key(other, same):
    assert (content_key(other) == content_key(BASE)) is same


def test_true_false_and_fill_in_keys():
    truth = QuestionData(qtype=TRUE_FALSE, stem="排污单位应当公开信息。", answer=True)
    assert content_key(truth) == content_key(truth.with_(stem="排污单位应当公开信息"))
    assert content_key(truth) != content_key(truth.with_(answer=False))
    blank = QuestionData(qtype=FILL_BLANK, stem="代履行___日前催告", answer=(("三", "3"),))
    assert content_key(blank) == content_key(blank.with_(stem="代履行____日前催告", answer=(("3", "三"),)))
    assert content_key(blank) != content_key(blank.with_(answer=(("五",),)))


def test_merged_takes_what_the_file_gives_and_keeps_the_rest():
    bank = BASE.with_(explanation="库里的解析", difficulty=4, tags=("标签",))
    assert merged(bank, BASE) == bank  # an Aiken file adds nothing
    new = merged(bank, BASE.with_(stem="另一种写法", explanation="文件的解析", law="某法", article="第二条"))
    assert (new.stem, new.explanation, new.law, new.article, new.difficulty, new.tags) == (
        bank.stem, "文件的解析", "某法", "第二条", 4, ("标签",))
