"""Peak memory (RSS) of a process with the whole directory unlocked.

    python benchmarks/bench_memory.py [--sizes 1000 10000 50000]

Every figure comes from a fresh interpreter that imports what the app
imports (the session and storage modules and the Textual app module), then:

- baseline: nothing else; its peak RSS is the floor every other row sits on;
- unlocked: opens the store, unlocks, builds the TeamSession (directory,
  records, search index) and reports peak RSS (``VmHWM``) and the RSS
  still in use afterwards;
- unlocked after Argon2: the same, preceded by ``calibrate()`` and one
  derivation with the calibrated parameters (64 MiB), as a real unlock
  does in the same process.

The Textual screens are not mounted (see bench_coldstart.py for that).
Target (issue): below 250 MB with 50,000 students unlocked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from measure import Result, child_json, emit, peak_rss_mb, print_machine

TARGET_MB = 250.0
TARGET_SIZE = 50000


def _rss_now_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return peak_rss_mb()  # not ru_maxrss: that keeps the parent's peak (measure.peak_rss_mb)


def _child(mode: str, n: int) -> None:
    import jongerenteam.session  # noqa: F401
    import screens.app  # noqa: F401
    import storage.team  # noqa: F401
    from storage.store import Store

    out = {"baseline_peak_mb": _peak_mb(), "baseline_rss_mb": _rss_now_mb()}
    if mode != "baseline":
        from build_store import ensure_store

        from jongerenteam.session import TeamSession
        from storage import team
        from storage.keyslots import calibrate, derive

        bs = ensure_store(n)
        if mode == "argon2":
            params = calibrate()
            derive("benchmark wachtwoord zin", os.urandom(16), params)
            out["after_argon2_peak_mb"] = _peak_mb()
        store = Store.open(str(bs.path))
        session = TeamSession(store, team.unlock(store, bs.worker_id, bs.meta["passphrase"]))
        out["students"] = len(session.students)
        out["peak_mb"] = _peak_mb()
        out["rss_mb"] = _rss_now_mb()
        session.lock()
        store.close()
    print(json.dumps(out))


def run(sizes: list[int]) -> list[Result]:
    from build_store import ensure_store

    here = os.path.abspath(__file__)
    base = child_json([here, "--child", "baseline", "--size", "0"])
    results = [Result("memory", "baseline: interpreter + app imports (peak RSS)", None,
                      base["baseline_peak_mb"], "MB", None, note="no store opened")]
    for n in sizes:
        ensure_store(n)
        d = child_json([here, "--child", "unlocked", "--size", str(n)])
        results.append(Result(
            "memory", "peak RSS, directory unlocked", n, d["peak_mb"], "MB",
            TARGET_MB if n == TARGET_SIZE else None,
            note=f"+{d['peak_mb'] - d['baseline_peak_mb']:.0f} MB over baseline; "
            f"{d['rss_mb']:.0f} MB still resident after unlock",
        ))
    if TARGET_SIZE in sizes:
        d = child_json([here, "--child", "argon2", "--size", str(TARGET_SIZE)])
        results.append(Result(
            "memory", "peak RSS, Argon2 (calibrated) then unlocked", TARGET_SIZE, d["peak_mb"], "MB",
            TARGET_MB, note=f"peak right after Argon2: {d['after_argon2_peak_mb']:.0f} MB",
        ))
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="memory benchmark")
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 50000])
    ap.add_argument("--child", choices=("baseline", "unlocked", "argon2"))
    ap.add_argument("--size", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.size)
        return
    if not args.json:
        print_machine()
    emit(run(args.sizes), as_json=args.json)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
