"""ruff and mypy are part of the suite, so `.ci/run` (the README's test command) fails on any finding.

The rule sets are in pyproject.toml (``[tool.ruff.lint]``, ``[tool.mypy]``):
ruff over every Python file of the project, mypy strict on storage/ and
jongerenteam/ and checked on screens/. Both tools are pinned in the ``test``
extra, so a new release cannot turn the suite red by itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool
    if not exe.exists():
        pytest.fail(f"{tool} is not installed: pip install -e '.[test]'")
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_finds_nothing():
    proc = _run("ruff", "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_of_imports_is_kept():
    """The import order is part of the rule set (I); checked on its own so the message is short."""
    proc = _run("ruff", "check", "--no-cache", "--select", "I", ".")
    assert proc.returncode == 0, proc.stdout


def test_mypy_finds_nothing():
    # Incremental: the cache (.mypy_cache) makes a developer's second run
    # take a second or two instead of twelve; a fresh checkout builds it.
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr
