"""Trainings with kinds and registration: the dashboard, the annual summary (page and PDF) and the
dashboard API count 集中学法, 法律培训讲座 and 一把手讲法 separately, as the bureau's annual report does;
learners register and cancel on the page and through the API until a training starts, not once it is
full; staff see who registered; migration 0018 gives existing trainings the kind their title names.

The clock is frozen at NOW (2026-06-01 10:00 in China) by time_machine.

  past (2026)   集中学法 ×2 (Mar, Apr: 2 + 1 attendances), 法律培训讲座 ×1 (May: 2), 一把手讲法 ×1 (Feb: 1);
                2025: one other training (not in the 2026 figures)
  upcoming      SOON  法律培训讲座 2026-06-03 14:30, 局一楼报告厅, 2 places
                LATER 集中学法 2026-06-10 09:00, no limit
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from eduapp.domain import trainings as kinds
from eduapp.domain.periods import Period
from eduapp.domain.practice import CHINA
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Training, TrainingRegistration
from eduapp.services import dashboard, training_registrations, trainings
from tests import factories
from tests.conftest import PASSWORD
from tests.pdfs import text as pdf_text

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=CHINA)
UPCOMING = "/points/trainings/upcoming"


def _at(day: str, hour: int = 16) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), CHINA)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(ctx, frozen):
    bureau = factories.unit("示范市生态环境局")
    firm = factories.enterprise("甲企业", 1)
    w = {"admin": factories.user("admin", bureau, Role.SYSADMIN),
         "viewer": factories.user("viewer", bureau, Role.EXAM_MANAGER),
         "civil": factories.user("civil1", bureau, Role.CIVIL_SERVANT, full_name="李四"),
         "a1": factories.user("staff-a1", firm, Role.ENTERPRISE_STAFF, full_name="张三"),
         "a2": factories.user("staff-a2", firm, Role.ENTERPRISE_STAFF, full_name="王五"),
         "a3": factories.user("staff-a3", firm, Role.ENTERPRISE_STAFF)}
    admin = w["admin"]
    past = [("集中学法：行政处罚法", kinds.COLLECTIVE_STUDY, "2026-03-05", ["civil1", "staff-a1"]),
            ("集中学法：海洋环境保护法", kinds.COLLECTIVE_STUDY, "2026-04-05", ["civil1"]),
            ("执法人员法律培训讲座", kinds.LECTURE, "2026-05-10", ["staff-a1", "staff-a2"]),
            ("“一把手讲法”", kinds.HEAD_LECTURE, "2026-02-20", ["civil1"]),
            ("去年的其他培训", kinds.OTHER, "2025-11-01", ["civil1"])]
    for title, kind, day, names in past:
        training = trainings.create_training(admin, title, date.fromisoformat(day), 0, kind=kind, at=time(9))
        trainings.record_attendance(admin, training, names, now=_at(day))
    w["soon"] = trainings.create_training(admin, "危险废物管理法律培训讲座", date(2026, 6, 3), 3, kind=kinds.LECTURE,
                                          at=time(14, 30), place="局一楼报告厅", capacity=2).id
    w["later"] = trainings.create_training(admin, "集中学法：排污许可管理条例", date(2026, 6, 10), 2,
                                           kind=kinds.COLLECTIVE_STUDY, at=time(9)).id
    return w


def _registered(training_id: int) -> set[int]:
    return set(db.session.execute(select(TrainingRegistration.user_id)
                                  .where(TrainingRegistration.training_id == training_id)).scalars())


def _table(html: str, caption: str) -> list[list[str]]:
    """The rows (body and total) of the dashboard table with ``caption``, as the cells' text."""
    body = html.split(f'<caption class="visually-hidden">{caption}</caption>', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("</thead>", 1)[1], re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in rows]


