"""The whole journey in a real browser, against gunicorn, PostgreSQL, Redis and a Celery worker.

An enterprise employee takes the demo exam on a phone and loses the network half way: the answers
given offline wait on the phone and reach the server when it returns; the exam passes and earns
points. The enterprise contact then applies to offset part of a fine with the enterprise's points,
the case officer, the legal reviewer and the approver each approve, the bureau dashboard shows the
offset, and the day's reminders reach the contact's inbox.

Every step leaves a screenshot under EDUAPP_ARTIFACTS (default artifacts/e2e). Any console error,
uncaught exception or 5xx answer of our own server fails the test, except the browser's own
"ERR_INTERNET_DISCONNECTED" while the phone is deliberately offline.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

if os.environ.get("EDUAPP_E2E") != "1":
    pytest.skip("browser end-to-end tests: run them with `make e2e`", allow_module_level=True)

from playwright.sync_api import Page, expect

from eduapp.domain.offsets import yuan
from eduapp.domain.reminders import PENDING

pytestmark = pytest.mark.e2e

PASSWORD = "eduapp-demo-2026"
EXAM = "2026年度生态环境法律知识考试"
CASE = "示环罚〔2026〕101号"
CHINA = ZoneInfo("Asia/Shanghai")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
OFFLINE_NOISE = "net::ERR_INTERNET_DISCONNECTED"
# Generous: other test suites may be running on the same two cores.
ACTION_TIMEOUT_MS = 30_000
NAVIGATION_TIMEOUT_MS = 60_000
SYNC_TIMEOUT_MS = 90_000

expect.set_options(timeout=ACTION_TIMEOUT_MS)


class Journey:
    """Browser contexts (one per person), numbered screenshots, and what went wrong in any page."""

    def __init__(self, browser, stack):
        self.browser, self.stack = browser, stack
        self.origin = stack.base_url
        self.problems: list[str] = []
        self.offline = False
        self.shots = 0
        self.contexts = []
        self.pages: list[Page] = []

    def open(self, device: dict):
        context = self.browser.new_context(**device, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        page = context.new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception on {page.url}: {error}"))
        page.on("response", lambda response: self._response(response))
        self.contexts.append(context)
        self.pages.append(page)
        return context, page

    def _console(self, page: Page, message) -> None:
        if message.type != "error":
            return
        if self.offline and OFFLINE_NOISE in message.text:  # exam.js retries until the network returns
            return
        self.problems.append(f"console error on {page.url}: {message.text} ({message.location})")

    def _response(self, response) -> None:
        if response.status >= 500 and response.url.startswith(self.origin):
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")

    def set_offline(self, context, offline: bool) -> None:
        """Cut or restore a context's network. The browser reports a request that failed while offline
        before it obeys the next command, so once the network is back no such message is excused."""
        if offline:
            self.offline = True
        context.set_offline(offline)
        if not offline:
            self.offline = False

    def shot(self, page: Page, name: str, full_page: bool = True) -> None:
        """A numbered screenshot (the whole page, or what the screen shows), then no error so far."""
        self.shots += 1
        page.screenshot(path=str(self.stack.artifacts / f"{self.shots:02d}-{name}.png"), full_page=full_page)
        self.assert_clean()

    def assert_clean(self) -> None:
        assert not self.problems, "the browser saw errors:\n" + "\n".join(self.problems)

    def sign_in(self, page: Page, username: str) -> None:
        page.goto(f"{self.origin}/login")
        page.locator("#username").fill(username)
        page.locator("#password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        expect(page.locator("nav a[href='/inbox/']")).to_be_visible()

    def close(self, failed: bool) -> None:
        for n, page in enumerate(self.pages):
            if failed and not page.is_closed():
                try:
                    page.screenshot(path=str(self.stack.artifacts / f"FAILED-page{n}.png"), full_page=True)
                except Exception as error:  # noqa: BLE001 (a last picture is best effort)
                    print(f"no screenshot of page {n}: {error}")
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, browser, stack):
    trip = Journey(browser, stack)
    yield trip
    trip.close(getattr(request.node, "e2e_failed", True))


def available_points(page: Page) -> int:
    """The first balance card of /points/: the person's own available points."""
    return int(page.locator(".points-figure").first.inner_text().strip())


