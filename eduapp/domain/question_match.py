"""Which bank question an imported question without an id is (Aiken, Word and any file without ids).

Re-importing such a file must not add its questions again. A question without an id is the bank
question whose current version has the same **content key**: the type, the stem, the set of options
and the correct options' texts (a true/false question's truth, a fill-in's accepted answers), each
text normalised (normalise()): full-width forms folded (NFKC), white space and punctuation dropped,
case folded, Markdown escapes undone. So ``1．下列……（  ）`` typed again as ``下列……( )`` with the
options in another order is the same question; another stem, another option or another answer is not.

A matched question is unchanged when the file adds nothing to it. When the file gives an explanation,
a citation or tags the bank's version lacks or has otherwise, merged() is the bank's version with
them: a new version (its stem, options and answer stay the bank's wording; its difficulty too, which a
file without the field cannot distinguish from the default). Category and status never change.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from eduapp.domain.formats.text_files import markdown_to_plain
from eduapp.domain.questions import CHOICE_TYPES, FILL_BLANK, QuestionData

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``" 下列（  ）ＡＢ，c "`` -> ``"下列abc"``: NFKC, no white space, no punctuation, case folded."""
    plain = unicodedata.normalize("NFKC", markdown_to_plain(text or ""))
    kept = "".join(ch for ch in _SPACE.sub("", plain) if not unicodedata.category(ch).startswith("P"))
    return kept.casefold()


def content_key(q: QuestionData) -> str:
    """The same for two versions of one question typed differently (see the module's rule)."""
    if q.qtype in CHOICE_TYPES:
        options = [normalise(o) for o in q.options]
        answer: object = sorted(options[i] for i in q.answer if isinstance(i, int) and 0 <= i < len(options))
        options = sorted(options)
    elif q.qtype == FILL_BLANK:
        options, answer = [], [sorted(normalise(a) for a in alts) for alts in q.answer]
    else:
        options, answer = [], bool(q.answer)
    payload = json.dumps([q.qtype, normalise(q.stem), options, answer], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def merged(bank: QuestionData, incoming: QuestionData) -> QuestionData:
    """The bank's version with what the file adds: its explanation, citation and tags where it gives them."""
    changes: dict = {}
    if incoming.explanation.strip():
        changes["explanation"] = incoming.explanation
    if incoming.law:
        changes["law"], changes["article"] = incoming.law, incoming.article
    if incoming.tags:
        changes["tags"] = incoming.tags
    return bank.with_(**changes)
