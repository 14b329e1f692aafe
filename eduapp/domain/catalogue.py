"""The violation catalogue file (eduapp/data/violations.yaml, loaded by ``eduapp cases catalogue``):
each violation type's code, the article that punishes it, and how its fine is set (a fixed range, a
multiple of an amount, or per occurrence: see eduapp/domain/fines.py), with the §29 groups of codes
that can describe one act. Problems carry the entry number as row and name the field."""

from __future__ import annotations

import re
from dataclasses import dataclass

from eduapp.domain.fines import FINE_METHODS, MAX_BASIS_FEN, MAX_FEN, MULTIPLE, PER_OCCURRENCE, RANGE, FineRule
from eduapp.domain.laws import LABEL_RE, chinese_to_int, parse_label
from eduapp.domain.problems import N_, Problem

# Code prefixes of the starter catalogue and the statute each stands for.
LAW_PREFIXES = {
    "EPL": "中华人民共和国环境保护法",
    "AIR": "中华人民共和国大气污染防治法",
    "WATER": "中华人民共和国水污染防治法",
    "SOLID": "中华人民共和国固体废物污染环境防治法",
    "SOIL": "中华人民共和国土壤污染防治法",
    "NOISE": "中华人民共和国噪声污染防治法",
    "EIA": "中华人民共和国环境影响评价法",
    "MARINE": "中华人民共和国海洋环境保护法",
    "PERMIT": "排污许可管理条例",
    "CONSTR": "建设项目环境保护管理条例",
}
# AIR-99-1: 第九十九条 第（一）项; EIA-31-K3: 第三十一条 第三款; NOISE-75: the whole article.
CODE_RE = re.compile(r"^(?P<prefix>[A-Z]{2,10})-(?P<article>\d{1,4})(?:-(?:(?P<item>\d{1,2})|K(?P<para>\d{1,2})))?$")
_NUM = "一二三四五六七八九十"
ITEM_RE = re.compile(rf"^第（(?P<num>[{_NUM}]+)）项$")
PARAGRAPH_RE = re.compile(rf"^第(?P<num>[{_NUM}]+)款$")
CATALOGUE_FIELDS = (
    "name", "law", "article", "clause", "fine_min", "fine_max", "fine_note", "active",
    # how the fine is computed (issue 14 items 3 and 8)
    "fine_method", "basis", "basis_floor", "multiple_min_percent", "multiple_max_percent", "same_act_group",
    "min_harm",
)  # fmt: skip
MULTIPLE_FIELDS = ("basis", "basis_floor", "multiple_min_percent", "multiple_max_percent")
GROUP_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
MIN_HARMS = ("minor", "general", "serious")
MAX_PERCENT = 10_000  # 100×
# Words of fine_note that tell how the statute sets the fine; the method must agree with them.
NOTE_METHOD = (("每次", PER_OCCURRENCE), ("倍", MULTIPLE), ("百分之", MULTIPLE))


@dataclass(frozen=True)
class ViolationRecord:
    entry: int  # 1-based position in the file
    code: str
    name: str
    law: str
    article: str
    clause: str | None
    fine_min: int | None
    fine_max: int | None
    fine_note: str
    active: bool = True
    fine_method: str = RANGE
    basis: str | None = None
    basis_floor: int | None = None
    multiple_min_percent: int | None = None
    multiple_max_percent: int | None = None
    same_act_group: str | None = None
    min_harm: str | None = None

    def fields(self) -> dict:
        return {k: getattr(self, k) for k in CATALOGUE_FIELDS}


def fine_rule(entry) -> FineRule:
    """The fine rule of a catalogue entry (a ViolationRecord, or anything with its fields, such as the
    ViolationType model)."""
    citation = f"《{entry.law}》{entry.article}{entry.clause or ''}"
    return FineRule(
        code=entry.code, citation=citation, method=entry.fine_method or RANGE, fine_min=entry.fine_min,
        fine_max=entry.fine_max, basis=entry.basis, basis_floor=entry.basis_floor,
        multiple_min_percent=entry.multiple_min_percent, multiple_max_percent=entry.multiple_max_percent,
        same_act_group=entry.same_act_group, min_harm=entry.min_harm, active=entry.active,
    )


