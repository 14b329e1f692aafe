"""What is due for a reminder: the occasion a lead time stands for, the fine's days, review steps."""

from __future__ import annotations

from datetime import date

import pytest

from eduapp.domain import reminders as rules


@pytest.mark.parametrize(("days_left", "leads", "expected"), [
    (8, (7, 3, 1), None),
    (7, (7, 3, 1), 7),
    (5, (7, 3, 1), 7),  # a scan that missed day 7 still sends the 7-day reminder
    (3, (7, 3, 1), 3),
    (2, (7, 3, 1), 3),
    (1, (7, 3, 1), 1),
    (0, (7, 3, 1), 1),  # closes today
    (-1, (7, 3, 1), None),  # past
    (31, (30, 7), None),
    (30, (30, 7), 30),
    (7, (30, 7), 7),
])
def test_occasion_before(days_left, leads, expected):
    assert rules.occasion_before(days_left, leads) == expected


@pytest.mark.parametrize(("days_after", "expected"), [
    (0, None), (9, None), (10, "d10"), (13, "d10"), (14, "d14"), (15, "d14"), (16, "overdue"), (200, "overdue"),
])
def test_fine_occasions_follow_the_15_days_of_article_67(days_after, expected):
    decided = date(2026, 3, 1)
    assert rules.fine_occasion(decided, date.fromordinal(decided.toordinal() + days_after)) == expected


@pytest.mark.parametrize(("days_left", "expected"), [(3.0, None), (2.0, "due"), (0.5, "due"), (0.0, "due"),
                                                     (-0.01, "overdue")])
def test_review_occasions(days_left, expected):
    assert rules.review_occasion(days_left) == expected


def test_configured_leads_replace_the_defaults_and_bad_ones_are_named():
    merged = rules.leads({"exam_closing": [1, 14, 14]})
    assert merged["exam_closing"] == (14, 1) and merged["fine_due"] == rules.DEFAULT_LEADS["fine_due"]
    with pytest.raises(ValueError, match="unknown reminder kind 'exam'"):
        rules.leads({"exam": [1]})
    with pytest.raises(ValueError, match="exam_closing"):
        rules.leads({"exam_closing": []})
    with pytest.raises(ValueError, match="permit_expiring"):
        rules.leads({"permit_expiring": [400]})


def test_study_target():
    assert rules.below_target(79, 100, 80) and not rules.below_target(80, 100, 80)
    assert not rules.below_target(0, 0, 80)  # nobody to count


def test_every_kind_has_a_template_and_a_label():
    assert set(rules.TEMPLATES) == set(rules.KINDS) == set(rules.KIND_LABELS) == set(rules.DEFAULT_LEADS)


@pytest.mark.parametrize(("step", "decision", "occasion", "subject"), [
    ("officer", "approve", "decided:officer", "Leniency application, case %(case)s: the %(step)s decided"),
    ("reviewer", "approve", "decided:reviewer", "Leniency application, case %(case)s: the %(step)s decided"),
    ("approver", "approve", "approved:approver", "Leniency approved: case %(case)s"),
    ("officer", "reject", "rejected:officer", "Leniency not approved: case %(case)s"),
    ("reviewer", "reject", "rejected:reviewer", "Leniency not approved: case %(case)s"),
    ("approver", "reject", "rejected:approver", "Leniency not approved: case %(case)s"),
])
def test_the_applicant_hears_each_step_and_the_final_decision_once(step, decision, occasion, subject):
    assert rules.outcome_occasion(step, decision) == occasion
    assert rules.template_for(rules.OFFSET_OUTCOME, occasion.split(":")[0]).subject == subject


def test_an_event_kind_has_no_lead_times():
    assert rules.OFFSET_OUTCOME in rules.KINDS and rules.leads()[rules.OFFSET_OUTCOME] == ()
    with pytest.raises(ValueError, match="offset_outcome is sent when it happens"):
        rules.leads({"offset_outcome": [1]})


# Who gets a reminder by e-mail or SMS: an address, and no opt-out (no preference saved means yes).
@pytest.mark.parametrize(("channel", "email", "phone", "wants_email", "wants_sms", "address"), [
    (rules.EMAIL, "a@example.com", "13800000001", None, None, "a@example.com"),
    (rules.EMAIL, "a@example.com", None, True, False, "a@example.com"),
    (rules.EMAIL, "a@example.com", None, False, True, None),
    (rules.EMAIL, "", "13800000001", True, True, None),
    (rules.EMAIL, None, "13800000001", None, None, None),
    (rules.SMS, None, "13800000001", None, None, "13800000001"),
    (rules.SMS, "a@example.com", "13800000001", False, True, "13800000001"),
    (rules.SMS, "a@example.com", "13800000001", True, False, None),
    (rules.SMS, "a@example.com", "", True, True, None),
    (rules.INBOX, "a@example.com", "13800000001", True, True, None),
])
def test_who_gets_a_reminder_by_email_or_sms(channel, email, phone, wants_email, wants_sms, address):
    assert rules.address_for(channel, email, phone, wants_email, wants_sms) == address
