"""An enterprise's staff roster file: headers, and the checks on each row before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from eduapp.domain.passwords import password_problems
from eduapp.domain.people import email_problem, normalise_phone, phone_problem, username_problem
from eduapp.domain.problems import N_, Problem
from eduapp.domain.roles import Role
from eduapp.domain.tabular import Row
from eduapp.domain.typed_input import fold_width

HEADERS: dict[str, tuple[str, ...]] = {
    "username": ("用户名", "账号", "username"),
    "full_name": ("姓名", "full_name", "name"),
    "phone": ("手机号", "手机", "phone", "mobile"),
    "email": ("邮箱", "电子邮箱", "email"),
    "role": ("角色", "role"),
    "password": ("初始密码", "密码", "password"),
}
REQUIRED = ("username", "full_name")
ROLE_WORDS = {
    "": Role.ENTERPRISE_STAFF,
    "员工": Role.ENTERPRISE_STAFF,
    "企业员工": Role.ENTERPRISE_STAFF,
    "staff": Role.ENTERPRISE_STAFF,
    "enterprise_staff": Role.ENTERPRISE_STAFF,
    "企业管理员": Role.ENTERPRISE_CONTACT,
    "环保负责人": Role.ENTERPRISE_CONTACT,
    "管理员": Role.ENTERPRISE_CONTACT,
    "contact": Role.ENTERPRISE_CONTACT,
    "enterprise_contact": Role.ENTERPRISE_CONTACT,
}


@dataclass(frozen=True)
class StaffRecord:
    row: int
    username: str
    full_name: str
    phone: str | None
    email: str | None
    role: Role
    password: str | None  # None: generate one


def parse_staff_rows(rows: list[Row], password_min_length: int) -> tuple[list[StaffRecord], list[Problem]]:
    records: list[StaffRecord] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        row_problems: list[Problem] = []
        username = fold_width(v.get("username", "")).strip()  # typed full-width: ｚｈａｎｇ３ is zhang3
        full_name = v.get("full_name", "")
        if not username:
            row_problems.append(Problem(N_("This field is required."), {}, "username"))
        elif (p := username_problem(username)) is not None:
            row_problems.append(p)
        elif username.lower() in seen:
            row_problems.append(
                Problem(N_("Repeats the username of row %(other)s."), {"other": seen[username.lower()]}, "username")
            )
        if not full_name:
            row_problems.append(Problem(N_("This field is required."), {}, "full_name"))
        elif len(full_name) > 100:
            row_problems.append(Problem(N_("At most %(max)s characters."), {"max": 100}, "full_name"))
        phone = v.get("phone", "")
        if (p := phone_problem(phone)) is not None:
            row_problems.append(p)
        email = v.get("email", "")
        if (p := email_problem(email)) is not None:
            row_problems.append(p)
        role = ROLE_WORDS.get(fold_width(v.get("role", "")).strip().lower())
        if role is None:
            row_problems.append(
                Problem(N_("Unknown role “%(value)s”: use 员工 or 企业管理员."), {"value": v.get("role")}, "role")
            )
        password = v.get("password", "")
        if password:
            row_problems.extend(password_problems(password, username, password_min_length))
        if row_problems:
            problems.extend(Problem(p.msgid, p.params, p.field, row.number) for p in row_problems)
            continue
        seen[username.lower()] = row.number
        records.append(
            StaffRecord(
                row=row.number,
                username=username,
                full_name=full_name,
                phone=normalise_phone(phone) or None,
                email=email or None,
                role=role,
                password=password or None,
            )
        )
    return records, problems
