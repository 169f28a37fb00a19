"""The meldcode through the installed command in a real terminal (tmux), by keys only:
from the dossier, the five steps, the afwegingskader leading to a melding (issue 21)."""

from __future__ import annotations

import os
import shutil

import pytest

from jongerenteam.meldcode import model as m
from tests.support import (
    PASSPHRASE,
    SEARCH,
    TMUX,
    WORKER_PASS,
    app_in_terminal,
    session,
)

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def _env(home) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JONGERENTEAM_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), JONGERENTEAM_INSECURE_TEST_KDF="1",
               JONGERENTEAM_DEBUG="1")
    return env


def _pick(term, key: str, shows: str) -> None:
    """A digit on a choice that may not have the focus yet (no cursor to wait for): a digit that
    arrives before it is dropped (the dialog has no digit keys of its own), so send it until it shows."""
    for _ in range(20):
        term.keys(key)
        try:
            term.wait_for(shows, timeout=1.5)
            return
        except AssertionError:
            continue
    term.wait_for(shows)


def test_a_meldcode_from_signal_to_melding_in_a_real_terminal(team_store, students, tmp_path):
    """Hanna opens Özdemir's file, m starts the meldcode, 1-3 record a signal, a consultation with
    Veilig Thuis and the talk, 4 walks the afwegingskader to "melden", 5 records the melding;
    the dossier header then says a meldcode is open. A new session reads it back."""
    store = tmp_path / "run.jt"
    team_store.store.close()
    shutil.copyfile(team_store.path, store)
    os.chmod(store, 0o600)
    with app_in_terminal(store, _env(tmp_path / "home")) as term:
        term.wait_for("Wie ben je?", "Hanna Hulpverlener")
        term.type("han")
        term.wait_for("Hanna Hulpverlener (HH)", absent=("Otto Collega (OC)",))
        term.keys("Enter")
        term.wait_for_focus(PASSPHRASE)
        term.type(WORKER_PASS)
        term.keys("Enter")
        term.wait_for("Mijn studenten", absent=("Wie ben je?",))
        term.type("/")
        term.wait_for_focus(SEARCH)
        term.type("S100200")
        term.wait_for("1 van")
        term.keys("Enter")
        term.wait_for("1 Overzicht")
        term.keys("m")
        term.wait_for("Meldcode starten", "jeugdhulp")
        term.keys("C-s")
        term.wait_for("Volgende stap: 1. Signalen in kaart brengen")
        term.keys("1")
        term.wait_for("Stap 1 · signaal")
        term.wait_for_focus("Feiten", below=1)
        term.type("Blauwe plek op de arm")
        term.wait_for("Blauwe plek op de arm")
        term.keys("C-s")
        term.wait_for("Volgende stap: 2. Collegiale consultatie")
        term.keys("2")
        term.wait_for("Stap 2 · overleg")
        _pick(term, "3", "● Veilig Thuis (advies)")
        term.keys("Tab")
        term.wait_for_focus("Naam")
        term.type("Veilig Thuis")
        term.keys("Tab")
        term.wait_for_focus("Advies", below=1)
        term.type("Ga in gesprek")
        term.wait_for("Ga in gesprek")
        term.keys("C-s")
        term.wait_for("Volgende stap: 3. Gesprek met de student")
        term.keys("3")
        term.wait_for("Stap 3 · gesprek")
        term.wait_for_focus("Gezegd", below=1)
        term.type("Ze vertelde over thuis")
        term.wait_for("Ze vertelde over thuis")
        term.keys("C-s")
        term.wait_for("Volgende stap: 4. Wegen")
        term.keys("4")
        term.wait_for("vraag 1 van 5")
        _pick(term, "1", "Beantwoord vraag 2")  # ja: where it leads shows before saving
        term.keys("C-s")
        term.wait_for("vraag 2 van 5", "acute onveiligheid")
        _pick(term, "1", "Melden bij Veilig Thuis")
        term.keys("C-s")
        term.wait_for("Volgende stap: 5. Beslissen", absent=("vraag 2 van 5",))
        term.keys("5")
        term.wait_for("Stap 5 · melding")
        term.wait_for_focus("Kenmerk")
        term.type("VT-77")
        term.keys("Tab")
        term.wait_for_focus("Verteld", below=1)
        term.type("Dat ik meld")
        term.keys("Tab")
        term.wait_for_focus("Verteld op")
        term.wait_for("Dat ik meld")
        term.keys("C-s")  # "verteld op" is empty: refused, in Dutch, the form stays
        term.wait_for("Stap 5 · melding", "Vul een datum in")
        term.wait_for_focus("Verteld op", below=1)  # the error line came in under it
        term.type("1-1-2026")
        term.wait_for("1-1-2026")
        term.keys("C-s")
        term.wait_for("Melding gedaan")
        term.keys("Escape")
        term.wait_for("meldcode loopt")
        term.quit()
    from storage.store import Store

    opened = Store.open(str(store))
    try:
        fx = type(team_store)(store, opened, team_store.coordinator_id, team_store.worker_id, team_store.other_id,
                              team_store.recovery_code)
        hanna = session(fx)
        [t] = hanna.meldcode.open_for(students.ozdemir_id)
        assert t.doc["signalen"][0]["feiten"] == "Blauwe plek op de arm"
        assert t.doc["consultaties"][0]["soort"] == m.VEILIG_THUIS
        assert t.doc["besluit"]["melding"]["referentie"] == "VT-77"
        assert t.lead.outcome is m.Outcome.REPORT
        hanna.lock()
    finally:
        opened.close()
