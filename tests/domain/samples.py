"""Questions of every type, and where Moodle's own import fixtures are, for the format tests."""

from pathlib import Path

from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData

# shared/ lies beside the repository: <repo>/../shared
MOODLE_FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "moodle"

SAMPLES = [
    QuestionData(
        qtype=SINGLE,
        stem="排放工业废气的企业事业单位，应当取得什么？",
        options=("排污许可证", "营业执照", "采矿许可证"),
        answer=(0,),
        explanation="依法取得排污许可证。",
        law="中华人民共和国大气污染防治法",
        article="第十九条",
        difficulty=2,
        tags=("排污许可", "企业义务"),
        category="生态环境法律/大气污染防治法",
        status="published",
        external_id="air-0001",
        name="排污许可",
    ),
    QuestionData(
        qtype=MULTIPLE,
        stem="下列哪些属于行政强制措施？",
        options=("加处罚款", "查封场所", "扣押财物", "代履行", "冻结存款"),
        answer=(1, 2, 4),
        law="中华人民共和国行政强制法",
        article="第九条",
        difficulty=4,
        category="行政法律/行政强制法",
        status="draft",
        external_id="acl-0001",
        name="强制措施种类",
    ),
    QuestionData(
        qtype=TRUE_FALSE,
        stem="公众可以免费查阅大气污染物排放标准。",
        answer=False,
        difficulty=1,
        category="行政法律/行政强制法",
        name="判断",
    ),
    QuestionData(
        qtype=FILL_BLANK,
        stem="代履行___前应当催告；费用由___承担。",
        answer=(("三日", "3日", "3*日"), ("当事人",)),
        explanation="第五十一条。",
        law="中华人民共和国行政强制法",
        article="第五十一条",
        tags=("代履行",),
        category=None,
        status="retired",
        external_id="acl-0011",
        name="代履行",
    ),
]
