"""Run every benchmark and print one markdown table (for docs/performance.md).

    python benchmarks/run_all.py [--sizes 1000 10000 50000] [--quick] [--entries 10] [--only felt report] [--json FILE]

Builds (or reuses) the benchmark stores first, then runs each script in its
own interpreter. Figures are measured, not asserted: nothing here fails when
a target is missed; the table says so. Set JONGERENTEAM_BENCH_DIR to keep the
stores somewhere else than <tmp>/jongerenteam-bench.

The machine's load average is printed before and after each script: other
work on the machine shows up in every figure, so compare runs on a quiet
machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from measure import Result, machine, run_script


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def _fmt(r: Result) -> str:
    if r.unit == "x":
        return f"{r.value:.2f}x"
    if r.unit == "s":
        return f"{r.value:.3f} s" if r.value < 10 else f"{r.value:.1f} s"
    if r.unit == "ms":
        return f"{r.value:.3f} ms" if r.value < 1 else f"{r.value:.2f} ms"
    return f"{r.value:.0f} {r.unit}" if r.unit == "MB" else f"{r.value:g} {r.unit}"


def _target(r: Result) -> str:
    if r.target is None:
        return ""
    return f"<= {r.target:g}x" if r.unit == "x" else f"< {r.target:g} {r.unit}"


def table(results: list[Result]) -> str:
    lines = [
        "| Benchmark | Measure | Students | Result | Target | Status | Notes |",
        "| --- | --- | ---: | ---: | --- | --- | --- |",
    ]
    for r in results:
        size = f"{r.size:,}" if r.size is not None else ""
        status = {"meets": "meets", "MISSES": "**misses**", "-": ""}[r.status]
        lines.append(
            f"| {r.bench} | {r.name.strip()} | {size} | {_fmt(r)} | {_target(r)} | {status} | {r.note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="run all benchmarks")
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--entries", type=int, default=0,
                    help="also build the largest store with this many file entries per student "
                         "and run the unlock and register benchmarks on it")
    ap.add_argument("--only", nargs="+", default=None,
                    choices=("unlock", "register", "search", "memory", "keys", "coldstart", "dossier", "felt", "report"))
    ap.add_argument("--save", help="also write the results as JSON to this file")
    ap.add_argument("--json", dest="json_file", metavar="FILE",
                    help="write issue 19's figures as one JSON object to FILE (None where not measured, with why)")
    args = ap.parse_args(argv)

    from build_store import ensure_store

    m = machine()
    print(f"# {m['date']} · {m['cpus']} CPUs ({m['cpu_model']}) · Python {m['python']} · "
          f"SQLite {m['sqlite']} · {m['platform']}", flush=True)
    print(f"# {m['packages']} · code {m['code']}", flush=True)

    sizes = [str(n) for n in args.sizes]
    results: list[Result] = []
    for n in args.sizes:
        bs = ensure_store(n, team="real" if n > 50000 else "worst")  # 200,000: the real team only (see the plan)
        results.append(Result(
            "build", "build store (add_students, batches of 1,000)", n, bs.meta["build_seconds"], "s",
            None, note=f"{bs.meta['bytes'] / 1e6:.0f} MB on disk; Faker {bs.meta['faker_seconds']} s",
        ))
    biggest = max(args.sizes)
    if args.entries:
        bs = ensure_store(biggest, args.entries)
        results.append(Result(
            "build", f"build store with {args.entries} file entries per student", biggest,
            bs.meta["build_seconds"], "s", None,
            note=f"{bs.meta['bytes'] / 1e6:.0f} MB on disk; entries {bs.meta['entries_seconds']} s",
        ))

    quick = args.quick
    # The 200,000-student store exists for the felt figures only (its real team; building one
    # takes about 25 minutes): register, report and the worst case stay at 50,000 and below.
    small = [s for s in sizes if int(s) <= 50000]
    plan = [
        ("unlock", "bench_unlock.py", ["--sizes", *sizes, "--repeat", "2" if quick else "5"]),
        ("register", "bench_register.py", ["--sizes", *small, "--team", "real", "--repeat", "30" if quick else "300"]),
        ("search", "bench_search.py", ["--sizes", *sizes, "--queries", "20" if quick else "200",
                                       "--typed", "10" if quick else "60"]),
        ("memory", "bench_memory.py", ["--sizes", *sizes]),
        ("keys", "bench_keys.py", []),
        ("coldstart", "bench_coldstart.py", ["--size", max(small, key=int, default=str(biggest)),
                                             "--repeat", "3" if quick else "7"]),
        ("dossier", "bench_dossier.py", ["--repeat", "5" if quick else "15", "--steps", "20" if quick else "60"]),
        # The 500-talk file inside the store (bench_felt's part "dossier") with the real team only.
        *(("felt", "bench_felt.py", ["--size", str(n), "--team", team, "--repeat", "2" if quick else "5",
                                     "--parts", "unlock", "keys", "rss", *(["dossier", "morning"] if team == "real" else []),
                                     *(["--opens", "5", "--steps", "20", "--runs", "1"] if quick else [])])
          for n in args.sizes if n >= 50000 for team in ("real", "worst") if team == "real" or n <= 50000),
        # The report on a copy of the real team's store, and the installed command on it.
        *(("report", "bench_report.py", ["--students", str(n), "--bench-store", "--team", "real",
                                         "--repeat", "2" if quick else "3", "--cli", "2" if quick else "3"])
          for n in args.sizes if n == 50000),
    ]
    if args.entries:
        plan.insert(1, ("unlock", "bench_unlock.py",
                        ["--sizes", str(biggest), "--entries", str(args.entries), "--repeat", "3"]))
        plan.insert(3, ("register", "bench_register.py",
                        ["--sizes", str(biggest), "--entries", str(args.entries),
                         "--repeat", "30" if quick else "100"]))
    for name, script, script_args in plan:
        if args.only and name not in args.only:
            continue
        before = _load()
        t = time.perf_counter()
        print(f"## {script} {' '.join(script_args)} ({before})", flush=True)
        got = run_script(script, *script_args)
        for r in got:
            print("   " + r.line(), flush=True)
        print(f"   took {time.perf_counter() - t:.0f} s ({_load()})", flush=True)
        results.extend(got)

    print()
    print(table(results))
    if args.save:
        with open(args.save, "w") as fh:
            json.dump({"machine": m, "results": [r.__dict__ for r in results]}, fh, indent=2)
    if args.json_file:
        with open(args.json_file, "w") as fh:
            json.dump(issue_figures(results, m), fh, indent=2)


# Issue 19's keys: (bench, the start of the result's name, size). Each figure is
# the median (or p95 where the key says so) of repeated runs, as the script printed it;
# the felt figures are those of the store with a real team (the worst case is in the table).
FIGURES = {
    "start_ratio_vs_bare_textual": ("coldstart", "cold start ratio", None),
    "register_ratio_cpu": ("register", "register_student / raw, CPU median", None),
    "register_ratio_wall": ("register", "register_student / raw, median", None),
    # Not the issue's keys: the same rows and cryptography written with plain sqlite3
    # and no checks (bench_register.FloorWrite), against the raw insert; and the app against it.
    "register_floor_ratio_wall": ("register", "floor / raw, median", None),
    "register_over_floor_wall": ("register", "register_student / floor, median", None),
    "unlock_to_today_s_50k": ("felt", "Enter on the passphrase", 50000),
    "keystroke_p95_ms_50k": ("felt", "one keystroke in search", 50000),
    "rss_app_mb_50k": ("felt", "peak RSS", 50000),
    "unlock_to_today_s_200k": ("felt", "Enter on the passphrase", 200000),
    "keystroke_p95_ms_200k": ("felt", "one keystroke in search", 200000),
    "rss_app_mb_200k": ("felt", "peak RSS", 200000),
    "dossier_500_open_p95_ms_50k": ("felt", "open a file of 500 talks", 50000),
    # Not the issue's keys: the first unlock after the laptop started (a fresh process, the
    # store's file not in the page cache), Enter 3 s after the unlock screen showed.
    "first_unlock_of_day_s_50k": ("felt", "first unlock of the day (file not in the page cache), Enter 3 s", 50000),
    "first_unlock_of_day_s_200k": ("felt", "first unlock of the day (file not in the page cache), Enter 3 s", 200000),
    "report_s_50k": ("report", "full report", 50000),
    "report_cli_s_50k": ("report", "`jongerenteam report`", 50000),
}
# Keys the benchmarks do not measure yet, and why (said in the file, not left out).
NOT_MEASURED: dict[str, str] = {}


def issue_figures(results: list[Result], m: dict) -> dict:
    """The JSON object issue 19 asks for: every key, a number or None (then ``not_measured`` says why)."""
    out: dict = {"machine": m}
    why: dict[str, str] = dict(NOT_MEASURED)
    for key, (bench, start, size) in FIGURES.items():
        found = [r for r in results if r.bench == bench and r.name.strip().startswith(start)
                 and (size is None or r.size == size) and r.extra.get("team", "real") == "real"
                 and "gc_freeze" not in r.extra]  # bench_felt's comparison runs (--parts gc) are not the app
        if size is None and found:  # the biggest store measured
            found = sorted(found, key=lambda r: r.size or 0)[-1:]
        out[key] = found[0].value if found else None
        if not found:
            why[key] = f"no {bench} result" + (f" at {size:,} students" if size else "") + " in this run"
    for key in NOT_MEASURED:
        out[key] = None
    out["not_measured"] = why
    return out


if __name__ == "__main__":
    main()
