"""domain.history: every audit action the product writes reads as a sentence (the audit trail of
行政处罚法 §47 made readable: docs/cases.md “History”, docs/security.md §8). The sentences are checked
in their English message ids, rendered here without Flask; the Chinese is checked on the pages
(tests/test_history_pages.py)."""

import re
from pathlib import Path

import pytest

from eduapp.domain.history import RULES, actor_name, describe, parse_summary
from eduapp.domain.history_text import Many, Msg, day

ROOT = Path(__file__).resolve().parents[2] / "eduapp"
NAMES = {("user", 7): "张承办", ("username", "boss"): "刘局长", ("enterprise", 3): "甲企业",
         ("violation_type", 5): "AIR-99-2", ("exam", 9): "法治考试", ("organisation", 3): "甲企业",
         ("points_account", 4): "王企业"}


def name_of(kind, key):
    return NAMES.get((kind, int(key) if str(key).isdigit() else key))


def en(value) -> str:
    """A sentence in its English message ids (what gettext gives with no translation)."""
    if isinstance(value, Msg):
        return value.msgid % {k: en(v) for k, v in value.params.items()} if value.params else value.msgid
    if isinstance(value, Many):
        return value.sep.join(en(p) for p in value.parts)
    return str(value)


def said(action, summary, actor="张承办", object_id=None) -> str:
    return en(describe(action, summary, actor, object_id, name_of))


