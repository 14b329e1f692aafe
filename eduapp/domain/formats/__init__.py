"""Readers and writers of question files. Each module offers:

    parse(data: bytes, *, filename: str = "", category: str | None = None) -> ParseResult
    write(questions: list[QuestionData]) -> bytes
    unsupported(questions: list[QuestionData]) -> list[QuestionData]   # what write() leaves out

Parsers never raise for bad content: they report problems (with the line or sheet row, and the
field) in the ParseResult, and unsupported question types as Skipped.
"""
