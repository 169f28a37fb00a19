"""The figures for municipalities and the school board, protected by the cell key method.

Plain functions over decrypted statistics documents (``storage.report``)
and the anonymous walk-ins; nothing here knows Textual or the store.

Three parts:

- the statistics document of one student (``facts_of``, ``revise``): codes,
  dates and counts only, never a name, birth date, student number or text;
  and a random record key (``cellkey``);
- ``compute``: the counts of one period, for all municipalities at once;
- protection: every count, total and breakdown is published through the
  cell key method (``cellkey``: the same students give the same figure in
  every report, counts 1-2 are never shown as themselves), rare programmes
  and woongemeenten are grouped, and a woongemeente with fewer than
  MIN_STUDENTS students helped gets no report of its own.
  Why and how: docs/report-privacy.md.
"""

from __future__ import annotations

import re
import statistics as pystats
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from jongerenteam.catalogue import (
    CLOSE_REASONS,
    LEEFDOMEINEN,
    LEVEL_LABELS,
    LEVELS,
    REFERRERS,
)
from jongerenteam.domain import WAITING_STANDARD_DAYS, StudentDetails, working_days_between
from jongerenteam.municipalities import name_of
from jongerenteam.report import cellkey
from storage.documents import JsonObject

if TYPE_CHECKING:
    from fpdf import FPDF

DOC_VERSION = 1
SMALL = 5  # a free-text category (a programme) of fewer students is never named; a mean or median needs SMALL+
MIN_STUDENTS = 10  # a woongemeente with fewer students helped (as published) is grouped and gets no own report
TALK_TYPE_LABELS = {  # jongerenteam.dossier.TALK_TYPES, repeated to keep this module light
    "intake": "intake", "driegesprek": "driegesprek", "vervolggesprek": "vervolggesprek",
    "telefonisch": "telefonisch", "app": "app/WhatsApp", "email": "e-mail", "huisbezoek": "huisbezoek",
    "buiten": "buiten/wandeling", "overleg": "overleg met betrokkene",
}
UNKNOWN = "onbekend"
OTHER = "\x00overig"  # the category of rare free-text values: never a value itself (a typed text has no NUL)

TEXT = {
    "hidden": "–",
    "legend": (
        "Om de privacy van studenten te beschermen, is elk aantal een klein beetje veranderd: "
        "soms 1 of 2 hoger of lager. Een aantal van 1 of 2 staat er nooit: dat wordt 0 of 3. "
        "Een totaal is apart veranderd, dus de regels tellen niet altijd precies op tot het totaal. "
        "Hetzelfde aantal geeft in elke rapportage hetzelfde cijfer. "
        "Cijfers van verschillende rapportages van elkaar aftrekken geeft dus geen juist aantal. "
        "– = te weinig studenten om te tonen."
    ),
    "damaged_one": (
        "Let op: 1 registratie van een student kon niet worden gelezen (beschadigd of buiten het "
        "programma om veranderd) en telt niet mee in deze cijfers. Meld dit bij de coördinator."
    ),
    "damaged_many": (
        "Let op: {n} registraties van studenten konden niet worden gelezen (beschadigd of buiten het "
        "programma om veranderd) en tellen niet mee in deze cijfers. Meld dit bij de coördinator."
    ),
    "too_few": (
        "Te weinig studenten uit {scope} in deze periode (minder dan {n}) voor eigen cijfers. "
        "Zo is niemand te herkennen. Deze studenten tellen wel mee in de cijfers van alle gemeenten, "
        "onder 'overige gemeenten'. Kies een langere periode of alle gemeenten."
    ),
    "all": "alle gemeenten",
    "unknown_municipality": "woongemeente onbekend",
    "other_municipalities": "overige gemeenten",
    "other_municipalities_note": (
        "Woongemeenten met minder dan {n} geholpen studenten staan samen onder 'overige gemeenten', "
        "zodat niemand te herkennen is."
    ),
    "total": "totaal",
    "other": "overig",
    "other_note": "Opleidingen met minder dan 5 studenten staan samen onder 'overig', zodat niemand te herkennen is.",
}


# -- the statistics document of one student -------------------------------------------


def turns_18_month(birth: date | None) -> str | None:
    """The month the student turns 18 ("yyyy-mm"), never the birth date itself."""
    if birth is None:
        return None
    return f"{birth.year + 18:04d}-{birth.month:02d}"


def facts_of(details: StudentDetails, status: str) -> JsonObject:
    """What the report keeps of the directory: codes only (``details`` is a StudentDetails)."""
    return {
        "gemeente": details.municipality_code or "",
        "niveau": details.level or "",
        "opleiding": (details.programme or "").strip(),
        "verwijzer": details.referrer or "",
        "domeinen": sorted(set(details.leefdomeinen)),
        "achttien": turns_18_month(details.birth_date),
        "status": status,
        "reden": details.closed_reason if status == "afgesloten" else "",
    }