CASES = [
    # the case: filing, edits (fen shown as yuan, fields and values translated, ids as names), stages
    ("penalty_case.create", {"changes": {}}, None, "张承办 filed the case"),
    ("penalty_case.create", {"changes": {}, "source": "import"}, None, "张承办 filed the case (from the case register)"),
    ("penalty_case.update", {"changes": {"proposed_fine": [5_000_000, 4_000_000]}}, None,
     "张承办 changed proposed fine from ¥50,000.00 to ¥40,000.00"),
    ("penalty_case.update", {"changes": {"harm_level": ["minor", "general"], "corrected": [False, True],
                                         "officer_id": [None, 7], "violation_type_id": [5, 6]}}, None,
     "张承办 changed harm from Minor harm to General harm; corrected from no to yes; case officer from (empty) to "
     "张承办; violation from AIR-99-2 to #6"),
    ("penalty_case.update", {"changes": {}}, None, "张承办 saved the case without changes"),
    ("penalty_case.status", {"from": "filed", "to": "decided", "on": "2026-03-05",
                             "changes": {"final_fine": 12_345_678}, "comment": "经集体讨论"}, None,
     "张承办 moved the case from “Filed” to “Penalty decided” on 2026-03-05, fine decided ¥123,456.78: 经集体讨论"),
    ("penalty_case.deadline_extend", {"from": "2026-05-01", "to": "2026-06-01", "reason": "案情复杂",
                                      "approved_by": "boss", "approved_on": "2026-04-20"}, None,
     "张承办 extended the decision deadline from 2026-05-01 to 2026-06-01, approved by 刘局长 on 2026-04-20: 案情复杂"),
    ("penalty_cases.import", {"added": 2, "updated": 1, "unchanged": 0}, None,
     "张承办 imported the case register: 2 added, 1 updated, 0 unchanged"),
    ("violation_types.load", {"added": ["A", "B"], "updated": [], "unchanged": 3}, None,
     "张承办 loaded the violation catalogue: 2 added, 0 updated, 3 unchanged"),
    # fine offsets (学法减罚): application, the three steps, re-assessment, end
    ("offset.apply", {"case": "示环罚〔2026〕1号", "points": 120, "offset_fen": 1_500_000}, None,
     "张承办 applied for a lighter penalty with study points (case 示环罚〔2026〕1号, 120 points, at most ¥15,000.00 off)"),
    ("offset.approve", {"step": "reviewer", "comment": "", "status": "pending_approver"}, None,
     "张承办 passed the legal review"),
    ("offset.reject", {"step": "approver", "comment": "积分来源存疑"}, None,
     "张承办 turned the application down at the approval: 积分来源存疑"),
    ("offset.withdraw", {}, None, "张承办 withdrew the application for a lighter penalty"),
    ("offset.reevaluate", {"eligible": True, "fine_after": 3_000_000}, None,
     "张承办 changed the case; the offset application was re-assessed: still eligible, fine after the offset "
     "¥30,000.00"),
    ("offset.case_closed", {"case_status": "transferred", "points_released": 40}, None,
     "The offset application ended when the case moved to “Transferred”; 40 reserved points were released"),
    ("offset.collective_discussion", {"held_on": "2026-03-09", "conclusion": "同意"}, None,
     "张承办 recorded the collective discussion held on 2026-03-09: 同意"),
    # non-penalty (行政处罚法 §33) and the versioned documents
    ("non_penalty.decide", {"case": "X1", "ground": "first_violation", "legal_basis": "《行政处罚法》第三十三条第一款",
                            "decided_on": "2026-03-10"}, None,
     "张承办 decided not to penalise (case X1, 2026-03-10): first violation, slight harm, corrected in time, "
     "《行政处罚法》第三十三条第一款"),
    ("rule_set.new_version", {"code": "RS1", "version": 2, "effective_from": "2026-01-01"}, None,
     "张承办 issued version 2 of the offset rule set RS1 (in force from 2026-01-01)"),
    ("non_penalty_list.create", {"code": "NPL1", "version": 1, "effective_from": "2026-01-01"}, None,
     "张承办 created the non-penalty list NPL1 v1 (in force from 2026-01-01)"),
    # accounts, sign-in, two-factor (等保 2.0 identity and audit)
    ("user.create", {"username": "li", "organisation": "生态环境局", "roles": ["legal_reviewer", "approver"]}, None,
     "张承办 created the account li (生态环境局; roles: Legal reviewer, Approver)"),
    ("user.update", {"roles": [["case_officer"], ["approver"]], "active": [True, False]}, "7",
     "张承办 changed the account 张承办: roles from Case officer to Approver; active from yes to no"),
    ("user.deactivate", {"username": "li"}, "8", "张承办 deactivated the account li"),
    ("user.password_reset", {}, "7", "张承办 reset the password of 张承办"),
    ("auth.login", {}, None, "张承办 signed in"),
    ("auth.login_failed", {"username": "li", "reason": "captcha"}, None,
     "Failed sign-in as li (wrong verification code)"),
    ("auth.2fa_failed", {"username": "li"}, None, "Wrong two-factor code for li"),
    ("auth.2fa_recovery_code", {"left": 7}, None, "张承办 signed in with a recovery code (7 left)"),
    ("user.2fa_reset", {"username": "li", "was_enrolled": True}, "8",
     "张承办 reset the two-factor authentication of li"),
    ("roster.import", {"created": 12}, "3", "张承办 imported a staff roster for 甲企业: 12 accounts created"),
    ("organisation.update", {"permit_expires_on": ["2026-01-01", "2027-01-01"]}, "3",
     "张承办 changed the organisation 甲企业: permit expiry date from 2026-01-01 to 2027-01-01"),
    # study points, trainings, reminders
    ("points.adjust", {"account": 4, "points": -20, "reason": "重复计分"}, "4",
     "张承办 adjusted the points of 王企业 by -20: 重复计分"),
    ("points.rules", {"exam_pass": {"points": [10, 20]}}, None,
     "张承办 changed the earning rules: passing an exam: points from 10 to 20"),
    ("points.training", {"title": "环保法培训", "held_on": "2026-03-01", "points": 5}, "1",
     "张承办 added the training “环保法培训” on 2026-03-01 (5 points)"),
    ("points.attendance", {"added": [1, 2, 3], "points": 5}, "1",
     "张承办 recorded 3 attendees of a training (5 points each)"),
    ("training.register", {"title": "环保法培训"}, "1", "张承办 registered for the training “环保法培训”"),
    ("reminder.preferences", {"email": True, "sms": False}, "7", "张承办 set reminders by e-mail: yes, by SMS: no"),
    # exams (the deadline in China time), questions, laws
    ("attempt.start", {"exam": 9, "number": 2, "deadline": "2026-03-01T02:30:00+00:00"}, "1",
     "张承办 started attempt 2 of the exam 法治考试 (due 2026-03-01 10:30)"),
    ("attempt.submit", {"exam": 9, "score": 80, "max_score": 100, "by": "deadline"}, "1",
     "The exam 法治考试 was handed in at its deadline: 80 of 100"),
    ("certificate.annul", {"exam": 9, "user": 7, "number": "ZS-2026-000007", "reason": "替考"}, "7",
     "张承办 annulled the certificate ZS-2026-000007 of 张承办 (exam 法治考试): 替考"),
    ("exam.update", {"pass_score": [60, 70]}, "9", "张承办 changed the settings of the exam 法治考试: pass score from 60 to 70"),
    ("question.published", {"uids": ["a", "b"]}, None, "张承办 published 2 questions"),
    ("laws.amend", {"title": "中华人民共和国野生动物保护法", "articles_changed": 51, "articles_added": 6,
                    "articles_removed": 0, "articles_renumbered": 3, "questions_flagged": 2, "citations_moved": 1},
     None, "张承办 imported a new version of 中华人民共和国野生动物保护法: 51 articles changed, 6 added, 0 removed, "
     "3 renumbered; 2 questions flagged for review, 1 citations moved"),
    ("laws.repeal", {"title": "某某条例", "on": "2027-01-01", "questions": 4}, None,
     "张承办 recorded the repeal of 某某条例 on 2027-01-01 (4 questions leave new papers)"),
    ("question.citation_moved", {"law": "中华人民共和国野生动物保护法", "from": "第三十一条", "to": "第三十二条",
                                 "version": 2}, None,
     "张承办 moved the citation of 中华人民共和国野生动物保护法 from 第三十一条 to 第三十二条: the amendment renumbered "
     "the article (version 2)"),
    ("question.reviewed", {"reason": "removed", "amendment": 1}, None,
     "张承办 reviewed the question (the cited article was removed); it may be drawn again"),
    ("laws.import", {"added": ["x"], "updated": [], "unchanged": 4}, None,
     "张承办 imported the law library: 1 added, 0 updated, 4 unchanged"),
    # an action without a rule, and a summary of an unexpected shape: still a sentence, never JSON
    ("offset.something_new", {"x": 1}, None, "张承办 recorded a step of a fine offset application"),
    ("brand.new", {"x": 1}, None, "张承办 recorded an action (brand.new)"),
    ("penalty_case.status", {"changes": "not a dict"}, None,
     "张承办 moved the case from “(empty)” to “(empty)” on (empty)"),
]


