"""The case register import for case officers and the case system: an XLSX or CSV file of cases,
matched by case number, all or nothing, with a dry run (eduapp cases import, over HTTP)."""

from __future__ import annotations

import csv

from flask import current_app
from flask_login import current_user
from marshmallow import Schema, fields

from eduapp.api.bureau_common import (
    BureauBlueprint,
    FileUpload,
    Flag,
    ProblemRowOut,
    errors,
    file_error,
    problem_text,
    upload_name,
)
from eduapp.domain import case_register as register_rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.domain.tabular import read_rows
from eduapp.security import require
from eduapp.services import case_register

blp = BureauBlueprint("api_case_import", __name__, url_prefix="/api/v1", description="The case register import")


class CaseImportArgs(Schema):
    file = FileUpload(required=True, metadata={"description": "the case register (.xlsx or .csv), first row the "
                                                             "headers of the template"})
    dry_run = Flag(load_default=False, metadata={"description": "check and report, write nothing"})


class CaseImportOut(Schema):
    dry_run = fields.Boolean()
    written = fields.Boolean()
    added = fields.List(fields.String(), metadata={"description": "case numbers"})
    updated = fields.List(fields.String())
    unchanged = fields.List(fields.String())
    warnings = fields.List(fields.Nested(ProblemRowOut), metadata={"description": "imported all the same"})



def _records(data: bytes, name: str) -> list:
    if b"\x00" in data and not name.lower().endswith(".xlsx"):
        raise InputError([Problem(N_("The file holds NUL characters: save it as UTF-8 text or .xlsx."), {}, "file")])
    try:
        rows = read_rows(data, name, headers=register_rules.HEADERS, required=register_rules.REQUIRED,
                         max_rows=current_app.config["IMPORT_MAX_ROWS"],
                         max_unpacked_mb=current_app.config["IMPORT_MAX_UNPACKED_MB"])
    except csv.Error as error:
        raise InputError([Problem(N_("The CSV file cannot be read: %(error)s"), {"error": str(error)}, "file")])
    records, problems = register_rules.parse_case_rows(rows)
    if problems:
        raise InputError(problems)
    return records


@blp.route("/cases/import", methods=["POST"])
@require(Permission.CASES_HANDLE)
@errors(blp, 400, 413)
@blp.arguments(CaseImportArgs, location="files")
@blp.response(200, CaseImportOut)
def import_cases(args):
    """Import or update cases from a case register, matched by case number, all or nothing: a file
    with any problem imports nothing and answers 422 with each problem's row, field and column."""
    upload = args["file"]
    name = upload_name(upload.filename)
    try:
        summary = case_register.import_cases(current_user, _records(upload.read(), name), dry_run=args["dry_run"])
    except InputError as error:
        raise file_error(error.problems, register_rules.HEADERS, file=name)
    warnings = []
    for p in summary.warnings:
        warning = {"row": p.row, "field": p.field, "message": problem_text(p)}
        if p.field in register_rules.HEADERS:
            warning["column"] = register_rules.HEADERS[p.field][0]
        warnings.append(warning)
    return {"dry_run": args["dry_run"], "written": summary.written, "added": summary.added,
            "updated": summary.updated, "unchanged": summary.unchanged, "warnings": warnings}


