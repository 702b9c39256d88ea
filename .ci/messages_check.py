"""`make messages-check`: would `makemessages -l it -l sv` change the catalogues?

Runs makemessages on a copy of the project in a temporary folder and compares, per
language, the msgids (with context and plural) and the translations' fuzzy and obsolete
flags; `#:` locations and the POT-Creation-Date may differ. Exits 1 naming each entry
makemessages would add, drop or mark, so a string wrapped without a translation (or a
translation left behind by a removed string) is caught in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("it", "sv")
IGNORE = (".venv", "node_modules", "staticfiles", "screenshots", "static/vendor", "build")


def entries(path: Path) -> dict[tuple, tuple]:
    catalogue = polib.pofile(str(path))
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural): (entry.obsolete, "fuzzy" in entry.flags)
        for entry in catalogue
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "project"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(
                ".git",
                ".venv",
                "node_modules",
                "staticfiles",
                "screenshots",
                "__pycache__",
                "*.sqlite3",
            ),
        )
        command = [sys.executable, "manage.py", "makemessages", "--no-location", "-v", "0"]
        command += [f"--locale={language}" for language in LANGUAGES]
        command += [f"--ignore={pattern}/*" for pattern in IGNORE]
        env = {**os.environ, "DEBUG": "1"}
        subprocess.run(command, cwd=copy, env=env, check=True)
        problems = []
        for language in LANGUAGES:
            relative = Path("locale") / language / "LC_MESSAGES" / "django.po"
            before, after = entries(ROOT / relative), entries(copy / relative)
            for key in sorted(set(before) | set(after), key=str):
                if before.get(key) != after.get(key):
                    problems.append(f"{language}: {key[1]!r} {before.get(key)} -> {after.get(key)}")
    if problems:
        print("makemessages would change the catalogues (obsolete, fuzzy):")
        print("\n".join(problems))
        print("Run makemessages -l it -l sv, translate what is new, compilemessages.")
        return 1
    print("makemessages leaves the it/sv catalogues as they are.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
