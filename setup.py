"""Build hook: a wheel carries the compiled catalogs and the Alembic migrations.

The metadata is in pyproject.toml; this file only extends setuptools' build_py so that

- every eduapp/translations/<locale>/LC_MESSAGES/*.po is compiled to its .mo with Babel's compiler (as
  `pybabel compile` does: fuzzy entries skipped), so a non-editable `pip install .` shows the Chinese
  interface (the .mo files are not committed: .gitignore); an editable install compiles them in place;
- the repository's migrations/ folder is copied into the package as eduapp/migrations, where create_app()
  looks first, so `eduapp db upgrade` works from an installed package (a checkout uses migrations/).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile each .po under ``source`` (eduapp/translations) to the same place under ``target``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class BuildPyWithCatalogs(build_py):
    def run(self):
        super().run()
        translations = ROOT / "eduapp" / "translations"
        if getattr(self, "editable_mode", False):
            compile_catalogs(translations, translations)
            return
        package = Path(self.build_lib) / "eduapp"
        compile_catalogs(translations, package / "translations")
        migrations = ROOT / "migrations"
        if migrations.is_dir():
            shutil.copytree(migrations, package / "migrations", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithCatalogs})
