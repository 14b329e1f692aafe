"""domain.masking (people's names in a published case study) and domain.case_studies: the draft from a
decided case, four eyes on publishing, the YAML format with lines (行政处罚法 第四十八条: a decision with
一定社会影响 is published naming the party; 个人信息保护法 第六条, 第二十八条: people's names are not needed)."""

from datetime import date

import pytest

from eduapp.domain import case_studies as cs
from eduapp.domain.masking import mask_person_names, masked_person
from eduapp.domain.practice import daily_draw, daily_set

ENTERPRISE = "示范化工有限公司"


@pytest.mark.parametrize(("text", "known", "expected"), [
    # names the enterprise record knows (legal representative, managers, staff) wherever they stand
    ("刘大伟签字确认了笔录。", ["刘大伟"], "刘某签字确认了笔录。"),
    ("经查，刘大伟、王芳共同决定。", ["刘大伟", "王芳"], "经查，刘某、王某共同决定。"),
    # a name after a cue word, two or three characters, the cue and what follows kept
    ("法定代表人张三未按规定申报。", [], "法定代表人张某未按规定申报。"),
    ("员工李四倾倒废水。", [], "员工李某倾倒废水。"),
    ("员工李四四将危险废物交给无资质单位。", [], "员工李某将危险废物交给无资质单位。"),
    ("经理：王五。", [], "经理：王某。"),
    ("主要负责人欧阳娜娜，", [], "主要负责人欧阳某，"),
    ("负责人赵六六在现场。", [], "负责人赵某在现场。"),
    # no name: a cue followed by other words, a name already masked, no cue at all
    ("经理办公室门口堆放废桶。", [], "经理办公室门口堆放废桶。"),
    ("法定代表人张某到场。", [], "法定代表人张某到场。"),
    ("执法人员现场检查。", [], "执法人员现场检查。"),
    # the enterprise stays as the published decision names it (§48), even where a cue stands before it
    (f"{ENTERPRISE}员工周七在厂区焚烧。", [], f"{ENTERPRISE}员工周某在厂区焚烧。"),
    (f"联系人{ENTERPRISE}", [], f"联系人{ENTERPRISE}"),
    ("", ["刘大伟"], ""),
])
def test_people_are_masked_and_the_enterprise_is_kept(text, known, expected):
    assert mask_person_names(text, known, keep=(ENTERPRISE,)) == expected


def test_a_masked_person_keeps_the_family_name():
    assert [masked_person(n) for n in ("张三", "张三丰", "欧阳娜娜", "")] == ["张某", "张某", "欧阳某", ""]


FACTS = cs.CaseFacts(case_number="示环罚〔2026〕7号", status="decided", enterprise=ENTERPRISE,
                     description="2026年3月，执法人员检查发现，法定代表人陈明要求员工孙立将废水直排。",
                     violation="超标排放大气污染物", law="中华人民共和国大气污染防治法", article="第九十九条",
                     decided_on=date(2026, 4, 3), final_fine_fen=12_345_600, people=("陈明",))


def test_a_draft_from_a_decided_case_masks_people_and_names_the_enterprise():
    draft, problem = cs.draft_from_case(FACTS)
    assert problem is None
    assert draft.facts == "2026年3月，执法人员检查发现，法定代表人陈某要求员工孙某将废水直排。"
    assert draft.title == f"{ENTERPRISE}超标排放大气污染物案" and draft.enterprise == ENTERPRISE
    assert draft.articles == [cs.Article("中华人民共和国大气污染防治法", "第九十九条", cs.VIOLATED)]
    assert draft.decision == (f"2026年4月3日，生态环境主管部门对{ENTERPRISE}作出行政处罚决定（示环罚〔2026〕7号）："
                              "责令改正，罚款人民币123,456元。")


@pytest.mark.parametrize("status", ["filed", "investigating", "notified", "not_penalised", "transferred"])
def test_only_a_decided_case_makes_a_case_study(status):
    from dataclasses import replace

    draft, problem = cs.draft_from_case(replace(FACTS, status=status))
    assert draft is None and problem.field == "case"


@pytest.mark.parametrize(("action", "status", "actor", "allowed"), [
    ("submit", "draft", 1, True),
    ("publish", "in_review", 2, True),
    ("publish", "in_review", 1, False),  # four eyes: the author does not publish their own
    ("publish", "draft", 2, False),  # not reviewed
    ("retire", "published", 1, True),
    ("return", "retired", 1, True),
    ("return", "in_review", 2, True),
    ("retire", "draft", 1, False),
    ("delete", "draft", 1, False),
])
def test_the_steps_and_four_eyes(action, status, actor, allowed):
    assert (cs.check_action(action, status, actor, author_id=1) is None) == allowed


