"""What the 学法从轻审批表 (the internal approval form of an offset application) says, as pure functions.

The form records a 依学法情况从轻处罚 within the statutory range (行政处罚法 §32, §34): it is NOT the
行政处罚决定书 of §59 (the penalty decision, made afterwards, states the fine), and study points are
never money paid toward a fine. Every code of the evaluation is shown by its Chinese name here, and
citations name the article and its item (第九十九条第（二）项).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from eduapp.domain.offsets import KEY_ROLE_NAMES, STEPS

# The checks of eduapp.domain.offsets.evaluate (and of the rules added beside it), by key.
CHECK_NAMES = {
    "rule_in_force": "规则在有效期内",
    "not_transferred": "未移送司法机关",
    "before_decision": "处于作出处罚决定前",
    "violation_type": "违法类型在规则适用范围内",
    "first_violation": "初次违法",
    "harm_level": "危害后果轻微",
    "corrected": "已及时改正",
    "no_fraud": "学法考试无作弊记录",
    "cooling_period": "不在再次申请的间隔期内",
    "staff_share": "员工学法考试通过比例",
    "points_minimum": "积分达到申请门槛",
    "offset_amount": "从轻幅度",
    "fine_basis": "罚款计算基数",
    "collective_discussion": "集体讨论",
    "not_penalised": "不予处罚条件",
    "same_act": "同一违法行为适用罚款数额高的规定",
    "statutory_floor": "不低于法定最低罚款",
}
OTHER_CHECK = "其他审查事项"
STEP_NAMES = {"officer": "承办人", "reviewer": "法制审核", "approver": "负责人"}


def check_name(key: str) -> str:
    """The Chinese name of a check: a key nobody named yet is "其他审查事项", never the code itself."""
    if key in CHECK_NAMES:
        return CHECK_NAMES[key]
    if key.startswith("study_"):
        role = key.removeprefix("study_")
        if role in KEY_ROLE_NAMES:
            return f"{KEY_ROLE_NAMES[role]}通过学法考试"
    return OTHER_CHECK


def citation(law: str, article: str, clause: str | None = None) -> str:
    """《法律》第九十九条第（二）项: the statute's title in book-title marks, the article and its item or
    paragraph (as the catalogue records them)."""
    title = law.strip()
    if title and not title.startswith("《"):
        title = f"《{title}》"
    return f"{title}{(article or '').strip()}{(clause or '').strip()}"


def evaluation_for_record(application_evaluation: Mapping | None,
                          decisions: Iterable[tuple[str, Mapping | None]]) -> dict:
    """The evaluation the form shows: the one stored with the approver's decision, else the latest
    step's that stored one, else the application's (judged when the enterprise applied).

    ``decisions``: (step, the evaluation stored with that step's decision or None)."""
    stored = {step: evaluation for step, evaluation in decisions if evaluation}
    for step in reversed(STEPS):
        if step in stored:
            return dict(stored[step])
    return dict(application_evaluation or {})

