"""Benchmark: import 10,000 generated questions from YAML, GIFT and XLSX into PostgreSQL.

Targets (issue 3): YAML and GIFT <= 5 s each, XLSX <= 15 s, peak memory <= 300 MB.
Each format is imported into an empty bank by a fresh child process, so its peak RSS is its own.

    python bench/question_import.py [--quick] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench]

The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench"
TARGETS = {"yaml": 5.0, "gift": 5.0, "xlsx": 15.0}
PEAK_MB = 300
WORDS = "企业 排污 许可证 生态环境 主管部门 罚款 责令改正 限期 监测 数据 公开 信息 大气 水 土壤 噪声 处罚 听证".split()  # noqa: SIM905
LAWS = [
    "中华人民共和国大气污染防治法",
    "中华人民共和国水污染防治法",
    "中华人民共和国环境保护法",
    "中华人民共和国行政处罚法",
]
NUMERALS = "一二三四五六七八九"


def generate(n: int, seed: int = 7):
    from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData

    rng = random.Random(seed)
    questions = []
    for i in range(n):
        kind = (SINGLE, SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK)[i % 5]
        stem = "".join(rng.choice(WORDS) for _ in range(12)) + f"（第{i}题）"
        options: tuple[str, ...] = ()
        if kind == SINGLE:
            options = tuple(f"{rng.choice(WORDS)}{rng.choice(WORDS)}{k}" for k in range(4))
            answer: object = (rng.randrange(4),)
        elif kind == MULTIPLE:
            options = tuple(f"{rng.choice(WORDS)}{rng.choice(WORDS)}{k}" for k in range(5))
            answer = tuple(sorted(rng.sample(range(5), 3)))
        elif kind == TRUE_FALSE:
            answer = bool(i % 2)
        else:
            stem += "应当在___日内完成"
            answer = (("十五", "15"),)
        questions.append(
            QuestionData(
                qtype=kind,
                stem=stem,
                answer=answer,
                options=options,
                explanation="".join(rng.sample(WORDS, 6)),
                law=rng.choice(LAWS),
                article=f"第{rng.choice(NUMERALS)}十{rng.choice(NUMERALS)}条",
                difficulty=rng.randint(1, 5),
                tags=(rng.choice(WORDS),),
                category="基准/生成",
                status="published",
                external_id=f"bench-{i:05d}",
            )
        )
    return questions


def child(fmt: str, path: str, url: str) -> None:
    """Runs in a fresh process: import one file into an empty bank and report seconds and peak RSS."""
    from eduapp import create_app
    from eduapp.extensions import db
    from eduapp.services.question_import import import_files

    app = create_app(
        {
            "EDUAPP_DATABASE_URL": url,
            "EDUAPP_SECRET_KEY": "bench" * 8,
            "EDUAPP_ENV": "testing",
            "QUESTION_IMPORT_MAX_MB": 500,
        }
    )
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(db.text("UPDATE questions SET current_version_id = NULL"))
            conn.execute(db.text("TRUNCATE version_tags, question_versions, questions, categories CASCADE"))
        data = Path(path).read_bytes()
        started = time.perf_counter()
        report = import_files([(Path(path).name, data)], fmt=fmt)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **report.counts()}))


def prepare_database(url: str) -> None:
    from _pg import ensure_database

    ensure_database(url)
    env = {**os.environ, "EDUAPP_DATABASE_URL": url, "EDUAPP_SECRET_KEY": "bench" * 8}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "eduapp", "db", "upgrade"],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 questions instead of 10,000")
    parser.add_argument("--database-url", default=os.environ.get("EDUAPP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.database_url)
        return 0

    from eduapp.domain.formats import registry

    n = 1000 if args.quick else 10000
    prepare_database(args.database_url)
    questions = generate(n)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in TARGETS:
            path = Path(tmp) / f"bench{registry.FILE_SUFFIX[fmt]}"
            started = time.perf_counter()
            path.write_bytes(registry.module(fmt).write(questions))
            write_seconds = time.perf_counter() - started
            out = subprocess.run(  # noqa: S603 (our own script, our own arguments)
                [sys.executable, __file__, "--database-url", args.database_url, "--child", fmt, str(path)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            figures["write_seconds"] = round(write_seconds, 3)
            figures["file_mb"] = round(path.stat().st_size / 1e6, 2)
            results[fmt] = figures
    print(f"{'format':<8}{'questions':>10}{'import s':>10}{'target s':>10}{'peak MB':>9}{'file MB':>9}{'write s':>9}")
    ok = True
    for fmt, fig in results.items():
        target = TARGETS[fmt] * (n / 10000)
        passed = fig["seconds"] <= TARGETS[fmt] and fig["peak_mb"] <= PEAK_MB and fig["added"] == n
        ok &= passed
        print(
            f"{fmt:<8}{fig['added']:>10}{fig['seconds']:>10.2f}{TARGETS[fmt]:>10.1f}{fig['peak_mb']:>9.0f}"
            f"{fig['file_mb']:>9.2f}{fig['write_seconds']:>9.2f}  {'ok' if passed else 'MISSED'}"
            f"{'' if n == 10000 else f' (scaled target {target:.1f} s)'}"
        )
    summary = {
        "questions": n,
        "targets_met": ok,
        **{f"{fmt}_seconds": round(fig["seconds"], 3) for fmt, fig in results.items()},
        **{f"{fmt}_peak_mb": round(fig["peak_mb"], 1) for fmt, fig in results.items()},
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
