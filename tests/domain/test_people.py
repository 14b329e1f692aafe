"""The e-mail address of an account (domain.people.email_problem, by email-validator), as a table."""

from __future__ import annotations

import pytest

from eduapp.domain.people import email_problem


@pytest.mark.parametrize("address", [
    "",  # no address: nothing to check
    "zhangsan@example.com",
    "li.si+reminders@hbj.gov.cn",
    "Wang.Wu@Example.COM",
    "wang_01@mail.sthj.js.gov.cn",
    "wang@生态环境.中国",  # an internationalised domain
])
def test_accepted_addresses(address):
    assert email_problem(address) is None


@pytest.mark.parametrize("address", [
    "zhangsan",
    "zhangsan@",
    "@example.com",
    "zhang san@example.com",
    "zhangsan@example",  # no dot after the @
    "zhangsan@@example.com",
    "zhangsan@example..com",
    ".zhangsan@example.com",
    "zhangsan.@example.com",
    "zhangsan@-example.com",
    "zhangsan@example.com.",
    "zhangsan@hbj.local",  # a special-use name (RFC 6761)
    "zhangsan@localhost",
    "张三@example.com",  # a non-ASCII local part: the mail channel refuses it (no SMTPUTF8)
    "z@" + "a" * 250 + ".com",  # over 254 characters
    "zhangsan@example.com\nBcc: x@example.com",
])
def test_refused_addresses_name_the_field(address):
    problem = email_problem(address)
    assert problem is not None and problem.field == "email" and problem.msgid == "Enter a valid e-mail address."
