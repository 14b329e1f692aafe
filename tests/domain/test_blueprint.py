import random

from eduapp.domain.blueprint import Candidate, Section, check_sections, draw, matches, max_score, shortfalls


def _bank():
    cands = []
    n = 0
    for law, category in (("大气法", "生态环境法律/大气"), ("水法", "生态环境法律/水"), ("处罚法", "行政法律/处罚")):
        for qtype in ("single", "multiple", "true_false"):
            for difficulty in (1, 2, 3, 4, 5):
                n += 1
                cands.append(Candidate(n, 1000 + n, qtype, difficulty, category, law, frozenset({f"t{difficulty}"})))
    return cands


def test_matching_rules():
    c = Candidate(1, 1, "single", 3, "生态环境法律/大气/罚则", "大气法", frozenset({"处罚"}))
    assert matches(Section("s", "single", 1, 1, categories=("生态环境法律",)), c)
    assert matches(Section("s", "single", 1, 1, categories=("生态环境法律/大气",)), c)
    assert not matches(Section("s", "single", 1, 1, categories=("生态环境法律/大",)), c)  # not a sub-category
    assert not matches(Section("s", "single", 1, 1, difficulty_min=4), c)
    assert not matches(Section("s", "multiple", 1, 1), c)
    assert matches(Section("s", "single", 1, 1, laws=("水法", "大气法"), tags=("其他", "处罚")), c)
    assert not matches(Section("s", "single", 1, 1, tags=("其他",)), c)


def test_shortfall_names_section_and_numbers():
    # 15 single-choice questions: section 1 fits; 6 true/false of difficulty 4-5, 7 wanted
    sections = [Section("单选", "single", 10, 2), Section("难判断", "true_false", 7, 1, difficulty_min=4)]
    [problem] = shortfalls(sections, _bank())
    assert (problem.row, problem.field) == (2, "sections")
    assert problem.params == {"n": 2, "title": "难判断", "count": 7, "available": 6, "short": 1}
    assert "the bank has only" in problem.msgid


def test_overlapping_sections_compete_for_questions():
    bank = _bank()
    # 3 true/false of difficulty 5 exist; "any true/false" must leave them to the strict section
    sections = [Section("任意判断", "true_false", 12, 1), Section("最难判断", "true_false", 3, 1, difficulty_min=5)]
    assert shortfalls(sections, bank) == []
    sections = [Section("任意判断", "true_false", 13, 1), Section("最难判断", "true_false", 3, 1, difficulty_min=5)]
    [problem] = shortfalls(sections, bank)
    assert "other sections take some of them" in problem.msgid and problem.params["short"] == 1


def test_draw_is_random_distinct_and_complete():
    bank = _bank()
    sections = [Section("单选", "single", 5, 2), Section("多选", "multiple", 5, 4, laws=("水法", "大气法")),
                Section("判断", "true_false", 3, 1)]
    papers = [draw(sections, bank, random.Random(seed)) for seed in range(20)]
    for paper in papers:
        ids = [item.candidate.question_id for item in paper]
        assert len(ids) == len(set(ids)) == 13
        assert sorted(item.slot for item in paper) == list(range(13))
        assert all(matches(sections[item.section], item.candidate) for item in paper)
        assert sum(item.points for item in paper) == max_score(sections) == 33
    assert len({tuple(item.candidate.question_id for item in paper) for paper in papers}) > 15
    in_order = draw(sections, bank, random.Random(1), shuffle=False)
    assert [item.slot for item in in_order] == list(range(13))


def test_section_fields_are_checked():
    problems = check_sections([Section("", "essay", 0, 0, difficulty_min=4, difficulty_max=2)])
    assert [p.field for p in problems] == ["qtype", "count", "points", "difficulty"]
    assert all(p.row == 1 for p in problems)
    assert check_sections([])[0].field == "sections"