def pending_answers(page: Page, attempt_id: int) -> dict:
    """What exam.js keeps in localStorage, still to be sent."""
    raw = page.evaluate("key => localStorage.getItem(key)", f"eduapp-attempt-{attempt_id}")
    return json.loads(raw) if raw else {}


def wait_until_synced(page: Page, attempt_id: int) -> None:
    """Nothing left in the phone's queue, and the offline notice gone. exam.js sends at once when the
    browser says it is online again, and retries anyway after at most 30 s: wait longer than that."""
    page.wait_for_function("key => (localStorage.getItem(key) || '{}') === '{}'", arg=f"eduapp-attempt-{attempt_id}",
                           timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("#sync-status")).to_be_hidden(timeout=SYNC_TIMEOUT_MS)


def answer(page: Page, item) -> None:
    """Give the right answer to one question, as a person would: tap options, type in blanks."""
    box = page.locator(f"#item-{item.id}")
    box.scroll_into_view_if_needed()
    key = item.answer
    if item.qtype == "single":
        box.locator(f"#q{item.id}o{key[0]}").check()
    elif item.qtype == "multiple":
        for option in key:
            box.locator(f"#q{item.id}o{option}").check()
    elif item.qtype == "true_false":
        box.locator(f"#q{item.id}{'true' if key else 'false'}").check()
    else:  # fill in the blank: the first accepted wording of each blank
        for n, alternatives in enumerate(key):
            box.locator(f"#q{item.id}b{n}").fill(alternatives[0])
        # Moving on (the blur) queues the whole answer at once; without it, only the blanks left before
        # the last would be queued until the typing pause ends, and a quick check could see them synced.
        box.locator(f"#q{item.id}b{len(key) - 1}").blur()
    expect(page.locator(f"[data-sheet='{item.id}']")).to_have_class(re.compile(r"\banswered\b"))


def saved_responses(stack, item_ids: list[int]) -> dict[int, object]:
    rows = stack.query("SELECT id, response FROM attempt_items WHERE id = ANY(:ids)", ids=item_ids)
    return {row.id: row.response for row in rows}


