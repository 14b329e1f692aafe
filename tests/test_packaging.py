"""A non-editable install works: the wheel built from a clean copy of the sources (no compiled catalogs,
no build/ left over) carries the compiled Chinese catalog, the templates, static files, data and the
Alembic migrations; installed into a throwaway venv, its `eduapp db upgrade` creates the schema and its
login page is Chinese. Takes about 45 s on the shared 2-core machine (a wheel build, 21 migrations, an app
start), so it runs in the SQLite pass of `make test` (and is skipped in the PostgreSQL one).

The throwaway venv borrows the test venv's installed dependencies through a .pth line (installing them
again would take minutes); eduapp itself comes from the wheel, never from the checkout.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

# It builds and installs the package, whatever the database: once per `make test`, in the SQLite pass.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("EDUAPP_TEST_DATABASE_URL")), reason="database-independent: runs in the SQLite pass"
)

ROOT = Path(__file__).resolve().parent.parent
IGNORED = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "*.mo", "build", "dist", "*.egg-info", "instance")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel the way a clean clone would: from a copy without .mo files or build leftovers."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("eduapp", "migrations"):
        shutil.copytree(ROOT / name, source / name, ignore=IGNORED)
    assert not list(source.rglob("*.mo"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"),
         str(source)],
        check=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, capture_output=True,
    )
    (built,) = (work / "dist").glob("eduapp-*.whl")
    return built


def test_the_wheel_carries_what_the_app_reads_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "eduapp/translations/zh_Hans_CN/LC_MESSAGES/messages.mo" in names
    assert "eduapp/templates/base.html" in names
    assert any(name.startswith("eduapp/static/") for name in names)
    assert "eduapp/data/violations.yaml" in names
    assert "eduapp/migrations/env.py" in names and "eduapp/migrations/alembic.ini" in names
    versions = {name.rsplit("/", 1)[1] for name in names if name.startswith("eduapp/migrations/versions/")}
    assert versions == {path.name for path in (ROOT / "migrations" / "versions").glob("*.py")}


def test_the_compiled_catalog_matches_the_po(wheel):
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    with zipfile.ZipFile(wheel).open("eduapp/translations/zh_Hans_CN/LC_MESSAGES/messages.mo") as handle:
        compiled = read_mo(handle)
    with (ROOT / "eduapp/translations/zh_Hans_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        source = read_po(handle)
    assert compiled.get("Sign in").string == source.get("Sign in").string == "登录"
    def entries(catalog):
        def key(text):  # a plural entry's id and string are sequences: one type for both readers
            return text if isinstance(text, str) else tuple(text)

        return {(m.context, key(m.id)): key(m.string) for m in catalog if m.id and m.string and not m.fuzzy}

    assert entries(compiled) == entries(source)


def test_an_installed_wheel_migrates_and_speaks_chinese(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # the dependencies: the test venv's site-packages, after the throwaway venv's own (where eduapp goes)
    Path(purelib, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, capture_output=True,
    )
    run_dir = tmp_path / "elsewhere"  # not the checkout: nothing can be imported from it
    run_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EDUAPP_", "PYTHON", "FLASK_"))}
    env["EDUAPP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'installed.db'}"

    upgrade = subprocess.run(
        [str(venv / "bin" / "eduapp"), "db", "upgrade"], cwd=run_dir, env=env, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]

    script = textwrap.dedent(
        """
        import eduapp
        from eduapp import create_app
        from eduapp.extensions import db
        from sqlalchemy import inspect

        print(eduapp.__file__)
        app = create_app()
        with app.app_context():
            print("users" in inspect(db.engine).get_table_names())
        print(app.test_client().get("/login").get_data(as_text=True))
        """
    )
    shown = subprocess.run([str(python), "-c", script], cwd=run_dir, env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr[-2000:]
    location, has_users, page = shown.stdout.split("\n", 2)
    assert Path(location).is_relative_to(venv)
    assert has_users == "True"
    assert "登录" in page and 'lang="zh-Hans-CN"' in page
