"""An enterprise register file (eduapp orgs import): headers and the checks on each row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eduapp.domain import uscc
from eduapp.domain.problems import N_, Problem
from eduapp.domain.tabular import Row, parse_date

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "名称", "name"),
    "uscc": ("统一社会信用代码", "信用代码", "uscc"),
    "legal_representative": ("法定代表人", "legal_representative"),
    "env_manager": ("环保负责人", "env_manager"),
    "industry": ("行业", "所属行业", "industry"),
    "district": ("所属区县", "区县", "district"),
    "permit_number": ("排污许可证编号", "排污许可证号", "permit_number"),
    "permit_expires_on": ("排污许可证有效期至", "许可证有效期至", "permit_expires_on"),
}
REQUIRED = ("name", "uscc")
TEXT_LIMITS = {
    "name": 200,
    "legal_representative": 100,
    "env_manager": 100,
    "industry": 100,
    "district": 100,
    "permit_number": 64,
}


@dataclass(frozen=True)
class EnterpriseRecord:
    row: int
    name: str
    uscc: str
    legal_representative: str | None
    env_manager: str | None
    industry: str | None
    district: str | None
    permit_number: str | None
    permit_expires_on: date | None

    def fields(self) -> dict:
        return {k: getattr(self, k) for k in HEADERS}


def parse_enterprise_rows(rows: list[Row]) -> tuple[list[EnterpriseRecord], list[Problem]]:
    records: list[EnterpriseRecord] = []
    problems: list[Problem] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row in rows:
        v = row.values
        found: list[Problem] = []
        for fld, limit in TEXT_LIMITS.items():
            if len(v.get(fld, "")) > limit:
                found.append(Problem(N_("At most %(max)s characters."), {"max": limit}, fld))
        name = v.get("name", "")
        if not name:
            found.append(Problem(N_("This field is required."), {}, "name"))
        elif name in seen_names:
            found.append(Problem(N_("Repeats the name of row %(other)s."), {"other": seen_names[name]}, "name"))
        code = ""
        try:
            code = uscc.validate(v.get("uscc", ""))
        except uscc.USCCError as err:
            found.append(Problem(err.msgid, err.params, "uscc"))
        if code and code in seen_codes:
            found.append(Problem(N_("Repeats the code of row %(other)s."), {"other": seen_codes[code]}, "uscc"))
        expires = None
        if v.get("permit_expires_on"):
            expires = parse_date(v["permit_expires_on"])
            if expires is None:
                found.append(
                    Problem(
                        N_("“%(value)s” is not a date (use 2026-12-31)."),
                        {"value": v["permit_expires_on"]},
                        "permit_expires_on",
                    )
                )
        if found:
            problems.extend(Problem(p.msgid, p.params, p.field, row.number) for p in found)
            continue
        seen_codes[code] = row.number
        seen_names[name] = row.number
        records.append(
            EnterpriseRecord(
                row=row.number,
                name=name,
                uscc=code,
                legal_representative=v.get("legal_representative") or None,
                env_manager=v.get("env_manager") or None,
                industry=v.get("industry") or None,
                district=v.get("district") or None,
                permit_number=v.get("permit_number") or None,
                permit_expires_on=expires,
            )
        )
    return records, problems