def new_document(registered: date) -> JsonObject:
    """An empty document, with a fresh random record key ("rk", ``cellkey``)."""
    return {
        "v": DOC_VERSION, "rk": cellkey.new_record_key(), "gemeente": "", "niveau": "", "opleiding": "", "verwijzer": "", "domeinen": [],
        "achttien": None, "ingeschreven": registered.isoformat(), "aanmeldingen": [], "inloop": [],
        "gesprekken": [], "scores": [], "statussen": [],
    }


def revise(
    doc: JsonObject | None,
    facts: JsonObject,
    today: date,
    *,
    walk_in: date | None = None,
    referral: date | None = None,
    talks: tuple[tuple[date, str, str], ...] = (),
    scores: tuple[tuple[date, str, int], ...] = (),
    retype: tuple[str, str] | None = None,
) -> JsonObject:
    """The document after one change: directory facts refreshed, events appended.

    A pure function of its arguments (``storage.report.update`` may call
    it again after a conflict). ``talks`` are (date, type, entry id); the id
    lets a later change of the talk type find it, and means nothing once
    the file is gone.
    """
    doc = dict(doc) if doc else new_document(today)
    if "rk" not in doc:  # a document from before the cell key method: its key, once
        doc["rk"] = cellkey.new_record_key()
    for key in ("gemeente", "niveau", "opleiding", "verwijzer", "domeinen", "achttien"):
        doc[key] = facts[key]
    statuses = [list(x) for x in doc.get("statussen", [])]
    if not statuses or statuses[-1][1] != facts["status"] or (
        facts["status"] == "afgesloten" and statuses[-1][2] != facts["reden"]
    ):
        statuses.append([today.isoformat(), facts["status"], facts["reden"]])
    doc["statussen"] = statuses
    if walk_in is not None:
        doc["inloop"] = [*doc.get("inloop", []), walk_in.isoformat()]
    if referral is not None:
        doc["aanmeldingen"] = [*doc.get("aanmeldingen", []), referral.isoformat()]
    if talks:
        doc["gesprekken"] = [*doc.get("gesprekken", []), *([d.isoformat(), t, i] for d, t, i in talks)]
    if retype is not None:
        entry_id, new_type = retype
        doc["gesprekken"] = [[d, new_type if i == entry_id else t, i] for d, t, i in doc.get("gesprekken", [])]
    if scores:
        doc["scores"] = [*doc.get("scores", []), *([d.isoformat(), dom, int(v)] for d, dom, v in scores)]
    return doc


# -- periods -------------------------------------------------------------------------------

MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december")


# The years a report can cover: far enough back for old files, far enough ahead
# for a period that runs on, and never near the end of the calendar (year 9999).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


@dataclass(frozen=True, slots=True)
class Period:
    kind: str  # maand | kwartaal | schooljaar | eigen
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "maand":
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if self.kind == "kwartaal":
            return f"kwartaal {(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "schooljaar":
            return f"schooljaar {self.start.year}-{self.end.year}"
        return f"{fmt_date(self.start)} t/m {fmt_date(self.end)}"

    def shift(self, step: int) -> Period:
        """The previous (-1) or next (+1) period of the same kind; itself at the
        edge of the years a report can cover (FIRST_DAY to LAST_DAY)."""
        if self.kind == "maand":
            new = month_of(_add_months(self.start, step))
        elif self.kind == "kwartaal":
            new = quarter_of(_add_months(self.start, 3 * step))
        elif self.kind == "schooljaar":
            new = school_year_of(self.start.replace(year=self.start.year + step))
        else:
            length = (self.end - self.start).days + 1
            new = Period("eigen", self.start + timedelta(days=length * step), self.end + timedelta(days=length * step))
        return new if new.start >= FIRST_DAY and new.end <= LAST_DAY else self


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    return Period("maand", start, _add_months(start, 1) - timedelta(days=1))


def quarter_of(day: date) -> Period:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period("kwartaal", start, _add_months(start, 3) - timedelta(days=1))


def school_year_of(day: date) -> Period:
    """1 August to 31 July."""
    year = day.year if day.month >= 8 else day.year - 1
    return Period("schooljaar", date(year, 8, 1), date(year + 1, 7, 31))


