"""The question bank for question editors: list and filter, one question with its versions, import
a file (with a dry run) and export the bank in any of the six formats."""

from __future__ import annotations

from flask import Response, abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from eduapp.api.bureau_common import (
    ID,
    BureauBlueprint,
    FileUpload,
    Flag,
    PageArgs,
    Text,
    errors,
    file_error,
    page_out,
    page_schema,
    upload_name,
)
from eduapp.domain.formats import registry
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import QTYPES, STATUSES
from eduapp.domain.roles import Permission
from eduapp.domain.upload_types import QUESTION_TYPES, type_problem
from eduapp.extensions import db
from eduapp.models import Question
from eduapp.security import require
from eduapp.services import bureau_queries, question_bank
from eduapp.services.question_export import render
from eduapp.services.question_import import import_files

blp = BureauBlueprint("api_questions", __name__, url_prefix="/api/v1", description="The question bank (editors)")

MIME = {
    "yaml": "application/x-yaml",
    "gift": "text/plain",
    "aiken": "text/plain",
    "moodle-xml": "application/xml",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class QuestionFilters(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    type = fields.String(validate=validate.OneOf(QTYPES), metadata={"description": "the question type (qtype)"})
    law = Text(validate=validate.Length(min=1, max=100), metadata={"description": "the statute's full title"})
    q = Text(validate=validate.Length(min=1, max=200), metadata={"description": "text in the stem, options, "
                                                                              "explanation or tags, or the id"})


class QuestionListArgs(PageArgs, QuestionFilters):
    pass


class VersionOut(Schema):
    number = fields.Integer()
    created_at = fields.DateTime()


class QuestionOut(Schema):
    id = fields.Integer()
    uid = fields.String(metadata={"description": "the stable id the import files use"})
    status = fields.String(metadata={"description": "draft | published | retired"})
    category = fields.String(allow_none=True)
    version = fields.Integer(metadata={"description": "the current version's number"})
    qtype = fields.String(metadata={"description": "single | multiple | true_false | fill_blank"})
    stem = fields.String()
    options = fields.List(fields.String())
    answer = fields.Raw(metadata={"description": "choice: option indices (0-based); true_false: true or false; "
                                                 "fill_blank: per blank, the accepted answers"})
    explanation = fields.String()
    law = fields.String(allow_none=True)
    article = fields.String(allow_none=True)
    difficulty = fields.Integer()
    tags = fields.List(fields.String())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class QuestionDetailOut(QuestionOut):
    versions = fields.List(fields.Nested(VersionOut))


QuestionPageOut = page_schema("QuestionPageOut", QuestionOut)


class QuestionImportArgs(Schema):
    file = FileUpload(required=True, metadata={"description": "a question file (YAML, GIFT, Aiken, Moodle XML, "
                                                             "CSV or the Excel template)"})
    format = fields.String(load_default="auto", validate=validate.OneOf(["auto", *registry.FORMATS]),
                           metadata={"description": "auto: from the file name (and, for .txt, the content)"})
    category = Text(load_default=None, validate=validate.Length(min=1, max=300),
                    metadata={"description": "category path for questions whose file names none"})
    dry_run = Flag(load_default=False, metadata={"description": "report what would change, write nothing"})
    skip_invalid = Flag(load_default=False,
                                  metadata={"description": "import the valid questions even when others are rejected"})


class ReportItemOut(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True, metadata={"description": "where the question starts (line or sheet row)"})
    id = fields.String(allow_none=True, metadata={"description": "the question's id in the file, if it has one"})
    text = fields.String(metadata={"description": "the stem's beginning, or why it was skipped"})


class RejectedOut(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    field = fields.String(allow_none=True)
    reason = fields.String()


class ImportCountsOut(Schema):
    added = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    skipped = fields.Integer()
    rejected = fields.Integer()


class QuestionImportOut(Schema):
    dry_run = fields.Boolean()
    written = fields.Boolean(metadata={"description": "whether the bank was changed"})
    counts = fields.Nested(ImportCountsOut)
    added = fields.List(fields.Nested(ReportItemOut))
    updated = fields.List(fields.Nested(ReportItemOut))
    unchanged = fields.List(fields.Nested(ReportItemOut))
    skipped = fields.List(fields.Nested(ReportItemOut), metadata={"description": "question types we do not have"})
    rejected = fields.List(fields.Nested(RejectedOut))
    ignored_files = fields.List(fields.String())


class QuestionExportArgs(QuestionFilters):
    format = fields.String(required=True, validate=validate.OneOf(list(registry.FORMATS)))


def question_out(question: Question, detail: bool = False) -> dict:
    version = question.current
    data = {
        "id": question.id, "uid": question.uid, "status": question.status,
        "category": question.category.path if question.category else None,
        "version": version.number, "qtype": version.qtype, "stem": version.stem, "options": list(version.options),
        "answer": version.answer, "explanation": version.explanation, "law": version.law,
        "article": version.article, "difficulty": version.difficulty, "tags": list(version.tags),
        "created_at": question.created_at, "updated_at": question.updated_at,
    }
    if detail:
        data["versions"] = [{"number": v.number, "created_at": v.created_at} for v in question.versions]
    return data


def _filtered(args: dict):
    return bureau_queries.questions(status=args.get("status"), qtype=args.get("type"), law=args.get("law"),
                                    q=(args.get("q") or "").strip() or None)


@blp.route("/questions")
@require(Permission.QUESTIONS_EDIT)
@errors(blp)
@blp.arguments(QuestionListArgs, location="query")
@blp.response(200, QuestionPageOut)
def list_questions(args):
    """Questions by id, filtered by status, type, law and text (``per_page`` at most 100)."""
    items, total = bureau_queries.paginate(_filtered(args), args["page"], args["per_page"])
    return page_out([question_out(q) for q in items], total, args)


@blp.route(f"/questions/<{ID}:question_id>")
@require(Permission.QUESTIONS_EDIT)
@errors(blp, 404)
@blp.response(200, QuestionDetailOut)
def get_question(question_id: int):
    """One question: its current version and the list of its versions."""
    question = db.session.get(Question, question_id)
    if question is None or question.current is None:
        abort(404)
    return question_out(question, detail=True)


@blp.route("/questions/import", methods=["POST"])
@require(Permission.QUESTIONS_EDIT)
@errors(blp, 400, 413)
@blp.arguments(QuestionImportArgs, location="files")
@blp.response(200, QuestionImportOut)
def import_questions(args):
    """Import a question file: what it adds, updates, leaves unchanged, skips and rejects, each with its
    file and line. A file with a rejected question writes nothing (422 with every problem's line),
    unless ``skip_invalid``; ``dry_run`` only reports (200, rejections included)."""
    upload = args["file"]
    name = upload_name(upload.filename)
    data = upload.read()
    if b"\x00" in data and args["format"] not in ("xlsx", "docx") and not name.lower().endswith((".xlsx", ".docx")):
        # The database refuses NUL in text; a text file holding one is not UTF-8 text anyway.
        raise file_error([Problem(N_("The file holds NUL characters: save it as UTF-8 text or .xlsx."), {}, "file")],
                         file=name)
    report = import_files([(name, data)], fmt=args["format"], category=args["category"],
                          dry_run=args["dry_run"], skip_invalid=args["skip_invalid"], actor=current_user)
    if report.ignored_files:
        problem = type_problem(name, QUESTION_TYPES) or Problem(
            N_("Not a question file: name it .yaml, .gift.txt, .aiken.txt, .xml, .csv, .xlsx or .docx, or give its "
               "format."),
            {}, "file")
        raise file_error([problem], file=name)
    rejected = [{"file": item.file, "line": item.line, "field": problem.field, "reason": item.text}
                for item, (_, problem) in zip(report.rejected, report.problems, strict=True)]
    if rejected and not args["dry_run"] and not args["skip_invalid"]:
        problems = [problem for _, problem in report.problems]
        raise file_error([Problem(p.msgid, p.params, p.field, p.row) for p in problems], file=name)

    def items(found):
        return [{"file": i.file, "line": i.line, "id": i.uid, "text": i.text} for i in found]

    return {"dry_run": args["dry_run"], "written": report.written, "counts": report.counts(),
            "added": items(report.added), "updated": items(report.updated), "unchanged": items(report.unchanged),
            "skipped": items(report.skipped), "rejected": rejected, "ignored_files": report.ignored_files}


def _file_responses(view):
    """The export's 200 in each format's content type."""
    binary = {"type": "string", "format": "binary"}
    # A client that reads YAML sees our question file format (question_bank/FORMAT.md), a mapping.
    yaml_file = {"type": "object", "description": "a question file: law, category, questions"}
    for mime in sorted(set(MIME.values())):
        view = blp.alt_response(200, schema=yaml_file if mime == MIME["yaml"] else binary, content_type=mime,
                                success=True, headers={"X-Eduapp-Left-Out": {
                                    "description": "how many questions the format cannot express",
                                    "schema": {"type": "integer", "minimum": 0}}},
                                description="The file (the questions a format cannot express are left out; "
                                            "X-Eduapp-Left-Out counts them).")(view)
    return view


@blp.route("/questions/export")
@require(Permission.QUESTIONS_EDIT)
@errors(blp)
@blp.arguments(QuestionExportArgs, location="query")
@_file_responses
def export_questions(args):
    """The bank (or the questions the filters select) as a file in ``format``."""
    questions = [question_bank.as_data(q) for q in db.session.execute(_filtered(args)).unique().scalars()]
    data, left_out = render(args["format"], questions)
    fmt = args["format"]
    headers = {"Content-Disposition": f"attachment; filename=questions{registry.FILE_SUFFIX[fmt]}",
               "X-Eduapp-Left-Out": str(len(left_out))}
    return Response(data, mimetype=MIME[fmt], headers=headers)
