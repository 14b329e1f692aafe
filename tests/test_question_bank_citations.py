"""Every question of question_bank/ cites an article that exists, in the statute texts of
../shared/laws and ../shared/laws-local; a fill-in-the-blank answer must stand in the article it cites."""

from pathlib import Path

import pytest

from eduapp.domain.formats import yaml_format
from eduapp.domain.laws import parse_law
from eduapp.domain.questions import FILL_BLANK, normalise_text

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "question_bank"
LAWS_DIR = ROOT.parent / "shared" / "laws"
LAWS_LOCAL_DIR = ROOT.parent / "shared" / "laws-local"

pytestmark = pytest.mark.skipif(not LAWS_DIR.is_dir(), reason="the shared statutes (../shared/laws) are absent")


@pytest.fixture(scope="module")
def statutes() -> dict[str, dict[str, str]]:
    """title -> {article label -> text}"""
    found = {}
    for path in [*LAWS_DIR.glob("*.md"), *LAWS_LOCAL_DIR.glob("*.md")]:
        doc, problems = parse_law(path.read_text(encoding="utf-8"), path.stem)
        assert problems == [], path.name
        found[doc.title] = {a.label: a.text for a in doc.articles}
    return found


def _bank():
    for path in sorted(BANK.glob("*.yaml")):
        result = yaml_format.parse(path.read_bytes(), filename=path.name)
        assert result.problems == [], (path.name, result.problems)
        yield path, result.questions


def test_every_citation_names_an_existing_article(statutes):
    wrong = []
    count = 0
    for path, questions in _bank():
        for q in questions:
            count += 1
            articles = statutes.get(q.law)
            if articles is None:
                wrong.append(f"{path.name}:{q.line} {q.external_id}: no statute titled {q.law}")
            elif q.article not in articles:
                wrong.append(f"{path.name}:{q.line} {q.external_id}: {q.law} has no {q.article}")
    assert wrong == []
    assert count >= 300


def test_fill_in_the_blank_answers_stand_in_the_cited_article(statutes):
    wrong = []
    for path, questions in _bank():
        for q in questions:
            if q.qtype != FILL_BLANK:
                continue
            text = normalise_text(statutes[q.law][q.article])
            for alternatives in q.answer:
                if not any(normalise_text(a) in text for a in alternatives):
                    wrong.append(f"{path.name}:{q.line} {q.external_id}: {alternatives} not in {q.article}")
    assert wrong == []


def test_each_file_is_one_statute_with_its_own_id_prefix(statutes):
    for path, questions in _bank():
        laws = {q.law for q in questions}
        assert len(laws) == 1 and laws <= statutes.keys(), path.name
        prefixes = {q.external_id.rsplit("-", 1)[0] for q in questions}
        assert len(prefixes) == 1, (path.name, prefixes)
        assert all(q.explanation.strip() for q in questions), path.name
