"""One place for each database path (issue 18): only the store modules (eduapp/stores) branch on the
database in use. A service, page or task that tests the dialect itself fails here, naming the line."""

from __future__ import annotations

import re
from pathlib import Path

import eduapp

PACKAGE = Path(eduapp.__file__).resolve().parent
# Not a branch of an aggregate's SQL: the type decorator that stores datetimes (models/base.py) receives the
# dialect as an argument; the connection pool's ping (db_pool.py, chosen once in create_app) is PostgreSQL's.
EXEMPT = {"models/base.py", "db_pool.py", "__init__.py"}
BRANCH = re.compile(r"dialect\.name|is_postgresql|sqlalchemy\.dialects")


def test_only_the_stores_branch_on_the_database():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("stores/") or relative in EXEMPT:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if BRANCH.search(line):
                found.append(f"eduapp/{relative}:{number}: {line.strip()}")
    assert not found, "move these into a store module (eduapp/stores):\n" + "\n".join(found)