def clause_position(clause: str | None) -> tuple[str, int] | None:
    """第（一）项 → ('item', 1); 第三款 → ('paragraph', 3); None for the whole article."""
    if not clause:
        return None
    for kind, pattern in (("item", ITEM_RE), ("paragraph", PARAGRAPH_RE)):
        match = pattern.match(clause)
        if match:
            return kind, chinese_to_int(match["num"])
    raise ValueError(f"not a clause: {clause!r}")


def _fen(value, fld: str, found: list[Problem], limit: int = MAX_FEN) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > limit:
        found.append(Problem(N_("Write a whole number of fen (1 yuan = 100 fen), or null."), {}, fld))
        return None
    return value


def _method(entry: dict, note: str, fine_min: int | None, fine_max: int | None, found: list[Problem]) -> dict:
    """The fields that say how the fine is computed, checked against each other and the note."""
    method = entry.get("fine_method", RANGE)
    if method not in FINE_METHODS:
        found.append(Problem(N_("“%(value)s” is not a fine method: use %(choices)s."),
                             {"value": method, "choices": ", ".join(FINE_METHODS)}, "fine_method"))
        return {}
    for word, wanted in NOTE_METHOD:
        if word in note and method != wanted:
            found.append(Problem(N_("The note says “%(word)s”: write fine_method: %(method)s."),
                                 {"word": word, "method": wanted}, "fine_method"))
            break
    out: dict = {"fine_method": method}
    if method != MULTIPLE:
        for fld in MULTIPLE_FIELDS:
            if entry.get(fld) is not None:
                found.append(Problem(N_("Only for fine_method: multiple."), {}, fld))
    else:
        basis = str(entry.get("basis") or "").strip()
        if not basis:
            found.append(Problem(N_("This field is required."), {}, "basis"))
        elif len(basis) > 50:
            found.append(Problem(N_("At most %(max)s characters."), {"max": 50}, "basis"))
        elif basis not in note:
            found.append(Problem(N_("The note does not name the amount “%(value)s”."), {"value": basis}, "basis"))
        percents = {}
        for fld in ("multiple_min_percent", "multiple_max_percent"):
            value = entry.get(fld)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PERCENT:
                found.append(Problem(N_("Write a whole percent from 1 to %(max)s (100 is 1×)."),
                                     {"max": MAX_PERCENT}, fld))
            percents[fld] = value
        low, high = percents["multiple_min_percent"], percents["multiple_max_percent"]
        if isinstance(low, int) and isinstance(high, int) and low > high:
            found.append(Problem(N_("The minimum is above the maximum."), {}, "multiple_min_percent"))
        for fld, amount in (("fine_min", fine_min), ("fine_max", fine_max)):
            if amount is not None:
                found.append(Problem(N_("A multiple sets no fixed amount: leave it null."), {}, fld))
        out |= {"basis": basis, "basis_floor": _fen(entry.get("basis_floor"), "basis_floor", found, MAX_BASIS_FEN),
                "multiple_min_percent": low, "multiple_max_percent": high}
    if method == PER_OCCURRENCE and fine_max is None:
        found.append(Problem(N_("A fine per occurrence needs its amount per occurrence."), {}, "fine_max"))
    group = entry.get("same_act_group")
    if group is not None and (not isinstance(group, str) or not GROUP_RE.match(group)):
        found.append(Problem(N_("“%(value)s” is not a group name like no_permit_discharge."), {"value": group},
                             "same_act_group"))
    out["same_act_group"] = group
    min_harm = entry.get("min_harm")
    if min_harm is not None and min_harm not in MIN_HARMS:
        found.append(Problem(N_("“%(value)s” is not a harm level: use %(choices)s."),
                             {"value": min_harm, "choices": ", ".join(MIN_HARMS)}, "min_harm"))
    out["min_harm"] = min_harm
    return out