def custom(start: date, end: date) -> Period:
    from jongerenteam.domain import ValidationError

    for field, day in (("start", start), ("end", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(field, f"Kies een datum tussen {fmt_date(FIRST_DAY)} en {fmt_date(LAST_DAY)}.")
    if end < start:
        raise ValidationError("end", "De einddatum ligt voor de begindatum.")
    return Period("eigen", start, end)


def fmt_date(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def fmt_number(value: float, decimals: int = 1) -> str:
    """Dutch decimal comma: 2,5."""
    return f"{value:.{decimals}f}".replace(".", ",")


# -- published counts: the cell key method -------------------------------------------------


class Num:
    """One count and its cell key (``cellkey``); ``shown`` is what is published.

    ``add`` counts a record ``n`` times and adds its record key as often;
    ``publish`` looks the published figure up in the perturbation table.
    """

    __slots__ = ("key", "shown", "value")

    def __init__(self, value: int = 0, key: int = 0) -> None:
        self.value = value
        self.key = key
        self.shown = 0

    def add(self, record_key: int, n: int = 1) -> None:
        self.value += n
        self.key += n * record_key

    def publish(self) -> Num:
        self.shown = cellkey.perturb(self.value, self.key)
        return self

    @classmethod
    def total(cls, parts: Iterable[Num]) -> Num:
        """A total as its own cell: the true sum and the sum of the keys, perturbed
        once (never the sum of the perturbed parts)."""
        out = cls()
        for p in parts:
            out.value += p.value
            out.key += p.key
        return out.publish()

    @property
    def text(self) -> str:
        return str(self.shown)

    def __repr__(self) -> str:
        return f"Num({self.value} shown as {self.shown})"



# -- free-text categories ------------------------------------------------------------------


def _folded(text: str) -> str:
    """A typed value compared without case and extra spaces ("Kok ", "kok")."""
    return " ".join(text.split()).casefold()


def free_text_categories(values: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Categories for a breakdown by free text (one value per student), before counting.

    Returns the category key of every value and the label of every key.
    Spellings that differ only in case or spaces are one category, labelled
    with the most common spelling. A category of fewer than SMALL students
    in the whole report is never named: it goes into OTHER ("overig"), and
    so does a value typed as "overig". The empty value stays "" (onbekend).
    """
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for value in values:
        if value:
            spellings[_folded(value)][value] += 1
    key_of = {"": ""}
    labels = {OTHER: TEXT["other"]}
    for folded, counts in spellings.items():
        if not folded:
            key = ""  # only spaces: onbekend
        elif sum(counts.values()) < SMALL or folded == TEXT["other"]:
            key = OTHER
        else:
            key = folded
            labels[key] = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        for value in counts:
            key_of[value] = key
    return key_of, labels


# -- the figures -----------------------------------------------------------------------------


@dataclass(slots=True)
class Cell:
    text: str
    value: float | None = None  # for the bars; None when not a count

    @classmethod
    def of(cls, n: Num) -> Cell:
        return cls(n.text, float(n.shown))


@dataclass(slots=True)
class Table:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, list[Cell]]]
    total: tuple[str, list[Cell]] | None = None
    note: str = ""
    bar_column: int | None = 0  # which cell gets a bar in the screen and the PDF


@dataclass(frozen=True, slots=True)
class Statistics:
    """The statistics documents as read once, and how many records could not be read."""

    documents: list[JsonObject]
    damaged: int = 0


@dataclass(slots=True)
class Report:
    period: Period
    municipality: str | None  # None: all; "" the students without a known woongemeente
    tables: list[Table]
    made_at: datetime
    records: int
    # Statistics records that could not be read (damaged, or changed outside
    # the program): left out of every figure, and said so wherever the figures go.
    damaged: int = 0
    # Why a woongemeente's own report shows no figures ("" when it does).
    refused: str = ""

    @property
    def damaged_note(self) -> str:
        """The Dutch sentence about records left out ("" when none were)."""
        if not self.damaged:
            return ""
        return TEXT["damaged_one"] if self.damaged == 1 else TEXT["damaged_many"].format(n=self.damaged)

    @property
    def notes(self) -> list[str]:
        """Every "Let op" sentence of this report; the privacy legend always."""
        return [x for x in (self.damaged_note, self.refused, TEXT["legend"]) if x]

    @property
    def scope(self) -> str:
        if self.municipality is None:
            return TEXT["all"]
        return name_of(self.municipality) or TEXT["unknown_municipality"]

    @property
    def title(self) -> str:
        return f"Rapportage jongerenteam, {self.period.label}, {self.scope}"

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


class _Family:
    """One kind of count broken down by municipality (rows) and some categories.

    ``rows[m]`` is the count for municipality m, ``grand`` their total; each
    breakdown is a grid municipality x category, with column totals. Every
    one of them is its own cell (``Num.total``): a municipality's view and
    the overall view show the same figure for the same students.
    """

    def __init__(self) -> None:
        self.rows: dict[str, Num] = defaultdict(Num)
        self.grand = Num()
        self.grids: dict[str, tuple[dict[tuple[str, str], Num], dict[str, Num]]] = {}

    def grid(self, key: str) -> dict[tuple[str, str], Num]:
        if key not in self.grids:
            self.grids[key] = (defaultdict(Num), {})
        return self.grids[key][0]

    def finish(self, municipalities: list[str], categories: dict[str, list[str]]) -> None:
        """Totals as cells of their own, and every count published."""
        for m in municipalities:
            self.rows[m].publish()
        self.grand = Num.total(self.rows[m] for m in municipalities)
        for key, (cells, col_totals) in self.grids.items():
            for c in categories[key]:
                for m in municipalities:
                    cells[(m, c)].publish()
                col_totals[c] = Num.total(cells[(m, c)] for m in municipalities)


def _in(day: str, start: str, end: str) -> bool:
    return start <= day <= end


def compute(
    documents: Iterable[JsonObject],
    anonymous: list[tuple[date, int]],
    period: Period,
    municipality: str | None = None,
    *,
    made_at: datetime | None = None,
    damaged: int = 0,
    meldcode: Iterable[tuple[str, date, int]] = (),
) -> Report:
    """All figures of one period, published through the cell key method, seen
    from one municipality (or all).

    ``documents`` are read once, in one pass (``storage.report.each_document``
    gives them so). ``anonymous``: (day, key) of each anonymous walk-in. ``damaged``:
    statistics records that could not be read (said in the report).
    ``meldcode``: (kind, day, key) of each counted meldcode event (no
    student, so no woongemeente: only in the report of all students)."""
    start, end = period.start.isoformat(), period.end.isoformat()
    helped, talks, new, referrals, walk_ins, closed = (_Family() for _ in range(6))
    by_level = helped.grid("niveau")
    by_programme = helped.grid("opleiding")
    by_referrer = helped.grid("verwijzer")
    by_age = helped.grid("leeftijd")
    by_domain = helped.grid("leefdomein")
    by_type = talks.grid("soort")
    by_reason = closed.grid("reden")
    waits = referrals.grid("wachttijd")
    scores: dict[str, _Family] = {d.code: _Family() for d in LEEFDOMEINEN}
    for fam in scores.values():
        fam.grid("verandering")
    score_sums: dict[str, dict[str, int]] = {d.code: defaultdict(int) for d in LEEFDOMEINEN}
    wait_days: dict[str, list[int]] = defaultdict(list)
    helped_programmes: list[tuple[str, str, int]] = []  # (municipality, programme as typed, record key) per student helped
    municipalities: set[str] = {""}

    records = 0
    for doc in documents:
        records += 1
        m = doc.get("gemeente") or ""
        rk = int(doc.get("rk") or 0)
        municipalities.add(m)
        if _in(doc.get("ingeschreven", ""), start, end):
            new.rows[m].add(rk)
        walks = doc.get("inloop", ())
        walks_in = [w for w in walks if start <= w <= end]
        if walks_in:
            walk_ins.rows[m].add(rk, len(walks_in))
        all_talks = doc.get("gesprekken", ())
        talk_count = 0
        first_contact = min(walks_in) if walks_in else None
        for t in all_talks:
            day = t[0]
            if start <= day <= end:
                talk_count += 1
                kind = t[1] if t[1] in TALK_TYPE_LABELS else ""
                by_type[(m, kind)].add(rk)
                if first_contact is None or day < first_contact:
                    first_contact = day
        if talk_count:
            talks.rows[m].add(rk, talk_count)
        for s_day, status, *rest in doc.get("statussen", ()):
            if status == "afgesloten" and start <= s_day <= end:
                reason = rest[0] if rest and rest[0] in CLOSE_REASONS else ""
                closed.rows[m].add(rk)
                by_reason[(m, reason)].add(rk)
        refs = [a for a in doc.get("aanmeldingen", ()) if start <= (a if isinstance(a, str) else a[0]) <= end]
        if refs:
            contacts = sorted([*walks, *(t[0] for t in all_talks)])
            for a in refs:
                referrals.rows[m].add(rk)
                if not isinstance(a, str):
                    # Kept after an erasure (storage.report.generalised): the month of the
                    # referral, whether the first talk came within the standard, and its month.
                    _, bucket, contact = a
                    waits[(m, bucket if bucket and contact and contact <= end else "nog")].add(rk)
                    continue
                first = next((c for c in contacts if a <= c <= end), None)
                if first is None:
                    waits[(m, "nog")].add(rk)
                    continue
                days = working_days_between(date.fromisoformat(a), date.fromisoformat(first))
                wait_days[m].append(days)
                waits[(m, "binnen" if days <= WAITING_STANDARD_DAYS else "later")].add(rk)
        if first_contact is None:
            continue
        # -- a student helped in this period
        helped.rows[m].add(rk)
        level = doc.get("niveau") or ""
        by_level[(m, level if level in LEVELS else "")].add(rk)
        helped_programmes.append((m, doc.get("opleiding") or "", rk))
        referrer = doc.get("verwijzer") or ""
        by_referrer[(m, referrer if referrer in REFERRERS else "")].add(rk)
        eighteen = doc.get("achttien")  # "yyyy-mm"; only "yyyy" after an erasure (from January on)
        age = "" if not eighteen else ("onder" if first_contact[:7] < eighteen else "boven")
        by_age[(m, age)].add(rk)
        for code in doc.get("domeinen", ()):
            if code in scores:
                by_domain[(m, code)].add(rk)
        per_domain: dict[str, list[tuple[str, int]]] = {}
        for s_day, code, value in doc.get("scores", ()):
            if s_day <= end and code in scores:
                per_domain.setdefault(code, []).append((s_day, value))
        for code, values in per_domain.items():
            if len(values) < 2:
                continue
            values.sort(key=lambda x: x[0])
            change = values[-1][1] - values[0][1]
            fam = scores[code]
            fam.rows[m].add(rk)
            fam.grid("verandering")[(m, "beter" if change > 0 else "gelijk" if change == 0 else "slechter")].add(rk)
            score_sums[code][m] += change

    # The programme is free text: grouped before anything is counted.
    programme_key, programme_labels = free_text_categories(p for _, p, _ in helped_programmes)
    for m, programme, rk in helped_programmes:
        by_programme[(m, programme_key[programme])].add(rk)
    used = set(programme_key.values())
    munis = sorted(municipalities, key=lambda c: (c == "", name_of(c) or c))
    categories = {
        "niveau": [*LEVELS, ""],
        "opleiding": sorted(used - {"", OTHER}, key=lambda k: programme_labels[k].casefold())
        + ([OTHER] if OTHER in used else []) + [""],
        "verwijzer": [*REFERRERS, ""],
        "leeftijd": ["onder", "boven", ""],
        "leefdomein": [d.code for d in LEEFDOMEINEN],
        "soort": [*TALK_TYPE_LABELS, ""],
        "reden": [*CLOSE_REASONS, ""],
        "wachttijd": ["binnen", "later", "nog"],
        "verandering": ["beter", "gelijk", "slechter"],
    }
    for fam in (helped, talks, new, referrals, walk_ins, closed, *scores.values()):
        fam.finish(munis, categories)
    anonymous_count = Num()
    for day, key in anonymous:
        if period.start <= day <= period.end:
            anonymous_count.add(key)
    anonymous_count.publish()
    # A woongemeente with few students helped is never named nor shown alone.
    grouped = [m for m in munis if helped.rows[m].shown < MIN_STUDENTS]
    made = made_at or datetime.now()
    if municipality is not None and helped.rows[municipality].shown < MIN_STUDENTS:
        scope = name_of(municipality) or TEXT["unknown_municipality"]
        refused = TEXT["too_few"].format(scope=scope, n=MIN_STUDENTS)
        return Report(period, municipality, [], made, records, damaged, refused)

    view = _View(municipality, munis)
    tables = [
        _core(view, helped, new, referrals, walk_ins, anonymous_count, talks),
    ]
    if municipality is None:
        tables.append(_per_municipality("gemeente", "Studenten geholpen per woongemeente", helped, munis, grouped))
        tables.append(_per_municipality("gemeente_gesprekken", "Gesprekken per woongemeente", talks, munis, grouped))
    tables += [
        _breakdown(view, "soort", "Gesprekken per soort", talks, "soort", categories, TALK_TYPE_LABELS, "gesprekken"),
        _breakdown(view, "leefdomein", "Studenten per leefdomein", helped, "leefdomein", categories,
                   {d.code: d.label for d in LEEFDOMEINEN},
                   note="Een student kan bij meer leefdomeinen horen; de regels tellen daarom niet op tot het totaal."),
        _breakdown(view, "niveau", "Studenten per niveau", helped, "niveau", categories, LEVEL_LABELS),
        _breakdown(view, "opleiding", "Studenten per opleiding", helped, "opleiding", categories, programme_labels,
                   note=TEXT["other_note"] if OTHER in used else ""),
        _breakdown(view, "verwijzer", "Studenten per verwijzer", helped, "verwijzer", categories, REFERRERS),
        _breakdown(view, "leeftijd", "Studenten onder en boven 18", helped, "leeftijd", categories,
                   {"onder": "jonger dan 18", "boven": "18 of ouder"},
                   note="Leeftijd bij het eerste contact in de periode; vanaf de maand waarin de student 18 wordt telt die als 18."),
        _breakdown(view, "reden", "Hoe dossiers eindigden", closed, "reden", categories, CLOSE_REASONS, "dossiers"),
        _waiting(view, referrals, waits, wait_days),
        _score_changes(view, scores, score_sums, munis),
    ]
    if municipality is None:
        tables.append(_meldcode(meldcode, period))
    return Report(period, municipality, tables, made, records, damaged)


@dataclass(slots=True)
class _View:
    municipality: str | None
    munis: list[str]

    def pick(self, fam: _Family, grid: str | None = None, category: str = "") -> Num:
        """The number this view shows: a municipality's cell, or the column total."""
        if grid is None:
            return fam.grand if self.municipality is None else fam.rows[self.municipality]
        cells, col_totals = fam.grids[grid]
        if self.municipality is None:
            return col_totals[category]
        return cells[(self.municipality, category)]


def _share(part: Num, total: Num) -> Cell:
    """A share of two published figures (at most 100%)."""
    if total.shown == 0:
        return Cell("")
    value = min(100.0, 100 * part.shown / total.shown)
    return Cell(fmt_number(value, 0) + "%", value)


def _core(
    view: _View, helped: _Family, new: _Family, referrals: _Family, walk_ins: _Family, anonymous: Num, talks: _Family
) -> Table:
    rows = [
        ("Studenten geholpen (gesprek of inloop)", [Cell.of(view.pick(helped))]),
        ("Nieuwe studenten ingeschreven", [Cell.of(view.pick(new))]),
        ("Aanmeldingen", [Cell.of(view.pick(referrals))]),
        ("Inloop met naam", [Cell.of(view.pick(walk_ins))]),
    ]
    if view.municipality is None:
        rows.append(("Inloop anoniem", [Cell.of(anonymous)]))
    rows.append(("Gesprekken", [Cell.of(view.pick(talks))]))
    return Table("kern", "Kerncijfers", ("aantal",), rows)


MELDCODE_ROWS = {
    "gestart": "Meldcode-trajecten gestart",
    "veilig_thuis": "Overleg met Veilig Thuis (advies)",
    "melding": "Meldingen bij Veilig Thuis",
}


def _meldcode(events: Iterable[tuple[str, date, int]], period: Period) -> Table:
    """The meldcode in the period: trajectories started, consultations with Veilig Thuis,
    meldingen; each a cell of the cell key method (issue 21)."""
    counts = {kind: Num() for kind in MELDCODE_ROWS}
    for kind, day, key in events:
        if kind in counts and period.start <= day <= period.end:
            counts[kind].add(key)
    rows = [(label, [Cell.of(counts[kind].publish())]) for kind, label in MELDCODE_ROWS.items()]
    return Table("meldcode", "Meldcode huiselijk geweld en kindermishandeling", ("aantal",), rows,
                 note="Zonder woongemeente: een meldcode hoort alleen in de rapportage over alle studenten.")


def _per_municipality(key: str, title: str, fam: _Family, munis: list[str], grouped: list[str]) -> Table:
    """One row per woongemeente with MIN_STUDENTS+ students helped (as published);
    the others together as one cell of their own, "overige gemeenten"."""
    rows = [
        (name_of(m) or TEXT["unknown_municipality"], [Cell.of(fam.rows[m]), _share(fam.rows[m], fam.grand)])
        for m in munis if m not in grouped and fam.rows[m].shown
    ]
    other = Num.total(fam.rows[m] for m in grouped)
    note = ""
    if other.shown:
        rows.append((TEXT["other_municipalities"], [Cell.of(other), _share(other, fam.grand)]))
        note = TEXT["other_municipalities_note"].format(n=MIN_STUDENTS)
    return Table(key, title, ("aantal", "aandeel"), rows, (TEXT["total"], [Cell.of(fam.grand), Cell("")]), note)


def _breakdown(view: _View, key: str, title: str, fam: _Family, grid: str, categories: dict[str, list[str]],
               labels: Mapping[str, str], unit: str = "studenten", note: str = "") -> Table:
    total = view.pick(fam)
    rows = []
    for c in categories[grid]:
        n = view.pick(fam, grid, c)
        if c == "" and n.shown == 0:
            continue  # no "onbekend" row when none is published
        label = labels.get(c, c) if c else UNKNOWN
        rows.append((label, [Cell.of(n), _share(n, total)]))
    return Table(key, title, (unit, "aandeel"), rows, (TEXT["total"], [Cell.of(total), Cell("")]), note)


def _waiting(view: _View, referrals: _Family, waits: dict[tuple[str, str], Num], wait_days: dict[str, list[int]]) -> Table:
    within, later, none = (view.pick(referrals, "wachttijd", c) for c in ("binnen", "later", "nog"))
    days = wait_days.get(view.municipality, []) if view.municipality is not None else [
        x for values in wait_days.values() for x in values
    ]
    met = Num.total((within, later))
    median = Cell(TEXT["hidden"])
    if len(days) >= SMALL:  # a median of 5+ waits names no single student's wait
        value = pystats.median(days)
        median = Cell(fmt_number(value, 1 if value % 1 else 0), float(value))
    return Table(
        "wachttijd", "Wachttijd van aanmelding tot eerste gesprek",
        ("aantal", "aandeel"),
        [
            ("Aanmeldingen in de periode", [Cell.of(view.pick(referrals)), Cell("")]),
            (f"Eerste gesprek binnen {WAITING_STANDARD_DAYS} werkdagen", [Cell.of(within), _share(within, met)]),
            (f"Eerste gesprek na meer dan {WAITING_STANDARD_DAYS} werkdagen", [Cell.of(later), _share(later, met)]),
            ("Nog geen gesprek aan het eind van de periode", [Cell.of(none), Cell("")]),
            ("Mediaan wachttijd (werkdagen)", [median, Cell("")]),
        ],
        note="Aandeel: van de aanmeldingen die een eerste gesprek hadden. Werkdagen: maandag tot en met vrijdag.",
    )


def _score_changes(view: _View, scores: dict[str, _Family], sums: dict[str, dict[str, int]], munis: list[str]) -> Table:
    rows = []
    for d in LEEFDOMEINEN:
        fam = scores[d.code]
        n = view.pick(fam)
        mean = _mean(view, fam, sums[d.code], munis)
        rows.append((d.label, [
            Cell.of(n), *(Cell.of(view.pick(fam, "verandering", c)) for c in ("beter", "gelijk", "slechter")), mean,
        ]))
    return Table(
        "scores", "Leefdomeinscores: eerste en laatste score vergeleken",
        ("studenten", "beter", "gelijk", "slechter", "gem. verandering"), rows,
        note="Studenten die in de periode geholpen zijn en in dit leefdomein minstens twee scores hebben (1-5).",
    )


def _mean(view: _View, fam: _Family, sums: dict[str, int], munis: list[str]) -> Cell:
    """A mean change, shown only over 5+ students, and never so that the
    overall mean minus the shown municipality means reveals a small group."""
    shown = {m for m in munis if fam.rows[m].value >= SMALL}
    hidden_n = sum(fam.rows[m].value for m in munis if m not in shown)
    overall_ok = fam.grand.value >= SMALL
    for m in sorted(shown, key=lambda m: fam.rows[m].value):
        if overall_ok and 0 < hidden_n < SMALL:
            shown.discard(m)
            hidden_n += fam.rows[m].value
    if overall_ok and 0 < hidden_n < SMALL:
        overall_ok = False
    if view.municipality is None:
        if not overall_ok:
            return Cell(TEXT["hidden"])
        value = sum(sums.values()) / fam.grand.value
    else:
        if view.municipality not in shown:
            return Cell(TEXT["hidden"])
        value = sums.get(view.municipality, 0) / fam.rows[view.municipality].value
    return Cell(("+" if value > 0 else "") + fmt_number(value, 1), None)


# -- CSV ----------------------------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel or LibreOffice
# (OWASP, "CSV Injection"): '=' '+' '-' '@', tab and carriage return, and for
# good measure a line feed and the full-width forms of the four signs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What the report itself writes in a figure cell: a count, a percentage, a
# median or a signed mean with a decimal comma, or the "too few" marker.
FIGURE = re.compile(r"[+-]?\d+(?:,\d+)?%?|" + re.escape(TEXT["hidden"]) + "|")


def csv_text(value: str) -> str:
    """A text cell (a title, a label, anything a user may have typed), as CSV:
    always quoted, so a ';', '"' or line break stays inside the cell, and with
    a single quote before a first character that would start a formula."""
    if not value:
        return ""
    if value.startswith(FORMULA_START) or value.lstrip().startswith(FORMULA_START):
        value = "'" + value  # also after spaces: an import that trims them must not find a formula
    return '"' + value.replace('"', '""') + '"'


def csv_figure(value: str) -> str:
    """A figure cell, as CSV: a number or marker the report computed is written
    as is, so a spreadsheet reads "-0,5" as a number; anything else as text."""
    return value if FIGURE.fullmatch(value) else csv_text(value)


def to_csv(report: Report) -> bytes:
    """One CSV file with a section per table, for Dutch Excel and LibreOffice:
    ';' separator, UTF-8 with BOM, decimal comma, dates dd-mm-jjjj. Every cell
    is text (``csv_text``) except the figures of the tables (``csv_figure``)."""
    lines: list[str] = []

    def row(*texts: str, figures: tuple[str, ...] = ()) -> None:
        lines.append(";".join([*map(csv_text, texts), *map(csv_figure, figures)]))

    row(report.title)
    row("Periode", fmt_date(report.period.start), fmt_date(report.period.end))
    row("Gemeente", report.scope)
    row("Gemaakt op", report.made_at.strftime("%d-%m-%Y %H:%M"))
    for note in report.notes:
        row("Let op", note)
    for table in report.tables:
        row()
        row(table.title)
        row("", *table.headers)
        for label, cells in [*table.rows, *([table.total] if table.total is not None else [])]:
            row(label, figures=tuple(c.text for c in cells))
        if table.note:
            row(table.note)
    return ("\ufeff" + "".join(line + "\r\n" for line in lines)).encode("utf-8")


# -- PDF ----------------------------------------------------------------------------------------


def render_pdf(report: Report) -> bytes:
    """An A4 report: every table with its numbers and bars drawn beside them."""
    from jongerenteam.pdf import FONT, MARGIN_MM, new_pdf, one_line, printable, shape_unless_plain

    def cell_text(text: str) -> str:
        return one_line(printable(text))

    footer_text = cell_text(f"{report.title} · gemaakt op {report.made_at.strftime('%d-%m-%Y %H:%M')}")
    title = printable(report.title)
    legend = printable(" ".join(report.notes))
    tables = [
        (
            table,
            cell_text(table.title),
            [cell_text(h) for h in table.headers],
            [(cell_text(label), [cell_text(c.text) for c in cells]) for label, cells in
             [*table.rows, *([table.total] if table.total else [])]],
            printable(table.note),
        )
        for table in report.tables
    ]
    texts = [footer_text, title, legend, "pagina van …"]
    for _, t_title, headers, rows, note in tables:
        texts += [t_title, note, *headers, *(x for label, cells in rows for x in (label, *cells))]

    def footer(pdf: FPDF) -> None:
        pdf.set_y(-15)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(90, 90, 90)
        pdf.set_text_shaping(True)
        pdf.cell(0, 5, f"{footer_text}  ·  pagina {pdf.page_no()} van {{nb}}", align="L")

    pdf = new_pdf(texts, footer)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title)
    pdf.set_font(FONT, "", 9)
    pdf.ln(1)
    pdf.multi_cell(0, 4.5, legend)
    pdf.ln(3)
    label_w, value_w, bar_w, row_h = 70, 22, 60, 5.5

    def cell(width: float, text: str, align: str = "L") -> None:
        """One table cell; a plain one (every figure, most labels) without text shaping."""
        shape_unless_plain(pdf, text)
        pdf.cell(width, row_h, text, align=align)

    for table, t_title, headers, rows, note in tables:
        needed = (len(table.rows) + 3) * row_h
        if pdf.get_y() + min(needed, 60) > pdf.h - MARGIN_MM:
            pdf.add_page()
        pdf.set_font(FONT, "B", 12)
        pdf.set_text_color(0, 0, 0)
        pdf.set_text_shaping(True)
        pdf.cell(0, 8, t_title, new_x="LMARGIN", new_y="NEXT")
        widths = [label_w] + [value_w] * len(headers)
        pdf.set_font(FONT, "B", 9)
        cell(label_w, "")
        for h in headers:
            cell(value_w, h, align="R")
        pdf.ln(row_h)
        values = [v for _, c in table.rows if table.bar_column is not None and (v := c[table.bar_column].value)]
        top = max(values, default=0)
        for i, (label, texts_) in enumerate(rows):
            is_total = table.total is not None and i == len(rows) - 1
            pdf.set_font(FONT, "B" if is_total else "", 9)
            shape_unless_plain(pdf, label)  # measured and drawn alike, also when cut short
            pdf.cell(label_w, row_h, _fit(pdf, label, label_w - 2))
            for text in texts_:
                cell(value_w, text, align="R")
            cells = table.rows[i][1] if not is_total else []
            if not is_total and table.bar_column is not None and table.bar_column < len(cells):
                v = cells[table.bar_column].value
                x = MARGIN_MM + sum(widths) + 3
                room = min(bar_w, pdf.w - MARGIN_MM - x)
                if v and top and room > 5:
                    pdf.set_fill_color(60, 110, 170)
                    pdf.rect(x, pdf.get_y() + 1, max(0.5, room * v / top), row_h - 2, style="F")
            pdf.ln(row_h)
        pdf.set_text_shaping(True)
        if note:
            pdf.set_font(FONT, "", 8)
            pdf.set_text_color(90, 90, 90)
            pdf.multi_cell(0, 4, note)
            pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text``, cut short with "…" where it is wider than ``width`` (never between
    a letter and its accent, nor inside an emoji sequence)."""
    if pdf.get_string_width(text) <= width:
        return text
    for i in range(len(text) - 1, 0, -1):
        if _attaches(text[i]) or text[i - 1] == "\u200d":
            continue
        short = text[:i].rstrip() + "…"
        if pdf.get_string_width(short) <= width:
            return short
    return "…"


def _attaches(ch: str) -> bool:
    """A combining mark, joiner or variation selector: belongs to the character before it."""
    from jongerenteam.glyphs import ignorable

    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or (ignorable(ch) and not ch.isspace())


def csv_target(path: str) -> Path:
    """The CSV file to write: '~' expanded, '.csv' added; the same checks as a PDF."""
    from jongerenteam.pdf import target_file

    return target_file(path, ".csv", "rapportage.csv")


def default_file_name(report: Report, extension: str) -> str:
    scope = "" if report.municipality is None else "-" + (name_of(report.municipality) or "onbekend").replace(" ", "_")
    return f"rapportage-{report.period.start.isoformat()}-{report.period.end.isoformat()}{scope}.{extension}"


def document_from_entries(
    details: StudentDetails, status: str, registered: date, entries: list[tuple[str, JsonObject, date]]
) -> JsonObject:
    """A statistics document built from a file's (kind, payload, day) entries:
    for the demo store and imports, where the payloads are at hand."""
    facts = facts_of(details, status)
    doc = new_document(registered)
    doc.update({k: facts[k] for k in ("gemeente", "niveau", "opleiding", "verwijzer", "domeinen", "achttien")})
    for kind, payload, day in entries:
        if kind == "talk":
            moment = payload.get("moment") or day.isoformat()
            doc["gesprekken"].append([moment[:10], payload.get("type", ""), ""])
        elif kind == "score":
            doc["scores"].append([payload.get("datum") or day.isoformat(), payload.get("domein", ""), int(payload.get("score", 0))])
        elif kind == "inloop":
            doc["inloop"].append(day.isoformat())
        elif kind == "aanmelding":
            doc["aanmeldingen"].append(day.isoformat())
    if details.waiting_since and not doc["aanmeldingen"]:
        doc["aanmeldingen"].append(details.waiting_since.isoformat())
    doc["gesprekken"].sort()
    doc["statussen"] = [[registered.isoformat(), "aangemeld", ""]]
    if status != "aangemeld":
        doc["statussen"].append([registered.isoformat(), status, facts["reden"]])
    return doc
