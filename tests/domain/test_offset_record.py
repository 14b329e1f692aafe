"""The 学法从轻审批表's words, table-driven: a citation names the article and its item (行政处罚法 §59 ¶1
(二): the decision states the facts and the provisions applied; the approval form that precedes it
cites them the same way), every check key has a Chinese name, and the form shows the evaluation the
approval was made on."""

import pytest

from eduapp.domain.offset_record import CHECK_NAMES, OTHER_CHECK, check_name, citation, evaluation_for_record
from tests.domain.test_offsets import ev


@pytest.mark.parametrize(("law", "article", "clause", "expected"), [
    ("中华人民共和国大气污染防治法", "第九十九条", "第（二）项", "《中华人民共和国大气污染防治法》第九十九条第（二）项"),
    ("中华人民共和国环境噪声污染防治法", "第七十五条", None, "《中华人民共和国环境噪声污染防治法》第七十五条"),
    ("《排污许可管理条例》", "第三十三条", "第（一）项", "《排污许可管理条例》第三十三条第（一）项"),
    (" 中华人民共和国水污染防治法 ", "第八十三条", " 第（二）项 ", "《中华人民共和国水污染防治法》第八十三条第（二）项"),
], ids=["art59_item_cited", "art59_article_without_item", "already_in_title_marks", "spaces_trimmed"])
def test_art59_para1_item2_citation_names_article_and_item(law, article, clause, expected):
    assert citation(law, article, clause) == expected


@pytest.mark.parametrize(("key", "name"), [
    ("rule_in_force", "规则在有效期内"),
    ("before_decision", "处于作出处罚决定前"),
    ("study_legal_representative", "法定代表人通过学法考试"),
    ("study_env_manager", "环保负责人通过学法考试"),
    ("study_someone_else", OTHER_CHECK),
    ("a_check_not_yet_named", OTHER_CHECK),
])
def test_art59_check_names_are_chinese_never_codes(key, name):
    assert check_name(key) == name


def test_art59_every_check_of_the_engine_has_a_chinese_name():
    keys = {c.key for c in ev(conditions={"min_staff_share_percent": 50}).checks}
    assert {"rule_in_force", "staff_share", "study_env_manager", "offset_amount"} <= keys
    for key in keys:
        assert check_name(key) != OTHER_CHECK, key
        assert not any(ch.isascii() and ch.isalpha() for ch in check_name(key)), key
    assert all(not any(ch.isascii() and ch.isalpha() for ch in name) for name in CHECK_NAMES.values())


APPLIED = {"fine_after": 17_000_000, "checks": [{"key": "rule_in_force"}]}
REVIEWED = {"fine_after": 16_000_000}
APPROVED = {"fine_after": 15_000_000}


@pytest.mark.parametrize(("decisions", "expected"), [
    ([], APPLIED),
    ([("officer", None), ("reviewer", None)], APPLIED),
    ([("officer", None), ("reviewer", REVIEWED)], REVIEWED),
    ([("officer", REVIEWED), ("reviewer", None), ("approver", APPROVED)], APPROVED),
    ([("approver", APPROVED), ("officer", REVIEWED)], APPROVED),
    ([("officer", {}), ("reviewer", None)], APPLIED),
], ids=["applied_only", "steps_without_their_own", "latest_step_that_stored_one", "the_approvals",
        "the_approvals_in_any_order", "an_empty_one_is_none"])
def test_art57_the_form_shows_the_evaluation_the_approval_was_made_on(decisions, expected):
    assert evaluation_for_record(APPLIED, decisions) == expected
