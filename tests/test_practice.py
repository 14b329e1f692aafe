"""Practice through the web: by law, category or tag; the daily set; the wrong-answer book; progress."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import PracticeAnswer, Question, User
from eduapp.services import laws
from eduapp.services import practice as practice_service
from eduapp.services.question_import import import_files
from tests import factories

PENALTY = "中华人民共和国行政处罚法"
AIR = "中华人民共和国大气污染防治法"
NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Beijing

BANK = f"""law: {PENALTY}
category: 行政法律/行政处罚法
questions:
  - id: p-single
    type: single
    stem: 行政处罚的设定和实施，应当以什么为依据？
    options: [事实, 上级指示, 个人意见]
    answer: A
    article: 第五条
    explanation: 处罚以事实为依据，与违法行为的事实、性质、情节相当。
    tags: [处罚原则]
  - id: p-multiple
    type: multiple
    stem: 下列哪些属于行政处罚的原则？
    options: [公正, 公开, 保密, 过罚相当]
    answer: ABD
    article: 第五条
    explanation: 公正、公开、过罚相当是处罚的基本原则。
    tags: [处罚原则]
  - id: p-tf
    type: true_false
    stem: 对违法行为给予行政处罚的规定必须公布。
    answer: true
    article: 第五条
    explanation: 未经公布的，不得作为行政处罚的依据。
  - id: p-blank
    type: fill_blank
    stem: 当事人应当自收到行政处罚决定书之日起___日内缴纳罚款。
    answer: [[十五, 15]]
    article: 第六十七条
    explanation: 缴纳罚款的期限是十五日。
  - id: p-draft
    type: true_false
    stem: 这是一道草稿题。
    answer: true
    status: draft
"""

AIR_BANK = f"""law: {AIR}
category: 生态环境法律/大气污染防治法
questions:
  - id: a-1
    type: true_false
    stem: 防治大气污染应当以改善大气环境质量为目标。
    answer: true
    article: 第二条
  - id: a-2
    type: single
    stem: 大气污染防治法自哪一年起施行？
    options: ["2015", "2016"]
    answer: B
    article: 第一百条
"""

STATUTE = f"""# {PENALTY}

1996年3月17日 第八届全国人民代表大会第四次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了规范行政处罚的设定和实施，制定本法。

第五条 行政处罚遵循公正、公开的原则。

