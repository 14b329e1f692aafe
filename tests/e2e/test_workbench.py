"""The 工作台 of each demo role on a phone (390×844), in a real browser against the e2e stack.

Each person signs in, sees their panels, and every link the panels hold answers with a page (no 4xx
or 5xx, no console error). A screenshot of each role's 工作台 (what the phone's screen shows, not the
whole page) is saved to docs/screenshots/workbench-<role>.png, and to EDUAPP_ARTIFACTS.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

if os.environ.get("EDUAPP_E2E") != "1":
    pytest.skip("browser end-to-end tests: run them with `make e2e`", allow_module_level=True)

from playwright.sync_api import Page, expect

from tests.e2e.test_journey import PHONE, Journey

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# A plain-density phone: the committed pictures stay small.
SMALL_PHONE = {**PHONE, "device_scale_factor": 1}

# (role in the file name, demo user, the panels they see, a text the page shows)
ROLES = [
    ("learner", "demo-staff", ["learner"], "连续学习天数"),
    ("contact", "demo-contact", ["learner", "enterprise"], "企业积分池"),
    ("officer", "demo-officer", ["learner", "todo"], "我承办的在办案件"),
    ("reviewer", "demo-reviewer", ["learner", "todo"], "待您处理的从轻处罚申请"),
    ("approver", "demo-approver", ["learner", "todo"], "待您处理的从轻处罚申请"),
    ("editor", "demo-editor", ["content"], "草稿题目"),
    ("exam-manager", "demo-exam-manager", ["content"], "未发布的考试"),
    ("admin", "demo-admin", ["admin"], "发送失败的提醒"),
]
ALL_PANELS = ("learner", "enterprise", "todo", "content", "admin")


@pytest.fixture
def journey(request, browser, stack):
    trip = Journey(browser, stack)
    yield trip
    trip.close(getattr(request.node, "e2e_failed", True))


def panel_links(page: Page) -> list[str]:
    hrefs = page.locator("section[id^='panel-'] a[href]").evaluate_all("links => links.map(a => a.href)")
    return list(dict.fromkeys(hrefs))


@pytest.mark.parametrize(("role", "username", "panels", "text"), ROLES, ids=[r[0] for r in ROLES])
def test_each_role_sees_its_workbench_on_a_phone_and_its_links_work(journey, stack, role, username, panels, text):
    _, page = journey.open(SMALL_PHONE)
    journey.sign_in(page, username)
    page.goto(f"{stack.base_url}/")
    expect(page).to_have_title(re.compile("^工作台"))
    for key in ALL_PANELS:
        expect(page.locator(f"#panel-{key}")).to_have_count(1 if key in panels else 0)
    expect(page.locator("main")).to_contain_text(text)
    # Nothing wider than the phone: no sideways scrolling on 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    journey.shot(page, f"workbench-{role}", full_page=False)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(stack.artifacts / f"{journey.shots:02d}-workbench-{role}.png", SCREENSHOTS / f"workbench-{role}.png")

    links = panel_links(page)
    assert links, f"{role}: the panels link to nothing"
    for href in links:
        response = page.goto(href)
        assert response is not None and response.status == 200, f"{role}: {href} answered {response and response.status}"
    journey.assert_clean()


def test_the_administrator_checks_the_audit_chain_from_the_workbench(journey, stack):
    _, page = journey.open(SMALL_PHONE)
    journey.sign_in(page, "demo-admin")
    page.goto(f"{stack.base_url}/")
    page.get_by_role("button", name="立即校验").tap()
    page.wait_for_url(f"{stack.base_url}/")
    expect(page.locator("[data-testid=audit]")).to_contain_text("审计链完整")
    expect(page.locator(".alert-success")).to_contain_text("审计链完整")
    journey.assert_clean()
