#!/usr/bin/env python3
"""Run the test suite several times on a busy machine: is it green under load?

Starts CPU-bound processes (default two: on the project's 2-core machines
that is load 4 and up, as when other work runs beside the tests), runs
pytest N times (default 3) beside them, prints per run pass or fail, the
duration and pytest's closing line, and stops the hogs again.

    python scripts/busy_suite.py                    # the whole suite, 3 runs, 2 hogs
    python scripts/busy_suite.py --runs 1 -- -m tmux
    python scripts/busy_suite.py --hogs 3 -- tests/test_tmux.py -n 0

Everything after ``--`` goes to pytest (the pyproject addopts apply as
always). Exit code 0 only when every run passed. Run it from the repository
root with the environment the tests use (the ``test`` extra installed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOG = "while True:\n    pass\n"


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def start_hogs(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(count)]


def stop_hogs(hogs: list[subprocess.Popen]) -> None:
    for hog in hogs:
        hog.terminate()
    for hog in hogs:
        try:
            hog.wait(timeout=10)
        except subprocess.TimeoutExpired:
            hog.kill()
            hog.wait()


def closing_line(output: str) -> str:
    """pytest's last summary line ("== 3 failed, 724 passed in 512.3s ==")."""
    for line in reversed(output.splitlines()):
        if " passed" in line or " failed" in line or " error" in line or "no tests ran" in line:
            return line.strip("= ").strip()
    return "(no summary line)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to run the suite (default 3)")
    parser.add_argument("--hogs", type=int, default=2, help="CPU-bound processes beside it (default 2)")
    parser.add_argument("--log-dir", type=Path, default=None, help="keep each run's full output here")
    parser.add_argument("pytest_args", nargs="*", help="arguments for pytest (after --)")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "pytest", "-q", *args.pytest_args]
    if args.log_dir:
        args.log_dir.mkdir(parents=True, exist_ok=True)

    say(f"{args.runs} run(s) of: {' '.join(command[1:])}")
    say(f"beside {args.hogs} CPU-bound process(es) on {os.cpu_count()} core(s)")
    hogs = start_hogs(args.hogs)
    results: list[tuple[int, float, str]] = []
    try:
        for n in range(1, args.runs + 1):
            started = time.monotonic()
            proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            took = time.monotonic() - started
            output = proc.stdout + proc.stderr
            if args.log_dir:
                (args.log_dir / f"run-{n}.txt").write_text(output)
            load = os.getloadavg()[0]
            verdict = "PASS" if proc.returncode == 0 else f"FAIL (exit {proc.returncode})"
            say(f"run {n}: {verdict} in {took:.0f} s, load {load:.1f}: {closing_line(output)}")
            if proc.returncode != 0:
                failed = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]
                for line in failed[:20]:
                    say(f"    {line}")
            results.append((proc.returncode, took, closing_line(output)))
    finally:
        stop_hogs(hogs)

    passed = sum(1 for rc, _, _ in results if rc == 0)
    durations = [took for _, took, _ in results]
    say(f"{passed} of {len(results)} run(s) passed; "
          f"duration min {min(durations):.0f} s, max {max(durations):.0f} s")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
