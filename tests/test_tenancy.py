"""Tenant isolation: a user of enterprise A never sees enterprise B's data; another tenant's object
answers 404 on every object route. The route list is read from the app, so a new object route
fails this test until it is listed here with the kind of object it takes."""

import pytest

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.security import ACCESS_ATTR
from tests import factories

# Every URL parameter that names an object, and which fixture object (of tenant A / B) fills it.
# The question bank belongs to the bureau, not to an enterprise: both tenants get the same question,
# which an enterprise contact may not open at all.
OBJECT_PARAMS = {
    "org_id": "org",
    "user_id": "staff",
    "question_id": "question",
    "number": "version",
    "exam_id": "exam",
    "attempt_id": "attempt",
    "item_id": "item",
    "case_id": "case",
    "application_id": "application",
    "rule_set_id": "rule_set",
    "list_id": "non_penalty_list",
    "account_id": "points_account",
    "entry_id": "points_entry",
    "training_id": "training",
    "reminder_id": "reminder",
    "delivery_id": "delivery",
    "session_id": "user_session",
    "token_id": "api_token",
    "law_id": "law",
}
# Reference data every signed-in person reads, whoever they work for: no tenant's object, so not part of
# the isolation test (the law library: GET /api/v1/laws/<law_id>, tests/test_api_journey.py).
READ_BY_EVERYONE = {"law"}


def _object_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        params = [a for a in rule.arguments if rule._converters[a].__class__.__name__ == "IntegerConverter"]
        if params:
            methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
            routes.append((rule, params, methods))
    return routes


def test_every_view_declares_who_may_use_it(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in ("static", "bootstrap.static") and getattr(view, ACCESS_ATTR, None) is None
    ]
    assert undeclared == []


def test_every_object_parameter_is_known(app):
    unknown = {p for _, params, _ in _object_routes(app) for p in params if p not in OBJECT_PARAMS}
    assert unknown == set(), f"add {unknown} to OBJECT_PARAMS and to the isolation test"