@pytest.mark.parametrize(("line", "expected"), [
    ("《中华人民共和国大气污染防治法》第九十九条", cs.Article("中华人民共和国大气污染防治法", "第九十九条", cs.VIOLATED)),
    ("《中华人民共和国大气污染防治法》第九十九条（处罚）", cs.Article("中华人民共和国大气污染防治法", "第九十九条", cs.PENALTY)),
    ("中华人民共和国行政处罚法 第三十三条之一", cs.Article("中华人民共和国行政处罚法", "第三十三条之一", cs.VIOLATED)),
    ("大气法九十九", None),
    ("《中华人民共和国大气污染防治法》第九十九条（罚没）", None),
])
def test_an_article_line(line, expected):
    found, problem = cs.parse_article_line(line)
    assert found == expected and (problem is None) == (expected is not None)


def test_the_yaml_round_trip_and_problems_with_their_lines():
    draft, _ = cs.draft_from_case(FACTS)
    draft.uid, draft.lesson, draft.question_uids = "cs-0001", "企业应依法持证排污。", ["air-0001"]
    draft.articles.append(cs.Article("中华人民共和国大气污染防治法", "第九十九条", cs.PENALTY))
    parsed, problems = cs.parse(cs.dump([draft]).encode())
    assert problems == [] and len(parsed) == 1
    back = parsed[0]
    assert (back.uid, back.facts, back.articles, back.question_uids, back.source_case_number) == (
        draft.uid, draft.facts, draft.articles, draft.question_uids, draft.source_case_number)
    bad = "- id: cs-0001\n  title: 甲\n  facts: 乙\n- id: cs-0002\n  title: ''\n  facts: 丙\n  colour: 红\n".encode()
    _, problems = cs.parse(bad)
    assert [(p.row, p.field) for p in problems] == [(4, "colour")]
    _, problems = cs.parse("- id: CS1\n  title: 甲\n  facts: 乙\n  articles: [大气法]\n".encode())
    assert sorted((p.row, p.field) for p in problems) == [(1, "articles"), (1, "id")]
    _, problems = cs.parse(b"- id: cs-0001\n  title: [unclosed\n")
    assert problems[0].row == 3 and problems[0].field == "file"


def test_the_daily_draw_leads_with_a_case_study_question_the_same_all_day():
    pool = [(n, "single" if n % 2 else "multiple") for n in range(1, 41)]
    plain = daily_draw(5, date(2026, 3, 2), pool)
    assert daily_draw(5, date(2026, 3, 2), pool, featured=()) == plain  # no case study: as before
    featured = [31, 32, 33]
    first = daily_set(5, date(2026, 3, 2), pool, featured=featured)
    assert first[0] in featured and first == daily_set(5, date(2026, 3, 2), pool, featured=featured)
    assert sorted(daily_draw(5, date(2026, 3, 2), pool, featured)) == sorted(plain)  # the same questions
    days = {daily_set(5, date(2026, 3, d), pool, featured=featured)[0] for d in range(1, 15)}
    assert len(days) > 1  # another question of the cases on other days
    assert daily_set(5, date(2026, 3, 2), pool, featured=[99])[:1] != [99]  # not in the pool: not drawn


def test_an_overlong_field_names_itself_and_its_line():
    long_name = "甲" * 201
    _, problems = cs.parse(f"- id: cs-0001\n  title: 甲\n  facts: 乙\n  enterprise: {long_name}\n".encode())
    assert [(p.row, p.field) for p in problems] == [(1, "enterprise")]


@pytest.mark.parametrize(("action", "summary", "expected"), [
    ("case_study.create", {"title": "甲案", "case": "示环罚〔2026〕7号"},
     "编辑甲 drafted the case study “甲案” from case 示环罚〔2026〕7号"),
    ("case_study.create", {"title": "甲案", "case": None}, "编辑甲 drafted the case study “甲案”"),
    ("case_study.update", {"title": "甲案", "fields": ["facts"]}, "编辑甲 edited the case study “甲案”"),
    ("case_study.submit", {"title": "甲案"}, "编辑甲 submitted the case study “甲案” for review"),
    ("case_study.publish", {"title": "甲案"}, "编辑甲 reviewed and published the case study “甲案”"),
    ("case_study.return", {"title": "甲案"}, "编辑甲 returned the case study “甲案” to draft"),
    ("case_study.retire", {"title": "甲案"}, "编辑甲 retired the case study “甲案”"),
    ("case_studies.import", {"added": 2, "updated": 1, "unchanged": 0},
     "编辑甲 imported case studies: 2 added, 1 updated, 0 unchanged"),
])
def test_each_case_study_action_reads_as_a_sentence(action, summary, expected):
    from tests.domain.test_history import said

    assert said(action, summary, actor="编辑甲") == expected