设定和实施行政处罚必须以事实为依据。
"""

QID_RE = re.compile(r'name="question_id"[^>]*value="(\d+)"')
VID_RE = re.compile(r'name="version_id"[^>]*value="(\d+)"')
ROUND_RE = re.compile(r'name="round"[^>]*value="([^"]+)"')


@pytest.fixture
def bank(ctx):
    for name, text in (("penalty.yaml", BANK), ("air.yaml", AIR_BANK)):
        report = import_files([(name, text.encode())])
        assert report.written and not report.rejected, report.rejected
    org = factories.enterprise("示范企业", 1)
    factories.user("learner", org, Role.ENTERPRISE_STAFF)
    return {q.uid: q.id for q in db.session.execute(select(Question)).unique().scalars()}


@pytest.fixture
def learner(client, auth, bank):
    auth.login("learner")
    client.get("/lang/en")
    return db.session.execute(select(User).where(User.username == "learner")).scalar_one()


def _text(response) -> str:
    return response.get_data(as_text=True)


def _shown(response) -> dict:
    """The question a page shows: its hidden fields."""
    text = _text(response)
    found = {"question_id": int(QID_RE.search(text).group(1)), "version_id": VID_RE.search(text).group(1)}
    round_match = ROUND_RE.search(text)
    if round_match:
        found["round"] = round_match.group(1)
    return found


def _answer_values(question_id: int, right: bool) -> list[str]:
    db.session.rollback()
    version = db.session.get(Question, question_id).current
    answer = version.answer
    if version.qtype == "single":
        return [str(answer[0] if right else (answer[0] + 1) % len(version.options))]
    if version.qtype == "multiple":
        return [str(i) for i in answer] if right else [str(i) for i in range(len(version.options))]
    if version.qtype == "true_false":
        return ["true" if bool(answer) == right else "false"]
    return [alts[0] if right else "不知道" for alts in answer]


def _answers(**where) -> list[PracticeAnswer]:
    db.session.rollback()
    query = select(PracticeAnswer).filter_by(**where).order_by(PracticeAnswer.id)
    return list(db.session.execute(query).scalars())


def _count() -> int:
    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(PracticeAnswer)).scalar_one()


def _start(client, kind: str, value: str = ""):
    response = client.get("/practice/question", query_string={"kind": kind, "value": value})
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"])


def _post(auth, shown: dict, values: list[str], kind: str = "law", value: str = PENALTY, **extra):
    data = {**shown, "kind": kind, "value": value, "response": values, **extra}
    return auth.post("/practice/answer", data, form_page="/practice/")


def _home(client) -> str:
    response = client.get("/practice/")
    assert response.status_code == 200
    return _text(response)


def _book_count(home: str) -> int:
    return int(re.search(r'class="display-6 practice-count">(\d+)<', home).group(1))


def _record(user_id: int, question_id: int, correct: bool, source: str = "exam") -> None:
    question = db.session.get(Question, question_id)
    db.session.add(
        PracticeAnswer(
            user_id=user_id,
            question_id=question_id,
            version_id=question.current_version_id,
            correct=correct,
            source=source,
        )
    )
    db.session.commit()


# --- access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/practice/", "/practice/daily", "/practice/book", f"/practice/question?kind=law&value={PENALTY}"]
)
def test_anonymous_users_are_sent_to_sign_in(client, ctx, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_practice_needs_the_study_permission(client, auth, ctx):
    bureau = factories.unit("生态环境局")
    factories.user("editor", bureau, Role.QUESTION_EDITOR)
    auth.login("editor")
    assert client.get("/practice/").status_code == 403
    assert client.get("/practice/daily").status_code == 403


def test_the_menu_links_to_practice(client, learner):
    assert 'href="/practice/"' in _text(client.get("/"))


# --- answering ----------------------------------------------------------------------------------------


def test_answering_shows_the_result_the_explanation_and_the_article(client, auth, learner, bank):
    laws.import_files([("admin-penalty.md", STATUTE.encode())])
    page = _start(client, "law", PENALTY)
    assert page.status_code == 200
    assert "Question 1 of 4" in _text(page)
    shown = _shown(page)
    assert shown["question_id"] in {bank["p-single"], bank["p-multiple"], bank["p-tf"], bank["p-blank"]}

    # answer p-single rightly, whatever came first: any published question may be answered
    single = {**shown, "question_id": bank["p-single"], "version_id": ""}
    result = _post(auth, single, _answer_values(bank["p-single"], True))
    text = _text(result)
    assert result.status_code == 200
    assert "Right!" in text
    assert "处罚以事实为依据" in text  # the explanation
    assert f'href="/laws/admin-penalty/{quote("第五条")}"' in text  # the cited article in the law library
    assert "Next question" in text
    [stored] = _answers(user_id=learner.id)
    assert (stored.question_id, stored.correct, stored.source) == (bank["p-single"], True, "practice")

    wrong = _post(auth, {**shown, "question_id": bank["p-multiple"], "version_id": ""}, ["0", "1", "2"])
    text = _text(wrong)
    assert wrong.status_code == 200
    assert "Not quite." in text and "Correct answer" in text and "公正、公开、过罚相当" in text
    partly = _post(auth, {**shown, "question_id": bank["p-multiple"], "version_id": ""}, ["0", "1"])
    assert "Partly right." in _text(partly) and "Not quite." not in _text(partly)
    assert "You chose only some of the right options." in _text(partly)

    blank = _post(auth, {**shown, "question_id": bank["p-blank"], "version_id": ""}, ["１５"])
    assert "Right!" in _text(blank)
    # 第六十七条 is not in the loaded statute: the citation links to the statute itself
    assert 'href="/laws/admin-penalty"' in _text(blank)
    assert [a.correct for a in _answers(user_id=learner.id)] == [True, False, False, True]


def test_a_round_shows_unmastered_questions_first_then_the_rest(client, auth, learner, bank):
    known = {bank["p-single"], bank["p-tf"]}
    for question_id in known:
        _record(learner.id, question_id, True)
    page = _start(client, "law", PENALTY)
    seen = []
    for _ in range(4):
        shown = _shown(page)
        seen.append(shown["question_id"])
        result = _post(auth, shown, _answer_values(shown["question_id"], False))
        assert result.status_code == 200
        page = client.get(f"/practice/question?kind=law&value={quote(PENALTY)}&round={shown['round']}")
    assert set(seen[:2]) == {bank["p-multiple"], bank["p-blank"]}
    assert set(seen[2:]) == known
    assert page.status_code == 200 and "Round complete!" in _text(page)
    assert "You answered 4 questions; 0 were right the first time." in _text(page)


def test_category_scope_includes_sub_categories_and_tags_work(client, learner, bank):
    page = _start(client, "category", "行政法律")
    assert page.status_code == 200 and "Question 1 of 4" in _text(page)
    page = _start(client, "category", "生态环境法律")
    assert "Question 1 of 2" in _text(page)
    page = _start(client, "tag", "处罚原则")
    assert "Question 1 of 2" in _text(page)
    assert _shown(page)["question_id"] in {bank["p-single"], bank["p-multiple"]}
    empty = _start(client, "category", "没有这个分类")
    assert empty.status_code == 404 and "There are no published questions here." in _text(empty)


def test_a_malformed_round_starts_a_new_one(client, learner):
    response = client.get("/practice/question", query_string={"kind": "law", "value": PENALTY, "round": "x' or 1=1"})
    assert response.status_code == 302 and "round=" in response.headers["Location"]


# --- the wrong-answer book ----------------------------------------------------------------------------


def test_a_wrong_answer_goes_in_the_book_and_a_right_answer_takes_it_out(client, auth, learner, bank):
    assert _book_count(_home(client)) == 0
    question_id = bank["p-tf"]
    page = _start(client, "law", PENALTY)
    shown = {**_shown(page), "question_id": question_id, "version_id": ""}
    assert _post(auth, shown, _answer_values(question_id, False)).status_code == 200
    assert _book_count(_home(client)) == 1
    book = _text(client.get("/practice/book"))
    assert "对违法行为给予行政处罚的规定必须公布" in book and "Times wrong: 1" in book

    # practise the book: the question comes up, a right answer takes it out
    page = _start(client, "book")
    assert page.status_code == 200 and "Question 1 of 1" in _text(page)
    shown = _shown(page)
    assert shown["question_id"] == question_id
    result = _post(auth, shown, _answer_values(question_id, True), kind="book", value="")
    assert "Right!" in _text(result) and "See the summary" in _text(result)
    assert _book_count(_home(client)) == 0
    assert "Your wrong-answer book is empty." in _text(client.get("/practice/book"))
    done = client.get(f"/practice/question?kind=book&round={shown['round']}")
    assert "Round complete!" in _text(done) and "Questions left in your wrong-answer book: 0." in _text(done)

    # a wrong answer in an exam puts it back; answered rightly in the daily set, it leaves again
    _record(learner.id, question_id, False, "exam")
    assert _book_count(_home(client)) == 1
    _record(learner.id, question_id, True, "daily")
    assert _book_count(_home(client)) == 0


def test_an_empty_book_is_not_an_error(client, learner):
    page = _start(client, "book")
    assert page.status_code == 200 and "Your wrong-answer book is empty." in _text(page)


# --- the daily set ------------------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    clock = {"now": NOON}
    monkeypatch.setattr(practice_service, "utcnow", lambda: clock["now"])
    return clock


def test_the_daily_set_is_ten_questions_the_same_all_day(client, auth, learner, frozen):
    factories.bank(per_type=6)  # 24 more questions of four types
    first = client.get("/practice/daily")
    assert first.status_code == 200
    assert "Answered 0 of 10" in _text(first)
    frozen["now"] = NOON + timedelta(hours=3)
    assert _shown(client.get("/practice/daily"))["question_id"] == _shown(first)["question_id"]

    answered = []
    for n in range(10):
        page = client.get("/practice/daily")
        assert f"Answered {n} of 10" in _text(page)
        shown = _shown(page)
        answered.append(shown["question_id"])
        result = auth.post(
            "/practice/daily/answer",
            {**shown, "response": _answer_values(shown["question_id"], n % 2 == 0)},
            form_page="/practice/",
        )
        assert result.status_code == 200
        assert ("Right!" if n % 2 == 0 else "Not quite.") in _text(result)
    assert "See today&#39;s results" in _text(result)
    assert len(set(answered)) == 10
    types = {db.session.get(Question, q).current.qtype for q in answered}
    assert len(types) >= 3  # the set mixes the types

    done = client.get("/practice/daily")
    assert "practice is done: 5 of 10 right." in _text(done)
    assert [a.question_id for a in _answers(user_id=learner.id, source="daily")] == answered
    assert "Answered 10 of 10" in _home(client)

    # the same set, seen from the service, late in the evening of the same day
    frozen["now"] = datetime(2026, 3, 2, 15, 59, tzinfo=UTC)
    assert practice_service.daily(learner, frozen["now"]).question_ids == answered
    # the next day brings a new set
    frozen["now"] = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    tomorrow = client.get("/practice/daily")
    assert "Answered 0 of 10" in _text(tomorrow)
    assert practice_service.daily(learner, frozen["now"]).question_ids != answered


def test_a_repeated_daily_answer_is_not_counted_twice(client, auth, learner, frozen):
    shown = _shown(client.get("/practice/daily"))
    values = _answer_values(shown["question_id"], False)
    auth.post("/practice/daily/answer", {**shown, "response": values}, form_page="/practice/")
    again = auth.post(
        "/practice/daily/answer",
        {**shown, "response": _answer_values(shown["question_id"], True)},
        form_page="/practice/",
    )
    assert again.status_code == 200
    assert "this answer was not counted" in _text(again)
    assert [a.correct for a in _answers(user_id=learner.id)] == [False]


def test_a_question_outside_todays_set_is_refused(client, auth, learner, bank, frozen):
    factories.bank(per_type=6)
    today = practice_service.daily(learner, NOON).question_ids
    outside = next(q for q in bank.values() if q not in today and q != bank["p-draft"])
    response = auth.post(
        "/practice/daily/answer", {"question_id": outside, "response": ["true"]}, form_page="/practice/"
    )
    assert response.status_code == 400
    assert "Question: This question is not in today&#39;s set." in _text(response)
    assert _count() == 0


# --- progress ----------------------------------------------------------------------------------------


def test_progress_per_law_counts_distinct_questions_answered_correctly(client, auth, learner, bank):
    page = _start(client, "law", PENALTY)
    base = _shown(page)
    for question_id, right in [
        (bank["p-single"], True),
        (bank["p-single"], True),  # the same question twice: counted once
        (bank["p-multiple"], False),
        (bank["p-tf"], True),
        (bank["p-tf"], False),  # right once is enough
    ]:
        _post(auth, {**base, "question_id": question_id, "version_id": ""}, _answer_values(question_id, right))
    _record(learner.id, bank["p-blank"], True, "exam")  # an exam answer counts too
    home = _home(client)
    rows = re.findall(
        r'<div class="fw-semibold">([^<]+)</div>\s*<div class="small text-muted">Mastered (\d+) of (\d+)', home
    )
    assert sorted(rows) == sorted([(PENALTY, "3", "4"), (AIR, "0", "2")])
    assert 'value="3" max="4"' in home  # the progress bar
    assert "You have mastered 3 of 6 questions." in home


# --- bad input -------------------------------------------------------------------------------------------


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(client, auth, learner, bank):
    page = _start(client, "law", PENALTY)
    base = {**_shown(page), "version_id": ""}
    single = {**base, "question_id": bank["p-single"]}
    cases = [
        (single, ["7"], "Answer: Choose one of the options."),  # a forged option index
        (single, ["Z"], "Answer: Choose options from the list."),  # no option Z
        (single, [], "Answer: Choose an answer."),  # no answer
        ({**base, "question_id": bank["p-multiple"]}, ["0", "9"], "Answer: Choose options from the list."),
        ({**base, "question_id": bank["p-tf"]}, ["maybe"], "Answer: Answer true or false."),
        (
            {**base, "question_id": bank["p-blank"]},
            ["十五", "十六"],
            "Answer: Give one answer for each of the 1 blanks.",
        ),
        ({**base, "question_id": bank["p-blank"]}, [""], "Answer: Fill in the blanks."),
        ({**base, "question_id": bank["p-draft"]}, ["true"], "Question: This question is not available for practice."),
        ({**base, "question_id": "999999"}, ["true"], "Question: This question is not available for practice."),
        ({**base, "question_id": "abc"}, ["true"], "Question: This question is not available for practice."),
        ({**base, "question_id": ""}, ["true"], "Question: This question is not available for practice."),
    ]
    for shown, values, expected in cases:
        response = _post(auth, shown, values)
        assert response.status_code == 400, (shown, values, response.status_code)
        assert expected in _text(response), expected
    bad_scope = _post(auth, single, ["0"], kind="exam")
    assert bad_scope.status_code == 400 and "Practise by:" in _text(bad_scope)
    no_value = _post(auth, single, ["0"], value="")
    assert no_value.status_code == 400 and "Selection: Choose what to practise." in _text(no_value)
    assert client.get("/practice/question?kind=nonsense").status_code == 400
    assert _count() == 0


def test_a_question_changed_while_answering_is_shown_again(client, auth, learner, bank):
    page = _start(client, "law", PENALTY)
    shown = {**_shown(page), "question_id": bank["p-single"], "version_id": "999999"}
    response = _post(auth, shown, ["0"])
    assert response.status_code == 409
    assert "This question has just been updated" in _text(response)
    assert "行政处罚的设定和实施" in _text(response)
    assert _count() == 0


def test_the_home_page_lists_laws_categories_and_tags(client, learner, bank):
    home = _home(client)
    assert "Progress by law" in home and PENALTY in home and AIR in home
    assert "行政法律" in home and "生态环境法律" in home
    assert "#处罚原则" in home
    assert "Wrong-answer book" in home and "Daily practice" in home


# --- forgiving input (issue 16, item 4) ------------------------------------------------------------------


def test_a_choice_typed_as_full_width_letters_is_read_as_those_options(client, auth, learner, bank):
    page = _start(client, "law", PENALTY)
    multiple = {**_shown(page), "question_id": bank["p-multiple"], "version_id": ""}
    right = _post(auth, multiple, ["Ａ，Ｂ、ｄ"])  # ABD, typed with a Chinese input method
    assert right.status_code == 200 and "Right!" in _text(right)
    single = {**_shown(page), "question_id": bank["p-single"], "version_id": ""}
    assert "Right!" in _text(_post(auth, single, ["ａ"]))  # the answer of p-single is A


def test_a_partly_right_multiple_choice_reads_partly_right_in_chinese(client, auth, learner, bank):
    client.get("/lang/zh_Hans_CN")
    page = _start(client, "law", PENALTY)
    partly = _post(auth, {**_shown(page), "question_id": bank["p-multiple"], "version_id": ""}, ["0", "1"])
    assert "部分正确" in _text(partly) and "回答错误" not in _text(partly)

