"""Shared bits of the benchmark scripts: statistics, results, machine facts.

The scripts in this folder print figures; they are not tests and assert
nothing. Each result carries its target (if the issue set one) so that
``run_all.py`` can put everything in one markdown table.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULT_MARK = "BENCH-RESULTS "


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of a non-empty list."""
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "min": min(values),
        "max": max(values),
    }


@dataclass
class Result:
    """One measured figure, with its target when the issue gives one."""

    bench: str
    name: str
    size: int | None
    value: float
    unit: str  # "s", "ms", "MB", "x"
    target: float | None = None  # the value must stay below (or at) this
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.target is None:
            return "-"
        return "meets" if self.value <= self.target else "MISSES"

    def line(self) -> str:
        size = f"{self.size:>6}" if self.size is not None else "      "
        target = f"  target <= {self.target:g} {self.unit} ({self.status})" if self.target is not None else ""
        note = f"  [{self.note}]" if self.note else ""
        return f"{self.name:<52} {size}  {self.value:10.3f} {self.unit}{target}{note}"


def emit(results: list[Result], *, as_json: bool) -> None:
    """Print results for a human, or one JSON line for run_all.py."""
    if as_json:
        print(RESULT_MARK + json.dumps([asdict(r) for r in results]), flush=True)
    else:
        for r in results:
            print(r.line(), flush=True)


def results_from(stdout: str) -> list[Result]:
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return [Result(**d) for d in json.loads(line[len(RESULT_MARK):])]
    raise RuntimeError("no results in output")


def run_script(name: str, *args: str, env: dict | None = None) -> list[Result]:
    """Run a benchmark script in a fresh interpreter and collect its results."""
    proc = subprocess.run(
        [sys.executable, str(HERE / name), *args, "--json"],
        capture_output=True, text=True, env=env or os.environ.copy(), check=False,
    )
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed with exit code {proc.returncode}")
    return results_from(proc.stdout)


def child_json(args: list[str], env: dict | None = None) -> dict:
    """Run a child interpreter that prints one JSON object as its last line."""
    proc = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True,
        env=env or os.environ.copy(), check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError(f"child {args} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    ``VmHWM`` of /proc/self/status: the high-water mark of this program's own
    memory. Not ``ru_maxrss``: on Linux that keeps the peak of the process that
    started this one (it survives fork and exec), so a child started by a
    benchmark that had unlocked the worst-case store reported 932 MB for its 240.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def code_version() -> str:
    """The commit the figures belong to, and whether the tree had changes."""
    root = HERE.parent
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "storage",
                                "jongerenteam", "screens"], capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + (" with uncommitted changes" if dirty else "")


def machine() -> dict[str, str]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "date": date.today().isoformat(),
        "cpus": str(usable),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "code": code_version(),
        "packages": ", ".join(
            f"{d} {_version(d)}" for d in ("textual", "SQLAlchemy", "cryptography", "argon2-cffi")
        ),
    }


def print_machine() -> None:
    m = machine()
    print(f"# {m['date']} · {m['cpus']} CPUs ({m['cpu_model']}) · Python {m['python']} · SQLite {m['sqlite']}")
    print(f"# {m['packages']}")