def _lonely_groups(records: list[ViolationRecord]) -> list[Problem]:
    """A §29 group names codes that describe one act: a group of one code is a typo."""
    members: dict[str, list[ViolationRecord]] = {}
    for record in records:
        if record.same_act_group:
            members.setdefault(record.same_act_group, []).append(record)
    return [Problem(N_("No other entry is in the group “%(value)s”."), {"value": group}, "same_act_group",
                    found[0].entry) for group, found in members.items() if len(found) == 1]


def parse_catalogue(data: object) -> tuple[list[ViolationRecord], list[Problem]]:
    """Check a loaded catalogue file ({violations: [...]}); problems carry the entry number as row."""
    entries = data.get("violations") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        return [], [Problem(N_("The file must hold a list “violations” of violation types."))]
    records: list[ViolationRecord] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        found: list[Problem] = []
        if not isinstance(entry, dict):
            problems.append(Problem(N_("Each violation type is a mapping of fields."), {}, None, number))
            continue
        text = {k: str(entry.get(k) or "").strip() for k in ("code", "name", "law", "article", "clause", "fine_note")}
        for required in ("code", "name", "law", "article", "fine_note"):
            if not text[required]:
                found.append(Problem(N_("This field is required."), {}, required))
        for fld, limit in (("name", 300), ("law", 100), ("article", 32), ("clause", 32)):
            if len(text[fld]) > limit:
                found.append(Problem(N_("At most %(max)s characters."), {"max": limit}, fld))
        code = text["code"]
        match = CODE_RE.match(code)
        if code and not match:
            found.append(Problem(N_("“%(value)s” is not a code like AIR-99-1 or EIA-31-K3."), {"value": code}, "code"))
        elif code in seen:
            found.append(Problem(N_("Repeats the code of entry %(other)s."), {"other": seen[code]}, "code"))
        if text["article"] and not LABEL_RE.match(text["article"]):
            found.append(
                Problem(N_("“%(value)s” is not an article like 第九十九条."), {"value": text["article"]}, "article")
            )
        position = None
        try:
            position = clause_position(text["clause"] or None)
        except ValueError:
            found.append(
                Problem(
                    N_("“%(value)s” is not a clause like 第（一）项 or 第三款."), {"value": text["clause"]}, "clause"
                )
            )
        if match and not found:
            prefix_law = LAW_PREFIXES.get(match["prefix"])
            if prefix_law is not None and prefix_law != text["law"]:
                found.append(Problem(N_("The code's prefix stands for %(law)s."), {"law": prefix_law}, "law"))
            wanted = (
                ("item", int(match["item"]))
                if match["item"]
                else ("paragraph", int(match["para"]))
                if match["para"]
                else None
            )
            if parse_label(text["article"])[0] != int(match["article"]) or position != wanted:
                found.append(Problem(N_("The code does not match the article and clause."), {}, "code"))
        fine_min = _fen(entry.get("fine_min"), "fine_min", found)
        fine_max = _fen(entry.get("fine_max"), "fine_max", found)
        if fine_min is not None and fine_max is not None and fine_min > fine_max:
            found.append(Problem(N_("The minimum is above the maximum."), {}, "fine_min"))
        active = entry.get("active", True)
        if not isinstance(active, bool):
            found.append(Problem(N_("Write true or false."), {}, "active"))
        method = _method(entry, text["fine_note"], fine_min, fine_max, found)
        if found:
            problems.extend(Problem(p.msgid, p.params, p.field, number) for p in found)
            continue
        seen[code] = number
        records.append(
            ViolationRecord(
                entry=number,
                code=code,
                name=text["name"],
                law=text["law"],
                article=text["article"],
                clause=text["clause"] or None,
                fine_min=fine_min,
                fine_max=fine_max,
                fine_note=text["fine_note"],
                active=active,
                **method,
            )
        )
    problems.extend(_lonely_groups(records))
    return records, problems

