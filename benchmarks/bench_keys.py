"""Keys for a walk-in: how many presses beyond the characters typed.

    python benchmarks/bench_keys.py [--json]

Drives the real app (Textual Pilot, headless, a fresh store with a cheap
key derivation) from Vandaag through a walk-in with a first name, a birth
date, a one-line hulpvraag and two leefdomeinen, and counts every key that
is not a character of that text: opening the form, Tabs, the leefdomein
toggles and saving. It then checks the walk-in was really stored (name,
birth date, hulpvraag, leefdomeinen), so a count for a broken flow is
never printed.

Baseline, measured in the same run: the same walk-in with the hulpvraag
and leefdomeinen placed after the other student fields (the order of the
paper intake form), i.e. the Tabs a plain form would need.
Target (issue): 8 or fewer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ["JONGERENTEAM_INSECURE_TEST_KDF"] = "1"  # a benchmark store, not a real one
os.environ["JONGERENTEAM_BENCHMARK"] = "1"  # the mark that lets the test KDF count (jongerenteam.settings)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from measure import Result, emit, print_machine

TARGET = 8
FIRST, BIRTH, HULPVRAAG = "Sam", "3-4-2008", "Geldzorgen en ruzie thuis"
PASSPHRASE = "benchmark wachtwoord zin lang genoeg"  # noqa: S105 - a made-up passphrase for made-up data


def walk_in_keys() -> list[str]:
    """The keys a worker presses on Vandaag for this walk-in, in order."""
    return [
        "ctrl+n", *FIRST, "tab", "tab", *BIRTH, "tab", *HULPVRAAG, "tab", "5", "7", "ctrl+s",
    ]


def extra_keys(keys: list[str]) -> int:
    # Characters of the text itself are the typing; everything else counts.
    text = FIRST + BIRTH + HULPVRAAG
    count, i = 0, 0
    for key in keys:
        if len(key) == 1 and i < len(text) and key == text[i]:
            i += 1
            continue
        count += 1
    return count


def baseline_extra() -> int:
    """Tabs a form in paper order needs: every other student field comes before the hulpvraag."""
    from screens.spreekuur import MORE_FIELDS

    # ctrl+n, Tab to achternaam, Tab to birth date, Tab past each other field,
    # Tab to hulpvraag, Tab to leefdomeinen, two toggles, ctrl+s.
    return 1 + 2 + len(MORE_FIELDS) + 1 + 1 + 2 + 1


async def drive(location: str) -> tuple[int, bool]:
    from jongerenteam.cli import make_app
    from jongerenteam.session import TeamSession
    from jongerenteam.settings import Settings, kdf_params
    from storage import team
    from storage.store import Store

    store = Store.create(location)
    wid, _ = team.create_team(store, "Benchmark", team.WorkerDetails("Bea Bench", "BB", team.COORDINATOR, "wijkteam"), PASSPHRASE,
        kdf_params())
    app = make_app(Settings(store=location), store)
    keys = walk_in_keys()
    async with app.run_test(size=(120, 36)) as pilot:
        app.start_session(TeamSession.unlock(store, wid, PASSPHRASE))
        await pilot.pause()
        await pilot.press(*keys)
        await app.workers.wait_for_complete()
        await pilot.pause()
    session = TeamSession.unlock(store, wid, PASSPHRASE)
    hits = session.spreekuur.search(FIRST)
    ok = (
        len(hits) == 1
        and hits[0].details.birth_date == date(2008, 4, 3)
        and hits[0].details.leefdomeinen == ["inkomen", "wonen"]
        and [e.payload.get("hulpvraag") for e in session.dossier.read_file(hits[0].id)] == [HULPVRAAG]
    )
    session.lock()
    store.close()
    return extra_keys(keys), ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        count, ok = asyncio.run(drive(str(Path(tmp) / "keys.jt")))
    if not ok:
        print("the walk-in was not stored as typed: no figure", file=sys.stderr)
        sys.exit(1)
    base = baseline_extra()
    results = [
        Result("keys", "walk-in: keys beyond the characters typed", None, count, "keys", TARGET,
               note=f"paper-order form: {base} keys"),
        Result("keys", "walk-in: ratio to a paper-order form", None, count / base, "x", None),
    ]
    if not args.json:
        print_machine()
        print(f"# keys: {' '.join(k for k in walk_in_keys() if len(k) > 1 or k in '57')}")
    emit(results, as_json=args.json)


if __name__ == "__main__":
    main()
