"""Shared by the benchmarks: the scratch PostgreSQL database they run in."""

from __future__ import annotations


def ensure_database(url: str) -> None:
    """Create the database of ``url`` when it does not exist yet."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def fresh_schema(app) -> None:
    """The schema the migrations build, every table emptied."""
    import contextlib
    import io
    from pathlib import Path

    from flask_migrate import upgrade
    from sqlalchemy import text

    from eduapp.extensions import db

    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):  # alembic's progress lines
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


def copy_rows(cursor, table: str, columns: str, lines) -> int:
    """COPY text rows (tab-separated, \\N for NULL) in blocks of about a megabyte."""
    import io

    count = 0
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            count += 1
            if buffer.tell() > 1 << 20:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def pg_timestamp(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f+00")


def finish_load(raw, cursor, tables: tuple[str, ...]) -> None:
    """After COPY with explicit ids: move each table's id sequence past its rows, commit, VACUUM ANALYZE
    so that the planner knows the new sizes, and CHECKPOINT so that writing out the load is not done
    while the clock runs."""
    for table in tables:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    raw.commit()
    raw.driver_connection.autocommit = True
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("CHECKPOINT")
    raw.driver_connection.autocommit = False