def test_exam_offline_then_offset_review_dashboard_and_reminders(journey, stack):
    base = stack.base_url

    # --- an employee takes the exam on a phone ------------------------------------------------------
    _, phone = journey.open(PHONE)
    phone_context = phone.context
    journey.sign_in(phone, "demo-staff")
    journey.shot(phone, "staff-signed-in")

    phone.goto(f"{base}/points/")
    points_before = available_points(phone)
    journey.shot(phone, "staff-points-before")

    phone.locator(".navbar-toggler").tap()
    phone.locator("#nav a[href='/exams/']").tap()
    phone.wait_for_url(f"{base}/exams/")
    card = phone.locator(".card").filter(has=phone.get_by_role("heading", name=EXAM, exact=True))
    expect(card).to_have_count(1)
    journey.shot(phone, "staff-my-exams")
    card.locator("form[action$='/start'] button[type=submit]").tap()
    phone.wait_for_url(re.compile(r"/exams/attempts/\d+$"))
    attempt_id = int(re.search(r"/attempts/(\d+)", phone.url).group(1))
    journey.shot(phone, "exam-first-question")

    # The test owns the database: it reads the answer key to pass, as a well-prepared employee would.
    items = stack.query("""
        SELECT ai.id, ai.position, qv.qtype, qv.answer FROM attempt_items ai
        JOIN question_versions qv ON qv.id = ai.question_version_id
        WHERE ai.attempt_id = :attempt ORDER BY ai.position""", attempt=attempt_id)
    assert len(items) == 20

    # All questions on one page, so that the employee can go on answering without the network.
    phone.locator(f"a[href='/exams/attempts/{attempt_id}?all=1']").tap()
    phone.wait_for_url(f"{base}/exams/attempts/{attempt_id}?all=1")
    expect(phone.locator("fieldset.question")).to_have_count(20)

    online_first, offline, online_after = items[:8], items[8:10], items[10:]
    for item in online_first:
        answer(phone, item)
    wait_until_synced(phone, attempt_id)
    assert all(r is not None for r in saved_responses(stack, [i.id for i in online_first]).values())
    journey.shot(phone, "exam-answered-online", full_page=False)

    # --- the network drops ----------------------------------------------------------------------------
    journey.set_offline(phone_context, True)
    for item in offline:
        answer(phone, item)
    notice = phone.locator("#sync-status")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(phone.locator("#exam").get_attribute("data-t-offline"))
    queued = pending_answers(phone, attempt_id)
    assert set(queued) == {str(i.id) for i in offline}, queued
    assert saved_responses(stack, [i.id for i in offline]) == {i.id: None for i in offline}
    journey.shot(phone, "exam-offline-answer", full_page=False)
    phone.evaluate("window.scrollTo(0, 0)")
    journey.shot(phone, "exam-offline-notice", full_page=False)

    # --- and returns: the queued answers go out by themselves --------------------------------------
    journey.set_offline(phone_context, False)
    wait_until_synced(phone, attempt_id)
    saved = saved_responses(stack, [i.id for i in offline])
    assert all(response is not None for response in saved.values()), saved
    journey.shot(phone, "exam-back-online-synced", full_page=False)

    for item in online_after:
        answer(phone, item)
    wait_until_synced(phone, attempt_id)
    expect(phone.locator("#answered-count")).to_have_text("20")
    journey.shot(phone, "exam-all-answered", full_page=False)

    phone.locator("#paper button[name=go][value=submit]").tap()
    phone.wait_for_url(f"{base}/exams/attempts/{attempt_id}/submit")
    journey.shot(phone, "exam-submit-confirm")
    phone.locator("main form button[type=submit]").tap()
    phone.wait_for_url(f"{base}/exams/attempts/{attempt_id}/result")

    (attempt,) = stack.query("SELECT score, max_score, passed, points_awarded FROM attempts WHERE id = :id",
                             id=attempt_id)
    assert attempt.passed and attempt.score == attempt.max_score == 10_000, attempt
    assert attempt.points_awarded > 0
    expect(phone.locator("main .display-6")).to_contain_text("100")
    expect(phone.locator("main .badge.text-bg-success").first).to_be_visible()
    expect(phone.locator("main")).to_contain_text(str(attempt.points_awarded))
    journey.shot(phone, "exam-result", full_page=False)

    phone.goto(f"{base}/points/")
    assert available_points(phone) == points_before + attempt.points_awarded
    journey.shot(phone, "staff-points-after")

    # --- the enterprise contact applies to offset part of a fine ---------------------------------------
    _, contact = journey.open(DESKTOP)
    journey.sign_in(contact, "demo-contact")
    contact.goto(f"{base}/offsets/")
    journey.shot(contact, "contact-offsets")
    contact.get_by_role("link", name=CASE, exact=True).click()
    contact.wait_for_url(re.compile(r"/offsets/cases/\d+$"))
    apply_button = contact.locator("form[action$='/apply'] button[type=submit]")
    expect(apply_button).to_be_visible()
    expect(contact.locator("main .alert-success")).to_be_visible()  # the preview: eligible, with the amount
    journey.shot(contact, "contact-offset-preview")
    contact.locator("input[name=undertaking]").check()  # the undertaking (承诺) must be accepted
    apply_button.click()
    contact.wait_for_url(re.compile(r"/offsets/applications/\d+$"))
    application_id = int(re.search(r"/applications/(\d+)", contact.url).group(1))
    journey.shot(contact, "contact-applied")

    def status() -> str:
        return stack.query("SELECT status FROM offset_applications WHERE id = :id", id=application_id)[0].status

    assert status() == "pending_officer"

    # --- three bureau people decide, each in a browser of their own ------------------------------------
    for username, step, after in (("demo-officer", "officer", "pending_reviewer"),
                                  ("demo-reviewer", "reviewer", "pending_approver"),
                                  ("demo-approver", "approver", "approved")):
        _, desk = journey.open(DESKTOP)
        journey.sign_in(desk, username)
        desk.goto(f"{base}/offsets/review")
        row = desk.locator("tbody tr").filter(has=desk.get_by_role("link", name=CASE, exact=True))
        expect(row).to_have_count(1)
        journey.shot(desk, f"{step}-queue")
        row.get_by_role("link", name=CASE, exact=True).click()
        desk.wait_for_url(f"{base}/offsets/applications/{application_id}")
        desk.locator("select[name=decision]").select_option("approve")
        desk.locator("textarea[name=comment]").fill(f"E2E: {step} approves.")
        journey.shot(desk, f"{step}-decision")
        with desk.expect_navigation():
            desk.locator("main form:has(select[name=decision]) button[type=submit]").click()
        expect(desk.locator("main .alert-success")).to_be_visible()  # "Decision recorded."
        expect(desk.locator("select[name=decision]")).to_have_count(0)
        expect(desk.locator("main ol.small")).to_contain_text(f"E2E: {step} approves.")
        assert status() == after
        journey.shot(desk, f"{step}-decided")
    # The approved offset has its decision record.
    expect(desk.locator(f"a[href='/offsets/applications/{application_id}/record']")).to_be_visible()

    (granted,) = stack.query("SELECT offset_fen, fine_after FROM offset_applications WHERE id = :id",
                       id=application_id)
    assert granted.offset_fen > 0

    # --- the bureau dashboard shows the offset ---------------------------------------------------------
    desk.goto(f"{base}/dashboard/")
    granted_row = desk.locator("main table tbody tr").filter(has_text=CASE).filter(has_text=yuan(granted.offset_fen))
    expect(granted_row).to_have_count(1)
    granted_row.scroll_into_view_if_needed()
    journey.shot(desk, "dashboard")

    # --- the day's reminders reach the inbox, sent by the Celery worker --------------------------------
    days = {datetime.now(CHINA).date().isoformat()}
    created = stack.run_task("eduapp.reminders.scan")
    assert sum(created.values()) > 0, created
    contact.goto(f"{base}/inbox/")
    days.add(datetime.now(CHINA).date().isoformat())  # a run across midnight: either day is today
    mine = stack.query("""SELECT r.created_at, r.read_at FROM reminders r JOIN users u ON u.id = r.recipient_id
                          WHERE u.username = 'demo-contact'""")
    todays = [r for r in mine if r.created_at.astimezone(CHINA).date().isoformat() in days]
    assert todays, f"the scan wrote no reminder for demo-contact: {created}"
    listed = contact.locator("main .list-group-item")
    expect(listed).to_have_count(min(len(mine), 20))
    shown_today = [n for n in range(listed.count()) if any(day in listed.nth(n).inner_text() for day in days)]
    assert len(shown_today) == min(len(todays), 20)
    unread = sum(1 for r in mine if r.read_at is None)
    expect(contact.locator("nav a[href='/inbox/'] .badge")).to_contain_text(str(unread))

    # The worker sends each of them by e-mail and SMS too (console backends here).
    deliveries = """SELECT d.channel, d.status, d.last_error FROM reminder_deliveries d
                    JOIN reminders r ON r.id = d.reminder_id JOIN users u ON u.id = r.recipient_id
                    WHERE u.username = 'demo-contact' AND d.channel IN ('email', 'sms')"""
    deadline = time.monotonic() + 120
    while any(d.status in PENDING for d in stack.query(deliveries)) and time.monotonic() < deadline:
        time.sleep(0.5)
    sent = stack.query(deliveries)
    assert {d.channel for d in sent} == {"email", "sms"}, sent
    assert all(d.status == "sent" for d in sent), sent
    journey.shot(contact, "contact-inbox")
    journey.assert_clean()
