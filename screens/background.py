"""Work off the UI thread, and no failure that nobody hears about.

Two pieces:

- ``run_in_thread(node, what, call, done=..., failed=...)``: the one helper
  screens use to run a store or crypto call in a thread worker. ``done`` gets
  the result on the UI thread; a failure goes to ``failed`` as a ``Failure``
  (one Dutch sentence, the form field a ValidationError names, the
  exception), or, without ``failed``, becomes a notification that says what
  did not happen and what to do.
- ``SpokenWorkers``: the app's worker manager. Any worker that still ends in
  an error (its own ``except`` missed something, or the UI update it handed
  to ``call_from_thread`` raised) is told to the user in Dutch and written to
  the error log (``jongerenteam.errorlog``): a worker started with
  ``exit_on_error=False`` is never silent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState
from textual.worker_manager import WorkerManager

from jongerenteam import errorlog
from jongerenteam.domain import ValidationError
from jongerenteam.errors import WorkerInactive
from jongerenteam.messages import explain

TEXT = {
    "failed": "{what} is niet gelukt. {reason}",
    "failed_default": "Dit is niet gelukt. {reason}",
}

# Workers are named (or grouped) by code; what a user reads comes from here.
# ``tests/test_background.py`` checks every worker of the screens has an entry.
WHAT = {
    "anonymous": "De anonieme inlopen van de laatste dagen ophalen",
    "held-open": "Kijken of het dossier op toestemming wacht",
    "meldcode": "De meldcode openen",
    "meldcode-today": "De meldcodes voor Vandaag laden",
    "open-store": "De teamopslag openen",
    "unlock-prepare": "Het ontgrendelen voorbereiden",
    "search-index": "Het zoeken voorbereiden",
    "today": "Vandaag laden",
    "tussentijds-bewaren": "Je invoer tussentijds versleuteld bewaren",
    "terugzetten": "Je bewaarde invoer terugzetten",
    "bijwerken": "Bijwerken met wat collega's veranderden",
    "unlock": "Ontgrendelen",
    "reset": "Een nieuw wachtwoord instellen",
    "wachtwoord-wijzigen": "Je wachtwoord wijzigen",
    "create": "Het team aanmaken",
    "save": "Opslaan",
    "checks": "Controleren voor het opslaan",
    "dialog-save": "Opslaan",
    "dossier-load": "Het dossier laden",
    "dossier-store": "Opslaan in het dossier",
    "dossier-log": "Het logboek laden",
    "social-map": "De sociale kaart laden",
    "social-map-write": "De sociale kaart bijwerken",
    "dg-save": "Het driegesprek opslaan",
    "checklist-load": "De 18+-lijst laden",
    "checklist-save": "De 18+-lijst opslaan",
    "team-checklist": "De 18+-lijst van het team laden",
    "team-checklist-save": "De 18+-lijst van het team opslaan",
    "coachwissel": "De coachwissel",
    "handover-open": "De overdracht openen",
    "handover-load": "Het overdrachtsdocument maken",
    "handover-card": "De overdracht laden",
    "handover-step": "De stap van de overdracht opslaan",
    "caseload": "De studenten overdragen",
    "overview": "Het afsprakenoverzicht maken",
    "overview-export": "Het afsprakenoverzicht bewaren",
    "reach": "Je bereikbaarheid laden",
    "reach-save": "Je bereikbaarheid opslaan",
    "report": "De rapportage maken",
    "report-export": "De rapportage bewaren",
    "rights-store": "Opslaan bij de rechten van de student",
    "rights-talks": "De gesprekken laden",
    "rights-recipients": "De ontvangers van de gegevens laden",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """A call that failed, as a screen shows it."""

    text: str  # one Dutch sentence: a field's own message, or ``messages.explain``
    field: str | None  # the form field a ValidationError names, else None
    error: BaseException


def what_of(worker: Worker[Any]) -> str:
    """The code of a worker: its name when that is known here, else its group."""
    return worker.name if worker.name in WHAT else worker.group


def dutch(exc: BaseException) -> str:
    """One Dutch sentence for a failure: a field's own message, or ``messages.explain``."""
    if isinstance(exc, ValidationError):
        return exc.message
    return explain(exc)[0]


def failure_of(exc: BaseException) -> Failure:
    return Failure(dutch(exc), exc.field if isinstance(exc, ValidationError) else None, exc)


def failure_text(what: str, exc: BaseException) -> str:
    label = WHAT.get(what, "")
    if label:
        return TEXT["failed"].format(what=label, reason=dutch(exc))
    return TEXT["failed_default"].format(reason=dutch(exc))


def run_in_thread(
    node: DOMNode,
    what: str,
    call: Callable[[], Any],
    *,
    done: Callable[[Any], object] | None = None,
    failed: Callable[[Failure], object] | None = None,
    exclusive: bool = False,
) -> Worker[None]:
    """Run ``call`` in a thread worker named ``what``; ``done(result)`` or ``failed(failure)`` on the UI thread.

    A failure other than bad input (a ValidationError) is also written to
    the error log, without values. A ``done`` that raises on the UI thread
    makes the worker fail, which ``SpokenWorkers`` tells and logs.
    """
    app = node.app

    def work() -> None:
        try:
            result = call()
        except Exception as exc:  # noqa: BLE001 - one Dutch sentence, the error log has the rest
            if not isinstance(exc, ValidationError):
                errorlog.record(exc, what)
            if isinstance(exc, WorkerInactive) and exc.info.get("own"):
                # Deactivated by a coördinator meanwhile: the window locks (and says why).
                lock = getattr(app, "lock_deactivated", None)
                if lock is not None:
                    app.call_from_thread(lock)
                return
            if failed is not None:
                app.call_from_thread(failed, failure_of(exc))
            else:
                app.call_from_thread(app.notify, failure_text(what, exc), severity="error", timeout=10)
            return
        if done is not None:
            app.call_from_thread(done, result)

    return node.run_worker(work, name=what, group=what, thread=True, exclusive=exclusive, exit_on_error=False)


class SpokenWorkers(WorkerManager):
    """The app's worker manager: a worker that ends in an error is told and logged."""

    def _remove_worker(self, worker: Worker[Any]) -> None:
        super()._remove_worker(worker)
        if worker.state != WorkerState.ERROR or worker.exit_on_error:
            return
        error = worker.error
        if error is None:
            return
        what = what_of(worker)
        errorlog.record(error, what)
        try:
            self._app.notify(failure_text(what, error), severity="error", timeout=10)
        except Exception:  # noqa: BLE001 - the app is going away while this is told; the log above has it
            return
