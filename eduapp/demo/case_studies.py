"""Demo data for typical cases (以案释法): two published case studies with their articles (checked against
the statutes in shared/laws) and questions of the bank attached, so that /case-studies/, the 工作台's
以案释法 item and the daily set show them. The author is the demo loader; the demo editor reviews and
publishes them (four eyes). Added once each, by id."""

from __future__ import annotations

from eduapp.domain.case_studies import PENALTY, VIOLATED, Article, Draft
from eduapp.services import accounts, case_studies

AIR = "中华人民共和国大气污染防治法"
WASTE = "中华人民共和国固体废物污染环境防治法"

STUDIES = [
    Draft(
        uid="cs-0001", enterprise="示范化工有限公司",
        title="示范化工有限公司不正常运行大气污染防治设施逃避监管排放大气污染物案（示范）",
        facts="执法人员夜间检查发现，示范化工有限公司脱硫设施停运，废气经旁路直接排放，在线监测设备采样管被拔出。"
              "法定代表人陈某承认，为降低运行成本安排员工李某在夜间停运脱硫设施。",
        articles=[Article(AIR, "第二十条", VIOLATED), Article(AIR, "第九十九条", PENALTY)],
        decision="生态环境主管部门认定当事人通过不正常运行大气污染防治设施等逃避监管的方式排放大气污染物，"
                 "依据《中华人民共和国大气污染防治法》第九十九条第三项，责令改正，罚款人民币二十万元。",
        lesson="大气污染防治法第二十条第二款禁止偷排、篡改或者伪造监测数据、不正常运行大气污染防治设施等逃避监管的排放方式。"
               "这类行为适用第九十九条，处十万元以上一百万元以下罚款，情节严重的报经有批准权的人民政府批准，责令停业、关闭。"
               "企业应保证防治设施正常运行、监测数据真实。",
        question_uids=["air-0004", "air-0027"],
    ),
    Draft(
        uid="cs-0002", enterprise="示范金属表面处理有限公司",
        title="示范金属表面处理有限公司将危险废物混入非危险废物中贮存案（示范）",
        facts="执法人员检查发现，示范金属表面处理有限公司将电镀污泥与生活垃圾混放于同一贮存区，贮存区未设置危险废物识别标志。"
              "现场负责人王某称不清楚电镀污泥属于危险废物。",
        articles=[Article(WASTE, "第八十一条", VIOLATED), Article(WASTE, "第七十七条", VIOLATED),
                  Article(WASTE, "第一百一十二条", PENALTY)],
        decision="生态环境主管部门依据《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第一项、第六项和第二款，"
                 "责令改正，罚款人民币十五万元。",
        lesson="危险废物应当按特性分类收集、贮存，禁止混入非危险废物中贮存（第八十一条），贮存场所应当设置识别标志（第七十七条）。"
               "这两类行为依第一百一十二条处十万元以上一百万元以下罚款。产生危险废物的单位应先识别废物属性，再分类贮存。",
        question_uids=["waste-0006", "waste-0023"],
    ),
]


def load(result) -> None:
    reviewer = accounts.find_by_username("demo-editor")
    if reviewer is None:
        return
    for draft in STUDIES:
        if case_studies.by_uid(draft.uid) is not None:
            result.unchanged += 1
            continue
        known = [u for u in draft.question_uids if not case_studies.unknown_questions([u])]
        study = case_studies.create(None, Draft(**{**draft.__dict__, "question_uids": known}))
        case_studies.act(reviewer, study, "submit")
        case_studies.act(reviewer, study, "publish")
        result.created += 1
