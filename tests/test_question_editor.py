import io

from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Question, QuestionVersion
from tests import factories
from tests.test_question_import import BANK, ONE


def _editor():
    factories.user("editor1", factories.unit("生态环境局"), Role.QUESTION_EDITOR)


def _form(**overrides):
    data = {
        "uid": "",
        "qtype": "single",
        "stem": "新题干？",
        "options": "甲\n乙\n丙",
        "answer": "B",
        "explanation": "因为",
        "law": "中华人民共和国行政处罚法",
        "article": "第五条",
        "difficulty": "2",
        "tags": "标签一，标签二",
        "category": "行政法律/行政处罚法",
        "status": "draft",
    }
    data.update(overrides)
    return data


def test_only_editors_reach_the_bank(client, auth, ctx):
    factories.user("staff1", factories.enterprise("甲企业", 1))
    auth.login("staff1")
    assert client.get("/questions/").status_code == 403


def test_search_works_for_chinese_and_filters_combine(client, auth, runner, ctx):
    _editor()
    runner.invoke(args=["questions", "import", str(BANK)])
    auth.login("editor1")
    # every page of the results (50 a page): the bank holds more matches than one page
    text = "".join(client.get(f"/questions/?q=排污许可证&page={n}").get_data(as_text=True) for n in (1, 2, 3))
    matching = set(
        db.session.execute(
            select(Question.uid)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(QuestionVersion.search_text.contains("排污许可证"))
        ).scalars()
    )
    assert 50 < len(matching) <= 150 and all(f">{uid}<" in text for uid in matching)
    assert ">epl-0001<" not in text or "epl-0001" in matching
    text = client.get("/questions/?q=按日连续处罚&qtype=single").get_data(as_text=True)
    stems = (
        db.session.execute(
            select(QuestionVersion.stem)
            .where(QuestionVersion.qtype == "single")
            .where(QuestionVersion.search_text.contains("按日连续处罚"))
        )
        .scalars()
        .all()
    )
    assert stems and all(s[:20] in text for s in stems)
    text = client.get("/questions/?law=中华人民共和国行政处罚法&difficulty=5").get_data(as_text=True)
    assert "apl-" in text and "air-" not in text


def test_create_edit_makes_versions_and_keeps_old_ones(client, auth, ctx):
    _editor()
    auth.login("editor1")
    response = auth.post("/questions/new", _form(uid="apl-9100"), form_page="/questions/new")
    assert response.status_code == 302
    question = db.session.execute(select(Question).where(Question.uid == "apl-9100")).unique().scalar_one()
    assert question.current.number == 1 and question.current.tags == ["标签一", "标签二"]
    auth.post("/questions/bulk", {"ids": [str(question.id)], "action": "published"}, form_page="/questions/")
    response = auth.post(
        f"/questions/{question.id}/edit",
        _form(stem="改过的题干？", status="published"),
        form_page=f"/questions/{question.id}/edit",
    )
    assert response.status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.status == "published" and [v.number for v in question.versions] == [1, 2]
    assert question.versions[0].stem == "新题干？"
    page = client.get(f"/questions/{question.id}/versions/2").get_data(as_text=True)
    assert "diff-del" in page and "新题干？" in page and "改过的题干？" in page
    # saving without a change makes no new version
    auth.post(
        f"/questions/{question.id}/edit",
        _form(stem="改过的题干？", status="published"),
        form_page=f"/questions/{question.id}/edit",
    )
    db.session.expire_all()
    assert len(db.session.get(Question, question.id).versions) == 2


def test_bad_input_names_the_field_and_saves_nothing(client, auth, ctx):
    _editor()
    auth.login("editor1")
    cases = [
        _form(answer="D"),  # a letter with no option
        _form(options="只有一个"),
        _form(qtype="multiple", answer="A"),
        _form(article="九十九"),
        _form(qtype="true_false", answer="maybe"),
    ]
    for data in cases:
        response = auth.post("/questions/new", data, form_page="/questions/new")
        assert response.status_code == 400, data
        assert "is-invalid" in response.get_data(as_text=True)
    assert db.session.execute(select(Question)).first() is None


def test_bulk_retire(client, auth, runner, ctx):
    _editor()
    runner.invoke(args=["questions", "import", str(BANK)])
    auth.login("editor1")
    ids = db.session.execute(select(Question.id).order_by(Question.id).limit(3)).scalars().all()
    auth.post("/questions/bulk", {"ids": [str(i) for i in ids], "action": "retired"}, form_page="/questions/")
    db.session.expire_all()
    assert {db.session.get(Question, i).status for i in ids} == {"retired"}


def test_preview_renders_markdown_safely(client, auth, ctx):
    _editor()
    auth.login("editor1")
    response = auth.post(
        "/questions/preview", _form(stem="**重点**<script>alert(1)</script>在___日内"), form_page="/questions/new"
    )
    html = response.get_data(as_text=True)
    assert "<strong>重点</strong>" in html and "<script>" not in html and 'class="blank"' in html


def test_import_page_previews_then_imports(client, auth, ctx):
    _editor()
    auth.login("editor1")
    token = auth.client.get("/questions/import")
    from tests.conftest import csrf_token

    response = client.post(
        "/questions/import",
        data={
            "csrf_token": csrf_token(client, "/questions/import"),
            "fmt": "auto",
            "category": "",
            "file": (io.BytesIO(ONE.encode()), "one.yaml"),
        },
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "apl-9001" in text
    assert db.session.execute(select(Question)).first() is None  # only a preview so far
    action = text.split('action="/questions/import/')[1].split('"')[0]
    response = auth.post(f"/questions/import/{action}", {}, form_page="/questions/")
    assert response.status_code == 200
    assert db.session.execute(select(Question.uid)).scalar_one() == "apl-9001"
    assert token.status_code == 200


def test_import_page_rejects_a_broken_file(client, auth, ctx):
    _editor()
    auth.login("editor1")
    from tests.conftest import csrf_token

    response = client.post(
        "/questions/import",
        data={
            "csrf_token": csrf_token(client, "/questions/import"),
            "fmt": "yaml",
            "category": "",
            "file": (io.BytesIO(b"questions: [unclosed"), "broken.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "broken.yaml" in response.get_data(as_text=True)


def _upload(client, name: str, data: bytes, **fields):
    from tests.conftest import csrf_token

    return client.post(
        "/questions/import",
        data={"csrf_token": csrf_token(client, "/questions/import"), "fmt": "auto", "category": "", **fields,
              "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


GIFT_ONE_BAD = "::好::好题{T}\n\n::坏::只有一个选项{~甲}\n".encode()


def test_import_page_can_skip_rejected_questions(client, auth, ctx):
    _editor()
    auth.login("editor1")
    refused = _upload(client, "two.gift", GIFT_ONE_BAD)
    assert refused.status_code == 400 and 'action="/questions/import/' not in refused.get_data(as_text=True)

    response = _upload(client, "two.gift", GIFT_ONE_BAD, skip_invalid="y")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "two.gift:3" in text  # the rejected one, with its line
    assert db.session.execute(select(Question)).first() is None
    action = text.split('action="/questions/import/')[1].split('"')[0]
    response = auth.post(f"/questions/import/{action}", {}, form_page="/questions/")
    assert response.status_code == 200
    assert db.session.execute(select(QuestionVersion.stem)).scalars().all() == ["好题"]
