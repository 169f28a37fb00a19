"""The one-way doors: storage and the domain never pull in Textual or Rich,
and screens never import storage.

Checked twice, as harlequin does: by importing the core in a clean
interpreter, and by the import-linter contracts in pyproject.toml.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

CORE_MODULES = (
    "storage.store",
    "storage.team",
    "storage.students",
    "storage.audit",
    "jongerenteam.session",
    "jongerenteam.domain",
    "jongerenteam.catalogue",
    "jongerenteam.cli",
    "jongerenteam.demo",
    "jongerenteam.dossier",
    "jongerenteam.consent",
    "jongerenteam.driegesprek",
    "jongerenteam.spreekuur",
    "jongerenteam.handover",
    "jongerenteam.eighteen",
    "jongerenteam.report",
    "jongerenteam.rights",
    "jongerenteam.team",
    "jongerenteam.socialmap",
    "jongerenteam.drafts",
    "jongerenteam.backup",
    "jongerenteam.overview",
    "jongerenteam.pdf",
    "storage.dossier",
    "storage.files",
    "jongerenteam.start",
    "jongerenteam.errors",
)


def test_core_imports_without_textual_or_rich():
    """Importing storage, the domain, the CLI and the demo loads neither Textual, Rich nor screens."""
    code = "\n".join(
        [
            "import importlib, sys",
            f"for name in {CORE_MODULES!r}:",
            "    importlib.import_module(name)",
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'screens'))",
            "assert not loaded, loaded",
            f"assert all(name in sys.modules for name in {CORE_MODULES!r})",
            "print('ok')",
        ]
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def _lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():  # pragma: no cover - part of the test extra
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=60,
    )


def test_import_linter_contracts_are_kept():
    """lint-imports with the contracts from pyproject.toml passes on the code as it is."""
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout
    assert "3 kept" in proc.stdout


@pytest.mark.parametrize(
    ("module", "injected", "expected"),
    [
        ("storage/crypto.py", "import textual", "storage.crypto -> textual"),
        ("jongerenteam/domain.py", "import screens.app", "jongerenteam.domain -> screens.app"),
        ("screens/home.py", "import storage.students", "screens.home -> storage.students"),
    ],
)
def test_import_linter_catches_a_forbidden_import(tmp_path, module, injected, expected):
    """The contracts really bite: a copy with one forbidden import fails lint-imports."""
    for package in ("storage", "jongerenteam", "screens"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{injected}  # injected by the test\n", encoding="utf-8")

    env = dict(os.environ, PYTHONPATH=str(tmp_path))  # the copy, not the editable install
    proc = _lint_imports(tmp_path, env)
    assert proc.returncode != 0, proc.stdout
    assert "BROKEN" in proc.stdout
    assert expected in proc.stdout