def _token(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


# --- kinds counted separately ------------------------------------------------------------------------------


def test_the_dashboard_counts_each_kind_separately(world, client, auth):
    d = dashboard.build(Period(date(2026, 1, 1), date(2026, 12, 31)))
    assert {k: (v.sessions, v.attendance) for k, v in d.trainings.by_kind.items()} == {
        "collective_study": (2, 3), "lecture": (1, 2), "head_lecture": (1, 1), "other": (0, 0)}
    assert d.trainings.sessions == 4  # the two upcoming ones are in 2026 too, but not held yet
    auth.login("viewer")
    html = client.get("/dashboard/?from=2026-01-01&to=2026-05-31").get_data(as_text=True)
    assert _table(html, "各类培训场次") == [["集中学法", "2", "3"], ["法律培训讲座", "1", "2"], ["一把手讲法", "1", "1"],
                                          ["其他培训", "0", "0"], ["合计", "4", "6"]]
    assert "集中学法 2 · 法律培训讲座 1 · 一把手讲法 1 · 其他培训 0" in html  # the card's note


def test_the_annual_summary_and_its_pdf_say_how_many_of_each_kind(world, client, auth):
    auth.login("viewer")
    html = client.get("/dashboard/annual?year=2026").get_data(as_text=True)
    assert "其中，开展集中学法2次，组织法律培训讲座1次，开展“一把手讲法”1次，其他培训0次。" in html
    pdf = client.get("/dashboard/annual.pdf?year=2026")
    assert pdf.status_code == 200
    assert "集中学法2次" in pdf_text(pdf.data).replace("\n", "").replace(" ", "")
    client.get("/lang/en")
    html = client.get("/dashboard/annual?year=2026").get_data(as_text=True)
    assert ("By kind: 2 collective law study sessions, 1 legal training lectures, 1 sessions where the head of a "
            "unit taught law, and 0 other trainings.") in html


def test_the_dashboard_api_adds_the_kinds_and_keeps_its_keys(world, client, auth):
    auth.login("viewer")
    body = client.get("/api/v1/dashboard?from=2026-01-01&to=2026-05-31").get_json()["trainings"]
    assert (body["sessions"], body["attendance"], body["attendees"]) == (4, 6, 3)  # the existing keys
    assert body["by_kind"] == {"collective_study": {"sessions": 2, "attendance": 3},
                               "lecture": {"sessions": 1, "attendance": 2},
                               "head_lecture": {"sessions": 1, "attendance": 1},
                               "other": {"sessions": 0, "attendance": 0}}
    assert [(r["title"], r["kind"]) for r in body["by_training"]][0] == ("“一把手讲法”", "head_lecture")


# --- registering on the page --------------------------------------------------------------------------------


def test_the_upcoming_page_shows_kind_time_place_and_places(world, client, auth):
    auth.login("staff-a1")
    html = client.get(UPCOMING).get_data(as_text=True)
    assert html.index("危险废物管理法律培训讲座") < html.index("集中学法：排污许可管理条例")
    assert "法律培训讲座" in html and "2026-06-03 14:30" in html and "局一楼报告厅" in html
    assert "已报名 0 人，限 2 人" in html
    assert "执法人员法律培训讲座" not in html  # over


def test_register_until_full_and_cancel_on_the_page(world, client, auth):
    soon = world["soon"]
    for name in ("staff-a1", "staff-a2"):
        auth.login(name)
        assert auth.post(f"/points/trainings/{soon}/register", form_page=UPCOMING).status_code == 302
        auth.logout()
    assert _registered(soon) == {world["a1"].id, world["a2"].id}
    auth.login("staff-a3")
    html = client.get(UPCOMING).get_data(as_text=True)
    assert "名额已满" in html and f"/points/trainings/{soon}/register" not in html
    refused = auth.post(f"/points/trainings/{soon}/register", form_page=UPCOMING)
    assert refused.status_code == 409
    assert "名额已满：2 个名额均已报满" in refused.get_data(as_text=True)
    assert world["a3"].id not in _registered(soon)
    auth.logout()
    auth.login("staff-a1")  # a place comes free
    assert auth.post(f"/points/trainings/{soon}/unregister", form_page=UPCOMING).status_code == 302
    auth.logout()
    auth.login("staff-a3")
    assert auth.post(f"/points/trainings/{soon}/register", form_page=UPCOMING).status_code == 302
    assert _registered(soon) == {world["a2"].id, world["a3"].id}


def test_cancelling_after_the_start_is_refused_with_a_message(world, client, auth, frozen):
    auth.login("staff-a1")
    auth.post(f"/points/trainings/{world['soon']}/register", form_page=UPCOMING)
    frozen.move_to(datetime(2026, 6, 3, 14, 30, tzinfo=CHINA))  # it starts
    auth.login("staff-a1")
    response = auth.post(f"/points/trainings/{world['soon']}/unregister", form_page=UPCOMING)
    assert response.status_code == 409
    assert "“危险废物管理法律培训讲座”已经开始或结束，不能再更改报名。" in response.get_data(as_text=True)
    assert _registered(world["soon"]) == {world["a1"].id}


def test_staff_see_who_registered_when_recording_attendance(world, client, auth):
    for name in ("staff-a1", "staff-a2"):
        auth.login(name)
        auth.post(f"/points/trainings/{world['soon']}/register", form_page=UPCOMING)
        auth.logout()
    training = db.session.get(Training, world["soon"])
    trainings.record_attendance(world["admin"], training, ["staff-a1"], now=NOW)
    auth.login("admin")
    html = client.get(f"/points/trainings/{world['soon']}").get_data(as_text=True)
    assert "已报名（2 人）" in html and "张三" in html and "王五" in html
    assert "已参加" in html  # staff-a1
    assert "已报名但尚未登记参加（可复制到下方输入框）：staff-a2" in html


def test_staff_choose_the_kind_time_place_and_capacity(world, client, auth):
    auth.login("admin")
    form = {"title": "一把手讲法：新固废法", "kind": "head_lecture", "held_on": "2026-07-01", "at": "15:00",
            "place": "局三楼会议室", "points": "2", "capacity": "40"}
    bad = auth.post("/points/trainings", {**form, "capacity": "0"}, form_page="/points/trainings")
    assert bad.status_code == 400 and "名额须为 1 至 10000 的整数，不限名额请留空。" in bad.get_data(as_text=True)
    wrong_kind = auth.post("/points/trainings", {**form, "kind": "party"}, form_page="/points/trainings")
    assert wrong_kind.status_code == 400
    assert db.session.execute(select(func.count()).select_from(Training)).scalar_one() == 7
    assert auth.post("/points/trainings", form, form_page="/points/trainings").status_code == 302
    made = db.session.execute(select(Training).where(Training.title == "一把手讲法：新固废法")).scalar_one()
    assert (made.kind, made.place, made.capacity) == ("head_lecture", "局三楼会议室", 40)
    assert made.held_at.astimezone(CHINA) == datetime(2026, 7, 1, 15, 0, tzinfo=CHINA)
    html = client.get("/points/trainings").get_data(as_text=True)
    assert "一把手讲法：新固废法" in html and "2026-07-01 15:00" in html and "名额：40 人" in html


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_lists_upcoming_trainings_and_mine(world, client):
    headers = _token(client, "staff-a1")
    assert client.post(f"/api/v1/trainings/{world['later']}/registration", headers=headers).status_code == 200
    body = client.get("/api/v1/trainings", headers=headers).get_json()
    assert [t["id"] for t in body["upcoming"]] == [world["soon"], world["later"]]
    soon = body["upcoming"][0]
    assert soon["kind"] == "lecture" and soon["kind_label"] == "法律培训讲座" and soon["place"] == "局一楼报告厅"
    assert soon["starts_at"].startswith("2026-06-03T06:30") and soon["capacity"] == 2 and soon["places_left"] == 2
    assert [t["id"] for t in body["registered"]] == [world["later"]]
    assert body["registered"][0]["registered"] is True and body["registered"][0]["places_left"] is None


def test_register_and_cancel_through_the_api(world, client):
    headers = _token(client, "staff-a1")
    url = f"/api/v1/trainings/{world['soon']}/registration"
    first = client.post(url, headers=headers)
    assert first.status_code == 200 and first.json["changed"] is True
    assert first.json["training"]["registered"] is True and first.json["training"]["places_left"] == 1
    again = client.post(url, headers=headers)
    assert again.status_code == 200 and again.json["changed"] is False
    assert _registered(world["soon"]) == {world["a1"].id}
    cancelled = client.delete(url, headers=headers)
    assert cancelled.status_code == 200 and cancelled.json["changed"] is True
    assert _registered(world["soon"]) == set()
    assert client.delete(url, headers=headers).json["changed"] is False


def test_the_api_refuses_a_full_or_started_training_and_an_unknown_one(world, client, frozen):
    for name in ("staff-a1", "staff-a2"):
        assert client.post(f"/api/v1/trainings/{world['soon']}/registration",
                           headers=_token(client, name)).status_code == 200
    late = _token(client, "staff-a3")
    full = client.post(f"/api/v1/trainings/{world['soon']}/registration", headers=late)
    assert full.status_code == 409 and full.json["error"]["code"] == "full"
    assert "名额已满" in full.json["error"]["message"]
    missing = client.post("/api/v1/trainings/999999/registration", headers=late)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert client.delete("/api/v1/trainings/999999/registration", headers=late).status_code == 404
    frozen.move_to(datetime(2026, 6, 3, 15, 0, tzinfo=CHINA))
    headers = _token(client, "staff-a1")
    started = client.delete(f"/api/v1/trainings/{world['soon']}/registration", headers=headers)
    assert started.status_code == 409 and started.json["error"]["code"] == "started"
    assert _registered(world["soon"]) == {world["a1"].id, world["a2"].id}
    later = client.post(f"/api/v1/trainings/{world['later']}/registration", headers=_token(client, "staff-a3"))
    assert later.status_code == 200  # still to come


def test_the_api_is_documented_and_for_learners(world, client):
    doc = client.get("/api/v1/openapi.json").json
    path = doc["paths"]["/api/v1/trainings/{training_id}/registration"]
    assert {"200", "404", "409"} <= set(path["post"]["responses"]) and "409" in path["delete"]["responses"]
    assert "/api/v1/trainings" in doc["paths"]
    assert client.get("/api/v1/trainings", headers=_token(client, "admin")).status_code == 403


def test_upcoming_registrations_lists_what_a_learner_registered_for(world):
    user = world["a1"]
    training_registrations.register(user, world["later"], NOW.astimezone(UTC))
    training_registrations.register(user, world["soon"], NOW.astimezone(UTC))
    found = training_registrations.upcoming_registrations(user, NOW)
    assert [t.id for t in found] == [world["soon"], world["later"]]
    after_soon = datetime(2026, 6, 4, tzinfo=CHINA)
    assert [t.id for t in training_registrations.upcoming_registrations(user, after_soon)] == [world["later"]]
    assert training_registrations.upcoming_registrations(world["a2"], NOW) == []


def test_registering_is_refused_when_full_even_for_a_second_tab(world):
    a1, a2, a3 = world["a1"], world["a2"], world["a3"]
    assert training_registrations.register(a1, world["soon"], NOW)[1] is True
    assert training_registrations.register(a2, world["soon"], NOW)[1] is True
    assert training_registrations.register(a1, world["soon"], NOW)[1] is False  # already in: not "full"
    with pytest.raises(training_registrations.RegistrationRefused) as refused:
        training_registrations.register(a3, world["soon"], NOW + timedelta(minutes=1))
    assert refused.value.code == "full"


# --- migration 0018 -----------------------------------------------------------------------------------------


def test_0018_gives_existing_trainings_the_kind_their_title_names(tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path / 'before-0018.db'}")
    with app.app_context():
        upgrade(revision="0015")
        titles = ["2024年第一次集中学法", "法律培训讲座：海洋环境保护法", "局长“一把手讲法”", "排污许可专题培训",
                  "集中学法暨法律讲座"]
        for title in titles:  # as the release before 0018 wrote them: no kind, place or capacity
            db.session.execute(text("INSERT INTO trainings (title, held_at, points, created_at) "
                                    "VALUES (:title, '2024-05-01 01:00:00', 2, '2024-04-01 01:00:00')"),
                               {"title": title})
        db.session.commit()
        upgrade()
        found = dict(db.session.execute(select(Training.title, Training.kind)).all())
        assert found == {"2024年第一次集中学法": "collective_study", "法律培训讲座：海洋环境保护法": "lecture",
                         "局长“一把手讲法”": "head_lecture", "排污许可专题培训": "other",
                         "集中学法暨法律讲座": "collective_study"}
        assert {kinds.kind_from_title(t) for t in titles} == set(found.values())
        assert all(kinds.kind_from_title(t) == k for t, k in found.items())  # the SQL mirrors the domain
        assert db.session.execute(select(Training.place, Training.capacity)).first() == (None, None)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_learners_racing_for_the_last_places_do_not_overfill_it(app, world):
    """On PostgreSQL the training row is locked while the places are counted (SQLite serialises writers)."""
    from tests.test_points_concurrency import race

    firm = world["a1"].organisation
    ids = [factories.user(f"racer-{i}", firm, Role.ENTERPRISE_STAFF).id for i in range(8)]
    db.session.commit()
    training_id = world["soon"]  # 2 places

    def work(i):
        from eduapp.models import User

        return training_registrations.register(db.session.get(User, ids[i]), training_id, NOW)

    results, errors = race(app, len(ids), work)
    assert len(results) == 2 and all(changed for _, changed in results)
    assert len(errors) == 6 and {e.code for e in errors} == {"full"}
    assert len(_registered(training_id)) == 2