@pytest.fixture
def tenants(ctx):
    ids = factories.two_enterprises()
    ids["question_a"] = ids["question_b"] = factories.question().id
    ids["version_a"] = ids["version_b"] = 1
    # an exam for each enterprise, and an attempt at it by its staff member
    from eduapp.domain.exam_rules import AudienceEntry
    from eduapp.models import User
    from eduapp.services import attempts

    factories.bank()
    for tenant in ("a", "b"):
        exam = factories.exam(audience=[AudienceEntry("org", str(ids[f"org_{tenant}"]))])
        attempt = attempts.start(db.session.get(User, ids[f"staff_{tenant}"]), exam)
        ids[f"exam_{tenant}"], ids[f"attempt_{tenant}"] = exam.id, attempt.id
        ids[f"item_{tenant}"] = attempt.items[0].id
    # a penalty case against each enterprise
    from datetime import date

    from eduapp.services import cases

    cases.load_catalogue()
    for tenant in ("a", "b"):
        fields = {"case_number": f"示环罚〔2026〕{tenant}号", "enterprise_id": ids[f"org_{tenant}"],
                  "violation_type_id": cases.violation_by_code("AIR-99-2").id, "opened_on": date(2026, 3, 2),
                  "proposed_fine": 15_000_000}  # fmt: skip
        ids[f"case_{tenant}"] = cases.save_case(None, fields).case.id
    # a rule set (bureau-wide), an offset application and a points pool entry per enterprise, a training
    from eduapp.domain import offsets as offset_rules
    from eduapp.models import OffsetApplication
    from eduapp.services import awards, points, rule_sets, trainings

    rule = rule_sets.save(None, None, {
        "name": "规则", "doc_number": "文号", "authority": "局", "effective_from": date(2026, 1, 1),
        "effective_to": None, "status": "active", "legal_basis": [], "eligible_codes": ["AIR-99-2"],
        "excluded_codes": [], "conditions": offset_rules.Conditions(), "maths": offset_rules.Maths(), "procedure": {},
    })
    ids["rule_set_a"] = ids["rule_set_b"] = rule.id
    from eduapp.domain.non_penalty import Entry
    from eduapp.services import non_penalty_lists

    ids["non_penalty_list_a"] = ids["non_penalty_list_b"] = non_penalty_lists.save(None, None, {
        "name": "免罚清单", "doc_number": "文号2", "authority": "局", "effective_from": date(2026, 1, 1),
        "effective_to": None, "status": "active", "legal_basis": [], "entries": [Entry("AIR-99-2", "first")],
    }).id  # bureau-wide, as the rule set
    for tenant in ("a", "b"):
        application = OffsetApplication(
            case_id=ids[f"case_{tenant}"], enterprise_id=ids[f"org_{tenant}"], rule_set_id=rule.id,
            applicant_id=ids[f"contact_{tenant}"], status="pending_officer", evaluation={}, points=0, offset_fen=0,
            fine_before=15_000_000, fine_after=15_000_000)
        db.session.add(application)
        db.session.flush()
        ids[f"application_{tenant}"] = application.id
        pool = points.pool_account(ids[f"org_{tenant}"])
        ids[f"points_entry_{tenant}"] = awards.award(pool, 5, f"tenancy:{tenant}", "seed").id
        ids[f"points_account_{tenant}"] = pool.id
    db.session.commit()
    admin = factories.user("admin-t", factories.unit("办公室"), Role.SYSADMIN)
    ids["training_a"] = ids["training_b"] = trainings.create_training(admin, "培训", date(2026, 3, 1), 2).id
    # a reminder to each enterprise's contact (the inbox is personal), with a failed e-mail delivery
    from eduapp.models import Delivery, Reminder

    for tenant in ("a", "b"):
        reminder = Reminder(kind="exam_closing", object_type="exam", object_id=ids[f"exam_{tenant}"],
                            recipient_id=ids[f"contact_{tenant}"], occasion="7d", link="/exams/",
                            params={"title": "年度学法考试", "close": "2026-03-09 18:00"})
        db.session.add(reminder)
        db.session.flush()
        delivery = Delivery(reminder_id=reminder.id, channel="email", status="failed", attempts=1, last_error="550")
        db.session.add(delivery)
        db.session.flush()
        ids[f"reminder_{tenant}"], ids[f"delivery_{tenant}"] = reminder.id, delivery.id
    db.session.commit()
    # a browser session and an API token of each enterprise's contact (/account/sessions is personal)
    from eduapp.models import ApiToken, UserSession
    from eduapp.services import api_tokens, sessions

    for tenant in ("a", "b"):
        contact = db.session.get(User, ids[f"contact_{tenant}"])
        sessions.start(contact, "test", None)
        api_tokens.issue(contact, 1)
        ids[f"user_session_{tenant}"] = db.session.query(UserSession.id).filter_by(user_id=contact.id).scalar()
        ids[f"api_token_{tenant}"] = db.session.query(ApiToken.id).filter_by(user_id=contact.id).scalar()
    return ids


def _url(rule, params, ids, tenant):
    values = {}
    for p in params:
        kind = OBJECT_PARAMS[p]
        values[p] = ids[f"{kind}_{tenant}"]
    return rule.build(values)[1]


def test_other_tenants_objects_are_not_found(app, client, auth, tenants):
    """As enterprise A's contact, every object route with B's ids answers 404, for GET and POST."""
    ids = dict(tenants)
    auth.login("contact-a")
    token_page = "/roster/"
    checked = 0
    for rule, params, methods in _object_routes(app):
        if any(OBJECT_PARAMS[p] in READ_BY_EVERYONE for p in params):
            continue
        url_b = _url(rule, params, ids, "b")
        for method in methods:
            if method == "GET":
                response = client.get(url_b)
            else:
                response = auth.post(
                    url_b, {"active": "0", "full_name": "x", "role": "enterprise_staff"}, form_page=token_page
                )
            # A training is bureau-wide (B's id is A's too) and the fixture's is over: registering for it
            # is refused as started (409), which says nothing about B.
            shared = "training_id" in params and method == "POST" and "regist" in str(rule)
            assert response.status_code in ((403, 404, 409) if shared else (403, 404)), (method, url_b,
                                                                                        response.status_code)
            if response.status_code == 403:
                # refused for lack of permission before any lookup: says nothing about B either way
                assert "乙企业" not in response.get_data(as_text=True)
            checked += 1
    assert checked >= 8