@pytest.mark.parametrize(("action", "summary", "object_id", "expected"), CASES)
def test_each_action_reads_as_a_sentence(action, summary, object_id, expected):
    assert said(action, summary, object_id=object_id) == expected


def _written_actions() -> set[str]:
    """Every action code the product passes to audit.record (f-string families expanded by their values)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit\.record\((.{0,200}?)actor=", source, re.S):
            found.update(re.findall(r'"([a-z_0-9]+\.[a-z_0-9]+)"', call.group(1)))
            found.update(f"{family}.*" for family in re.findall(r'f"([a-z_]+)\.\{', call.group(1)))
    return found


def test_every_action_the_product_writes_has_its_sentence():
    written = _written_actions()
    assert {"penalty_case.update", "offset.apply", "auth.login", "offset.*"} <= written  # the scan finds them
    families = {a.removesuffix(".*") for a in written if a.endswith(".*")}
    missing = {a for a in written if not a.endswith(".*") and a not in RULES}
    missing |= {f for f in families if not any(r.startswith(f + ".") for r in RULES)}
    assert missing == set()
    for family, values in {"offset": ("approve", "reject"), "question": ("draft", "published", "retired"),
                           "rule_set": ("create", "new_version", "update"),
                           "non_penalty_list": ("create", "new_version", "update")}.items():
        assert {f"{family}.{v}" for v in values} <= set(RULES)


@pytest.mark.parametrize(("args", "kwargs", "expected"), [
    (("zhangcb", "张承办"), {"known": True}, "张承办"),
    (("zhangcb", "张承办"), {"known": True, "with_username": True}, "张承办 (zhangcb)"),
    (("zhangcb", "张承办"), {"known": True, "via_cli": True}, "张承办 (command line)"),
    (("cli", None), {"known": False, "via_cli": True}, "the command line (no operator named)"),
    (("system", None), {"known": False}, "the system"),
    (("gone", None), {"known": False}, "gone"),  # an account deleted since: its username as recorded
])
def test_the_actor_is_named_by_full_name(args, kwargs, expected):
    assert en(actor_name(*args, **kwargs)) == expected


@pytest.mark.parametrize(("text", "expected"), [('{"a":1}', {"a": 1}), ("[1]", {}), ("not json", {}), (None, {})])
def test_a_summary_that_is_not_an_object_reads_as_empty(text, expected):
    assert parse_summary(text) == expected


def test_timestamps_show_in_china_time_and_dates_as_they_are():
    assert day("2026-12-31T16:30:00+00:00") == "2027-01-01 00:30"
    assert day("2026-12-31T16:30:00") == "2027-01-01 00:30"  # naive means UTC, as stored
    assert day("2026-03-05") == "2026-03-05"
    assert en(day(None)) == "(empty)"


def test_long_notes_are_cut():
    sentence = said("offset.reject", {"step": "officer", "comment": "理由" * 100})
    assert sentence.endswith("…") and len(sentence) < 200