def test_own_objects_are_reachable_where_permitted(app, client, auth, tenants):
    ids = dict(tenants)
    auth.login("contact-a")
    assert client.get(f"/orgs/{ids['org_a']}").status_code == 200
    assert client.get(f"/roster/{ids['staff_a']}/edit").status_code == 200
    assert client.get(f"/orgs/{ids['org_b']}").status_code == 404
    assert client.get(f"/roster/{ids['staff_b']}/edit").status_code == 404


def test_roster_lists_only_own_staff(client, auth, tenants):
    auth.login("contact-a")
    text = client.get("/roster/?status=all").get_data(as_text=True)
    assert "staff-a" in text and "staff-b" not in text and "contact-b" not in text


def test_org_page_lists_only_visible_people(client, auth, tenants):
    ids = dict(tenants)
    auth.login("staff-a")
    text = client.get(f"/orgs/{ids['org_a']}").get_data(as_text=True)
    assert "staff-a" in text and "contact-a" not in text  # staff see themselves, not the roster


def test_bureau_staff_see_every_enterprise_but_not_the_roster(client, auth, tenants):
    ids = dict(tenants)
    bureau = factories.unit("生态环境局")
    factories.user("officer", bureau, Role.CASE_OFFICER)
    auth.login("officer")
    assert client.get(f"/orgs/{ids['org_a']}").status_code == 200
    assert client.get(f"/orgs/{ids['org_b']}").status_code == 200
    assert client.get(f"/roster/{ids['staff_a']}/edit").status_code == 403


def test_sysadmin_reaches_any_account_but_no_enterprise_roster(client, auth, tenants):
    ids = dict(tenants)
    bureau = factories.unit("生态环境局")
    factories.user("root", bureau, Role.SYSADMIN)
    auth.login("root")
    assert client.get(f"/admin/users/{ids['staff_b']}/edit").status_code == 200
    assert client.get("/roster/").status_code == 403


def _usernames(query) -> set[str]:
    return {u.username for u in db.session.execute(query).unique().scalars()}


@pytest.mark.parametrize(("who", "role", "people", "orgs"), [
    # a sysadmin manages every account; the bureau reads every organisation
    ("root", Role.SYSADMIN, "everyone", "every"),
    ("officer", Role.CASE_OFFICER, {"officer"}, "every"),
    # an enterprise's contact manages its roster and sees only its own organisation
    ("contact-a", None, {"contact-a", "staff-a"}, {"甲企业"}),
    # a staff member sees themselves
    ("staff-a", None, {"staff-a"}, {"甲企业"}),
])
def test_who_sees_which_people_and_organisations(tenants, who, role, people, orgs):
    from sqlalchemy import select

    from eduapp.models import Organisation, User
    from eduapp.services import tenancy

    if role is not None:
        factories.user(who, factories.unit(f"{who}-科室"), role)
    actor = db.session.execute(select(User).where(User.username == who)).unique().scalar_one()
    every_user = _usernames(select(User))
    every_org = set(db.session.execute(select(Organisation.name)).scalars())
    assert _usernames(tenancy.visible_users(actor)) == (every_user if people == "everyone" else people)
    seen = {o.name for o in db.session.execute(tenancy.visible_organisations(actor)).unique().scalars()}
    assert seen == (every_org if orgs == "every" else orgs)


def test_the_roster_is_the_own_enterprises_whoever_asks(tenants):
    """Even a sysadmin's roster is their own organisation's people, never another enterprise's."""
    from sqlalchemy import select

    from eduapp.models import User
    from eduapp.services import tenancy

    root = factories.user("root", factories.unit("生态环境局"), Role.SYSADMIN)
    assert _usernames(tenancy.roster(root)) == {"root"}
    contact_b = db.session.execute(select(User).where(User.username == "contact-b")).unique().scalar_one()
    assert _usernames(tenancy.roster(contact_b)) == {"contact-b", "staff-b"}
