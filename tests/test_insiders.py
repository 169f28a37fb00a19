"""Attacks on the store's integrity, each through the real unlock, as the victim meets them.

Every test tampers first (raw SQL on the store's own engine, or an older copy
of the store file put back), then goes through ``TeamSession.unlock`` (the
path the app and the CLI take), and checks what the worker is told and what
the log says. Tests taking ``store_url`` run on SQLite and on PostgreSQL.
See the threat table in docs/security.md: each row names its test here.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from jongerenteam import consent as cn
from jongerenteam import dossier as d
from jongerenteam import integrity, messages
from jongerenteam.domain import StudentDetails
from jongerenteam.session import TeamSession
from jongerenteam.settings import kdf_params
from storage import audit, authority, clock, files, students, team
from storage import handover as store_handover
from storage.crypto import DecryptionError, FieldKey, mac, open_field, sign, signing_key_from_seed
from storage.errors import LogTampered, NotAllowed, NotInvolved, Tampered, WorkerInactive
from storage.keyslots import KdfParams, make_slot, open_slot
from storage.models import AuditEntry, Grant, KeySlot, Student, StudentKeyWrap, Team
from storage.store import Store
from tests.support import (
    COORDINATOR_PASS,
    OTHER_PASS,
    WORKER_PASS,
    TeamFixture,
    build_app,
    canary_student,
    make_team,
    notifications,
    run_cli,
    unlock_as,
    wait_until,
)


@pytest.fixture
def fx(store_url):
    team_fx = make_team(store_url)
    yield team_fx
    team_fx.store.close()


def _raw(store: Store, sql: str, **params) -> list:
    """Raw SQL past the application, as someone with the files would."""
    with store.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return result.fetchall() if result.returns_rows else []


def _newest_seq(store: Store) -> int:
    return _raw(store, "SELECT max(seq) FROM audit_log")[0][0]


def _events(store: Store, event: str) -> list[AuditEntry]:
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.event == event)).all())


# -- 1. a log cut short or emptied, without any key ----------------------------------------------------


def test_newest_entries_removed_with_their_head_refuse_the_unlock(fx):
    """Deleting the newest entries and the head row leaves a shorter chain that is valid on its own:
    the next unlock (which always appends a login) refuses to chain on, in Dutch."""
    TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS).lock()
    newest = _newest_seq(fx.store)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq > :cut", cut=newest - 3)
    _raw(fx.store, "DELETE FROM audit_head")
    with pytest.raises(LogTampered) as caught:
        TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    text_, code = messages.explain(caught.value)
    assert "logboek" in text_ and "ingekort of veranderd" in text_
    assert code == messages.EXIT_TAMPERED
    # Nothing was added to the cut log.
    assert _newest_seq(fx.store) == newest - 3


def test_whole_log_and_head_removed_refuse_the_unlock(fx):
    _raw(fx.store, "DELETE FROM audit_log")
    _raw(fx.store, "DELETE FROM audit_head")
    with pytest.raises(LogTampered):
        TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert _raw(fx.store, "SELECT count(*) FROM audit_log")[0][0] == 0


def test_newest_entries_removed_head_kept_refuse_the_unlock(fx):
    """The head names an entry that is no longer there."""
    newest = _newest_seq(fx.store)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq = :seq", seq=newest)
    with pytest.raises(LogTampered):
        TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)


def test_head_moved_back_refuses_the_unlock(fx):
    """Pointing the head at an older entry (with that entry's MAC) breaks the head's own MAC."""
    newest = _newest_seq(fx.store)
    older_mac = _raw(fx.store, "SELECT mac FROM audit_log WHERE seq = :seq", seq=newest - 2)[0][0]
    _raw(fx.store, "DELETE FROM audit_log WHERE seq > :cut", cut=newest - 2)
    _raw(fx.store, "UPDATE audit_head SET seq = :seq, mac = :mac", seq=newest - 2, mac=older_mac)
    with pytest.raises(LogTampered):
        TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)


def test_audit_verify_in_the_cli_says_it_in_dutch(tmp_path):
    """The installed command: after the cut, 'audit verify' does not say 'in orde'."""
    home = tmp_path / "home"
    home.mkdir()
    fx = make_team(tmp_path / "team.jt")
    newest = _newest_seq(fx.store)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq > :cut", cut=newest - 2)
    _raw(fx.store, "DELETE FROM audit_head")
    fx.store.close()
    proc = run_cli(["--store", str(fx.path), "audit", "verify", "--worker", "HH"], home=home, stdin=WORKER_PASS + "\n")
    assert proc.returncode == messages.EXIT_TAMPERED
    assert "in orde" not in proc.stdout
    assert "Het logboek van deze teamopslag is ingekort of veranderd" in proc.stderr


# -- 6. an older copy of the store put back ---------------------------------------------------------------


def _student(fx, session: TeamSession) -> str:
    return students.add_student(
        session.store, session.keys, canary_student().to_dict(), status="aangemeld", contact_worker_id=fx.worker_id,
    ).id


def _older_copy_put_back(tmp_path) -> tuple[TeamFixture, Store]:
    """Hanna logs in once; a copy of the store is kept; she logs in twice more; the copy is put back (opened)."""
    fx = make_team(tmp_path / "team.jt")
    TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS).lock()
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    for _ in range(2):
        TeamSession.unlock(store, fx.worker_id, WORKER_PASS).lock()
    store.close()
    shutil.copyfile(old, fx.path)
    return fx, Store.open(str(fx.path))


def test_older_copy_of_the_store_is_seen_at_the_next_unlock(tmp_path):
    """This laptop saw a newer head; an older copy put over the store is said at unlock and logged."""
    fx, store = _older_copy_put_back(tmp_path)
    try:
        session = TeamSession.unlock(store, fx.worker_id, WORKER_PASS)
        assert len(session.notices) == 1
        assert session.notices[0].startswith("Let op: deze teamopslag is ouder dan de versie die je op deze laptop eerder zag")
        (entry,) = _events(store, "integrity")
        assert entry.worker_id == fx.worker_id and entry.detail.startswith("rolled back")
        session.lock()
        # Said once: from now on this laptop remembers this store as it is.
        assert TeamSession.unlock(store, fx.worker_id, WORKER_PASS).notices == []
    finally:
        store.close()


def test_older_copy_used_since_is_seen_as_another_history(tmp_path, monkeypatch):
    """An older copy that was used since (its log grew past the remembered point) is not the same log."""
    fx = make_team(tmp_path / "team.jt")
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    TeamSession.unlock(store, fx.worker_id, WORKER_PASS).lock()
    store.close()
    # The old copy is used on another laptop (its own memory) for a while, then put back here.
    here = integrity.state_path()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "other-laptop"))
    other = Store.open(str(old))
    for _ in range(4):
        TeamSession.unlock(other, fx.other_id, OTHER_PASS).lock()
    other.close()
    monkeypatch.setenv("XDG_STATE_HOME", str(here.parent.parent))
    shutil.copyfile(old, fx.path)
    store = Store.open(str(fx.path))
    try:
        session = TeamSession.unlock(store, fx.worker_id, WORKER_PASS)
        assert any(n.startswith("Let op: het logboek van deze teamopslag is niet meer hetzelfde") for n in session.notices)
        assert _events(store, "integrity")[0].detail.startswith("replaced")
    finally:
        store.close()


def test_a_restore_by_a_coordinator_is_not_a_rollback(tmp_path):
    """An authentic 'restore' entry written after this laptop's memory: an older log is expected."""
    fx, store = _older_copy_put_back(tmp_path)
    try:
        coordinator = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS, check=False)
        with store.session() as s:
            audit.append(s, coordinator.keys, "restore", worker_id=fx.coordinator_id)
        coordinator.lock()
        assert TeamSession.unlock(store, fx.worker_id, WORKER_PASS).notices == []
        assert _events(store, "integrity") == []
    finally:
        store.close()


def test_erased_student_back_in_an_older_copy_is_erased_again_at_unlock(tmp_path):
    """The erasure list is applied at every unlock, not only at a restore."""
    fx = make_team(tmp_path / "team.jt")
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    sid = _student(fx, coordinator)
    fx.store.close()
    old = tmp_path / "oud.jt"
    shutil.copyfile(fx.path, old)
    store = Store.open(str(fx.path))
    coordinator = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS)
    coordinator.rights.erase_student(sid, "verzoek")
    coordinator.lock()
    store.close()
    shutil.copyfile(old, fx.path)  # the side file <store>.erasures stays where it is
    store = Store.open(str(fx.path))
    try:
        with store.session() as s:
            assert s.get(Student, sid) is not None  # back, in the old copy
        session = TeamSession.unlock(store, fx.worker_id, WORKER_PASS)
        assert any("stonden weer in de opslag" in n and "opnieuw gewist" in n for n in session.notices)
        with store.session() as s:
            assert s.get(Student, sid) is None
        assert any(e.detail.startswith("gewiste studenten terug: 1") for e in _events(store, "integrity"))
    finally:
        store.close()


@pytest.mark.parametrize("how", ["row in the list", "line in the side file", "line signed by a hulpverlener"])
def test_a_forged_erasure_destroys_nothing(tmp_path, how):
    """Someone with the files adds a live student to the erasure list (the ``erasures`` table or
    the side file ``<store>.erasures``), unsigned or signed with a hulpverlener's own key: the next
    unlock, which applies the list, erases nobody, says so in Dutch and logs it."""
    from storage import rights as store_rights

    fx = make_team(tmp_path / "team.jt")
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    sid = _student(fx, coordinator)
    at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    if how == "row in the list":
        _raw(fx.store, "INSERT INTO erasures (student_id, erased_at, reason) VALUES (:s, :a, 'verzoek')", s=sid, a=at)
    else:
        forged = store_rights.Erased(at, "verzoek")
        if how == "line signed by a hulpverlener":
            otto = team.unlock(fx.store, fx.other_id, OTHER_PASS, event=None)
            forged = store_rights.sign_erasure(otto, sid, at, "verzoek")
            assert forged.sig
        store_rights.write_side_file(fx.path, {sid: forged})
    session = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        assert any(n.startswith("Let op: de lijst van gewiste studenten noemt 1 student(en)") for n in session.notices)
    finally:
        session.lock()
    with fx.store.session() as s:
        assert s.get(Student, sid) is not None  # nobody erased
    assert [e.detail for e in _events(fx.store, "integrity")] == [
        "wissingen zonder geldige handtekening genegeerd: 1"]
    assert _events(fx.store, "erasure") == []
    fx.store.close()


def test_an_erasure_is_signed_by_the_coordinator_and_its_side_file_line_too(tmp_path):
    """The coördinator's erasure carries their signature, in the store and in the side file, and
    is applied again from the side file alone (the store file replaced by an older copy)."""
    from storage import rights as store_rights

    fx = make_team(tmp_path / "team.jt")
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    sid = _student(fx, coordinator)
    coordinator.rights.erase_student(sid, "verzoek")
    coordinator.lock()
    (row,) = store_rights.erasure_ids(fx.store).values()
    assert row.signer == fx.coordinator_id and row.sig
    assert store_rights.read_side_file(fx.path)[sid] == row
    fx.store.close()


def test_unwritable_memory_is_said_not_silent(tmp_path, monkeypatch):
    fx = make_team(tmp_path / "team.jt")
    state = tmp_path / "state"
    state.mkdir()
    (state / "jongerenteam").write_text("geen map")  # the folder cannot be made
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    try:
        session = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
        assert any("kon op deze laptop niet bijhouden" in n for n in session.notices)
    finally:
        fx.store.close()


async def test_the_app_tells_the_worker_after_unlock(tmp_path):
    """In the app: the warning is a notification right after the unlock, before anything else."""
    fx, fx.store = _older_copy_put_back(tmp_path)
    try:
        app = build_app(fx)
        async with app.run_test(size=(120, 36)) as pilot:
            await unlock_as(app, pilot, "Hanna", WORKER_PASS)
            await wait_until(
                pilot, lambda: any("ouder dan de versie" in str(n) for n in notifications(app)),
                what="the rollback warning",
            )
    finally:
        fx.store.close()


def test_memory_holds_no_personal_data(tmp_path):
    fx = make_team(tmp_path / "team.jt")
    session = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    _student(fx, session)
    session.lock()
    fx.store.close()
    kept = integrity.state_path().read_text(encoding="utf-8")
    assert set(kept) <= set('{}":,0123456789abcdef -') | set("seqmacat") | set("T.+")
    assert integrity.state_path().stat().st_mode & 0o077 == 0


# -- 2, 3. a colleague with the files and their own passphrase ----------------------------------------------

def _rewrite_own_slot(store: Store, worker_id: str, passphrase: str, change) -> None:
    """What an insider can do with their own slot: open it, change the payload, seal it again."""
    with store.session() as s:
        slot = s.scalar(select(KeySlot).where(KeySlot.worker_id == worker_id))
        record = team._record_of(slot)
        payload = change(open_slot(record, passphrase))
        again = make_slot(slot.id, passphrase, payload, KdfParams(slot.memory_kib, slot.time_cost, slot.parallelism))
        slot.wrapped, slot.salt = again.wrapped, again.salt


def _coordinator_verify(store: Store, fx) -> audit.Verification:
    session = TeamSession.unlock(store, fx.coordinator_id, COORDINATOR_PASS, check=False)
    try:
        return session.team.verify_audit()
    finally:
        session.lock()


def _rechain(store: Store, keys, *, sign_as: dict[str, bytes]) -> None:
    """Recompute every MAC and the head with the team key (which every worker has), and
    re-sign the entries of the workers whose seeds are in ``sign_as`` (the insider's own)."""
    with store.session() as s:
        prev = audit.GENESIS
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        for new_seq, e in enumerate(rows, start=1):
            e.seq = new_seq
            e.mac = mac(keys.audit_key, prev + audit._canonical(e))
            if e.signer in sign_as:
                e.sig = sign(sign_as[e.signer], audit._entry_message(e.mac))
            prev = e.mac
        head = s.get(audit.AuditHead, 1)
        head.seq, head.mac, head.head_mac = len(rows), prev, audit._head_mac(keys.audit_key, len(rows), prev)
        head.signer, head.sig = keys.worker_id, sign(keys.sign_seed, audit._head_message(len(rows), prev))


def test_worker_who_removes_their_own_entry_and_rechains_the_log_is_caught(fx):
    """Hanna removes her own emergency_access entry, recomputes the whole chain and head with the team
    key from her slot, and re-signs what she can: the colleagues' signatures after it no longer hold."""
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with fx.store.session() as s:
        audit.append(s, hanna.keys, "emergency_access", worker_id=fx.worker_id, detail="noodtoegang")
    hanna.lock()
    TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS).lock()  # a colleague writes after it
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    _raw(fx.store, "DELETE FROM audit_log WHERE event = 'emergency_access'")
    _rechain(fx.store, keys, sign_as={fx.worker_id: keys.sign_seed})
    result = _coordinator_verify(fx.store, fx)
    assert not result.ok
    assert result.reason == "handtekening ontbreekt of klopt niet"


def test_worker_who_re_signs_colleagues_entries_as_their_own_is_caught(fx):
    """Re-signing every entry with her own key does not pass: an entry is signed by the worker it names."""
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq = 2")
    with fx.store.session() as s:
        for e in s.scalars(select(AuditEntry)).all():
            e.signer = fx.worker_id
    _rechain(fx.store, keys, sign_as={fx.worker_id: keys.sign_seed})
    result = _coordinator_verify(fx.store, fx)
    assert (result.ok, result.reason) == (False, "ondertekend door een ander dan wie het deed")


def test_worker_who_sets_the_role_byte_in_their_own_slot_stays_a_worker(fx):
    """The slot's role byte no longer decides: the signed grant does."""
    _rewrite_own_slot(fx.store, fx.worker_id, WORKER_PASS, lambda p: p[:96] + b"\x01" + p[97:])
    _raw(fx.store, "UPDATE workers SET role = 'coordinator' WHERE id = :id", id=fx.worker_id)
    session = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        assert session.keys.role == "worker" and not session.keys.is_coordinator
        assert session.keys.escrow_private is None
        with pytest.raises(NotAllowed):
            session.team.add_worker(
                team.WorkerDetails("Nep Collega", "NC", team.WORKER, "jeugdhulp"), "fiets regen koffie bergop", kdf_params(),
            )
    finally:
        session.lock()


def test_worker_who_edits_their_grant_is_refused_at_unlock_and_seen_by_verify(fx):
    _raw(fx.store, "UPDATE grants SET role = 'coordinator' WHERE worker_id = :id", id=fx.worker_id)
    with pytest.raises(Tampered):
        TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    result = _coordinator_verify(fx.store, fx)
    assert (result.ok, result.reason) == (False, "rechten van een medewerker veranderd zonder geldige handtekening")


def test_a_grant_changed_after_it_was_checked_is_checked_again_and_refused(fx):
    """Grant signatures are checked once per process (``authority._root_signed``): a grant row
    that changes after its check is a new question, refused like any forged grant; nothing
    is sealed to Otto while his grant is not the root's."""
    keys = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    with fx.store.reading() as s:
        assert authority.current_grant(s, keys.root_public, fx.other_id) is not None
        assert fx.other_id in authority.trust(s, keys.root_public, keys.signed_from).current
    _raw(fx.store, "UPDATE grants SET role = 'coordinator' WHERE worker_id = :o", o=fx.other_id)
    with fx.store.reading() as s:
        trust = authority.trust(s, keys.root_public, keys.signed_from)
        assert fx.other_id not in trust.current and any(w == fx.other_id for w, _ in trust.forged)
        assert authority.current_grant(s, keys.root_public, fx.other_id) is None
    with pytest.raises(Tampered):
        students.add_student(fx.store, keys, {"first_name": "Sam"}, status="aangemeld", contact_worker_id=fx.other_id)
    assert _raw(fx.store, "SELECT count(*) FROM students") == [(0,)]


def test_worker_who_signs_a_grant_with_their_own_key_gains_nothing(fx):
    """A grant signed by anyone but the root (here: by Hanna's own signing key) is not a grant."""
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    with fx.store.session() as s:
        g = s.get(Grant, (fx.worker_id, 1))
        forged = Grant(
            worker_id=g.worker_id, serial=2, role="coordinator", active=True, box_public=g.box_public,
            sign_public=g.sign_public, signed_at=g.signed_at, sig=b"",
        )
        forged.sig = sign(keys.sign_seed, authority._grant_message(forged))
        s.add(forged)
    session = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        assert session.keys.role == "worker"
    finally:
        session.lock()


def test_insider_who_swaps_the_root_key_locks_the_victims_out_instead_of_fooling_them(fx):
    """Hanna puts her own key in as the team's root and re-signs every grant with it: the coördinator's
    attestation (made with the escrow key) no longer matches, so the coördinator's unlock refuses."""
    keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    fake_root = signing_key_from_seed(keys.sign_seed)
    with fx.store.session() as s:
        s.scalar(select(Team)).root_public = fake_root
        for g in s.scalars(select(Grant)).all():
            if g.worker_id == fx.worker_id:
                g.role = "coordinator"
            g.sig = sign(keys.sign_seed, authority._grant_message(g))
    with pytest.raises(Tampered) as caught:
        TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    assert caught.value.where == "workers.root_attest"


def test_deactivated_worker_who_puts_their_old_slot_back_is_refused(fx):
    """The slot row copied before the deactivation, put back with the active flag: the signed grant says no."""
    slot = _raw(fx.store, "SELECT id, kind, worker_id, salt, memory_kib, time_cost, parallelism, wrapped, created_at "
                          "FROM key_slots WHERE worker_id = :id", id=fx.other_id)[0]
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    team.deactivate_worker(fx.store, coordinator.keys, fx.other_id)
    coordinator.lock()
    _raw(fx.store, "INSERT INTO key_slots (id, kind, worker_id, salt, memory_kib, time_cost, parallelism, wrapped, created_at) "
                   "VALUES (:a, :b, :c, :d, :e, :f, :g, :h, :i)",
         a=slot[0], b=slot[1], c=slot[2], d=slot[3], e=slot[4], f=slot[5], g=slot[6], h=slot[7], i=slot[8])
    _raw(fx.store, "UPDATE workers SET active = :t WHERE id = :id", t=True, id=fx.other_id)
    with pytest.raises(WorkerInactive):
        TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)


# -- the upgrade: a team from before signing ---------------------------------------------------------------


def _unsign(fx) -> None:
    """Make the store look like one from before signed authority: v1 slots, no root, no grants, no signatures."""
    for wid, passphrase in ((fx.coordinator_id, COORDINATOR_PASS), (fx.worker_id, WORKER_PASS), (fx.other_id, OTHER_PASS)):
        _rewrite_own_slot(fx.store, wid, passphrase, lambda p: p[:97])
    _raw(fx.store, "DELETE FROM grants")
    _raw(fx.store, "UPDATE team SET root_public = NULL, signed_from = NULL")
    _raw(fx.store, "UPDATE workers SET root_attest = NULL, sign_public = NULL, sign_binding = NULL")
    _raw(fx.store, "UPDATE audit_log SET signer = NULL, sig = NULL")
    _raw(fx.store, "UPDATE audit_head SET signer = NULL, sig = NULL")


def test_first_coordinator_unlock_after_the_upgrade_signs_the_team(fx):
    _unsign(fx)
    # A worker first: a signing key of her own, pending (nobody could grant it yet).
    TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS).lock()
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        assert any(n.startswith("De teamopslag is nu beveiligd met handtekeningen") for n in coordinator.notices)
        assert coordinator.keys.root_public is not None
        (entry,) = [e for e in _events(fx.store, "migration") if e.detail == "ondertekend"]
        assert entry.worker_id == fx.coordinator_id and entry.sig
        roles = {g.worker_id: g.role for g in _grants(fx.store)}
        assert roles == {fx.coordinator_id: "coordinator", fx.worker_id: "worker", fx.other_id: "worker"}
    finally:
        coordinator.lock()
    # Otto had not logged in since the upgrade: his key is pending after his unlock ...
    TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS).lock()
    assert _coordinator_verify(fx.store, fx).ok  # (this unlock also grants Otto's key)
    # ... and after a coördinator's unlock nothing is unconfirmed any more.
    result = _coordinator_verify(fx.store, fx)
    assert (result.ok, result.unconfirmed) == (True, 0)
    # The role byte in Hanna's old-style slot: the grant decides from now on.
    _rewrite_own_slot(fx.store, fx.worker_id, WORKER_PASS, lambda p: p[:96] + b"\x01" + p[97:])
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert not hanna.keys.is_coordinator
    hanna.lock()


def _grants(store: Store) -> list[Grant]:
    with store.session() as s:
        return list(s.scalars(select(Grant).order_by(Grant.serial)).all())


def test_a_signing_key_published_for_a_colleague_is_not_granted(fx):
    """After the upgrade, Hanna publishes her own key as Otto's pending key: the coördinator's
    unlock checks the binding (which needs Otto's private key), refuses it, says so and logs it."""
    _unsign(fx)
    TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS).lock()
    hanna = team.unlock(fx.store, fx.worker_id, WORKER_PASS)
    _raw(fx.store, "UPDATE workers SET sign_public = :k, sign_binding = :b WHERE id = :id",
         k=signing_key_from_seed(hanna.sign_seed), b=b"\x00" * 32, id=fx.other_id)
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        assert any("is niet door Otto Collega zelf gemaakt" in n for n in coordinator.notices)
    finally:
        coordinator.lock()
    assert all(g.sign_public != signing_key_from_seed(hanna.sign_seed) for g in _grants(fx.store) if g.worker_id == fx.other_id)
    assert any(e.detail == "ondertekensleutel klopt niet" for e in _events(fx.store, "integrity"))


def test_recovery_with_the_code_is_signed_by_the_root(fx):
    """A new passphrase set with the recovery code: new keys, a new grant, and the log still verifies."""
    team_key, escrow_private = team.unlock_recovery(fx.store, fx.recovery_code)
    team.reset_passphrase(fx.store, team_key, escrow_private, fx.worker_id, "een nieuwe lange zin", kdf_params(),
                          by_worker=None, via="herstelcode")
    session = TeamSession.unlock(fx.store, fx.worker_id, "een nieuwe lange zin")
    assert session.keys.role == "worker"
    session.lock()
    assert _coordinator_verify(fx.store, fx).ok


# -- 7. plain columns that decide what may be erased -----------------------------------------------------------


def _walk_in(session: TeamSession, first_name: str):
    details = StudentDetails(
        first_name=first_name, last_name="Bakker", birth_date=date(2008, 4, 3), programme="Verzorgende IG",
        level="2", municipality_code="GM0193",
    )
    return session.spreekuur.register_student(details, status="lopend", today=date(2026, 11, 1))


def test_retention_terms_set_below_the_law_or_without_a_signature_do_not_count(fx):
    """Hanna writes one year into the team's retention terms: without a coördinator's signature they
    are set aside, the legal terms apply, and the service says so."""
    _raw(fx.store, "UPDATE team SET retention = :r", r='{"jeugdwet": 1, "school": 1}')
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        assert coordinator.rights.retention_years() == {"school": 2, "jeugdwet": 20, "kort": 1}
        assert coordinator.rights.retention_set_aside()
    finally:
        coordinator.lock()


def test_a_file_marked_closed_in_the_columns_is_not_offered_for_erasure(fx):
    """Status 'afgesloten' and a closing date 30 years ago, set with raw SQL: no signed status entry
    closed the file, so the bewaartermijn list does not offer it. A file the worker really closed is."""
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    forged = _walk_in(hanna, "Sanne")
    real = _walk_in(hanna, "Jelle")
    hanna.dossier.set_status(hanna.students[real.id], "afgesloten", "doel_bereikt")
    hanna.lock()
    _raw(fx.store, "UPDATE students SET status = 'afgesloten', closed_at = :at WHERE id = :id",
         at=datetime(1996, 1, 1, tzinfo=UTC), id=forged.id)
    _raw(fx.store, "UPDATE students SET closed_at = :at WHERE id = :id", at=datetime(1996, 1, 1, tzinfo=UTC), id=real.id)
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        far = date(2060, 1, 1)
        listed = {p.record.id: p.closed_on for p in coordinator.rights.past_term(far)}
        assert forged.id not in listed
        # The real one counts from the signed closing, not from the edited column.
        assert real.id in listed and listed[real.id].year == 2026
    finally:
        coordinator.lock()


def test_old_closings_are_carried_into_the_signed_log_at_the_upgrade(fx):
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    rec = _walk_in(hanna, "Rik")
    hanna.dossier.set_status(hanna.students[rec.id], "afgesloten", "doel_bereikt")
    hanna.lock()
    _unsign(fx)
    _raw(fx.store, "DELETE FROM audit_log WHERE detail LIKE 'status: %'")
    _rechain_plain(fx)
    _raw(fx.store, "UPDATE students SET closed_at = :at WHERE id = :id", at=datetime(2001, 5, 1, tzinfo=UTC), id=rec.id)
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        listed = {p.record.id: p.closed_on for p in coordinator.rights.past_term(date(2060, 1, 1))}
        assert listed[rec.id] == date(2001, 5, 1)
    finally:
        coordinator.lock()


def _rechain_plain(fx) -> None:
    """After removing entries from a team from before signing (a store as it was): MACs and head again."""
    keys = team.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS, event=None)
    with fx.store.session() as s:
        prev = audit.GENESIS
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        for new_seq, e in enumerate(rows, start=1):
            e.seq = new_seq
            e.mac = mac(keys.audit_key, prev + audit._canonical(e))
            prev = e.mac
        head = s.get(audit.AuditHead, 1)
        head.seq, head.mac, head.head_mac = len(rows), prev, audit._head_mac(keys.audit_key, len(rows), prev)


def test_a_deactivated_worker_who_kept_their_seed_cannot_sign_after_it(fx, monkeypatch):
    """Otto copied his unlocked keys before he left; an entry he signs after his deactivation breaks verify.
    The app's own code refuses the write (``audit.require_active``); his changed code skips that check."""
    otto = team.unlock(fx.store, fx.other_id, OTHER_PASS)
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    team.deactivate_worker(fx.store, coordinator.keys, fx.other_id)
    coordinator.lock()
    with pytest.raises(WorkerInactive), fx.store.session() as s:
        audit.append(s, otto, "open", worker_id=fx.other_id)
    monkeypatch.setattr(audit, "require_active", lambda session, keys: None)  # his changed code
    with fx.store.session() as s:
        audit.append(s, otto, "open", worker_id=fx.other_id)
    result = _coordinator_verify(fx.store, fx)
    assert (result.ok, result.reason) == (False, "ondertekend door een gedeactiveerde medewerker")


# -- 5. rows of a file put back, deleted, moved, relabelled ---------------------------------------------------


def _file_with_consent(fx) -> tuple[TeamSession, str, str]:
    """Hanna's student with a talk and a consent; returns (Hanna's session, student id, consent id)."""
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    sid = hanna.spreekuur.register_student(canary_student(), status="lopend").id
    hanna.dossier.add_talk(sid, d.NewTalk("vervolggesprek", datetime(2026, 11, 20, 10, 0), 30, [], "Over geld"))
    today = clock.local_time(clock.now()).date()
    cid = hanna.consent.add_consent(
        sid, cn.NewConsent(cn.ConsentWith("organisatie", "Budgetcoach Zwolle"), ["inkomen"], "schuldhulp", on=today),
    )
    return hanna, sid, cid


def _reopen_refused(fx, sid: str) -> str:
    """Hanna unlocks again (the real path) and opens the file: refused, and what she is told."""
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        with pytest.raises(Tampered) as caught:
            hanna.dossier.open_dossier(sid)
    finally:
        hanna.lock()
    said, code = messages.explain(caught.value)
    assert code == messages.EXIT_TAMPERED
    return said


def test_a_withdrawn_consent_copied_back_from_an_older_copy_is_refused(fx):
    hanna, sid, cid = _file_with_consent(fx)
    (old_body, old_version), = _raw(fx.store, "SELECT body, version FROM file_entries WHERE id = :id", id=cid)
    consent = hanna.dossier.open_dossier(sid).consent(cid)
    assert hanna.consent.withdraw_consent(sid, consent)
    hanna.lock()
    _raw(fx.store, "UPDATE file_entries SET body = :b, version = :v WHERE id = :id", b=old_body, v=old_version, id=cid)
    assert "beschadigd of veranderd buiten het programma om" in _reopen_refused(fx, sid)


def test_a_deleted_entry_is_missed(fx):
    hanna, sid, cid = _file_with_consent(fx)
    hanna.lock()
    _raw(fx.store, "DELETE FROM file_entries WHERE id = :id", id=cid)
    assert "regel verdwenen" in _reopen_refused(fx, sid)


@pytest.mark.parametrize(("column", "value"), [("kind", "notitie"), ("created_by", "other")])
def test_a_relabelled_entry_or_another_author_is_refused(fx, column, value):
    """A consent passed off as a note, or a note passed off as a colleague's."""
    hanna, sid, cid = _file_with_consent(fx)
    hanna.lock()
    new = fx.other_id if value == "other" else value
    _raw(fx.store, f"UPDATE file_entries SET {column} = :v WHERE id = :id", v=new, id=cid)  # noqa: S608 - a column name from the parametrize list
    # Refused twice over: the envelope is bound to kind and author, and the signed log names the row.
    assert "buiten het programma om" in _reopen_refused(fx, sid)


def test_an_entry_moved_to_another_file_is_refused_in_both(fx):
    hanna, sid, cid = _file_with_consent(fx)
    other = hanna.spreekuur.register_student(StudentDetails(first_name="Ander", last_name="Dossier"), status="lopend").id
    hanna.lock()
    _raw(fx.store, "UPDATE file_entries SET student_id = :o WHERE id = :id", o=other, id=cid)
    assert "regel verdwenen" in _reopen_refused(fx, sid)
    assert "buiten het programma om" in _reopen_refused(fx, other)


def test_the_first_coordinator_unlock_after_the_upgrade_records_every_file_entry(fx):
    """A store from before entry records: the files open as they stand; a coördinator's unlock
    records them (and says so); from then on a changed row is refused."""
    hanna, sid, cid = _file_with_consent(fx)
    keys = hanna.keys
    hanna.lock()
    # Back to a store from before: no entry records, no marker, the chain re-made, nothing signed.
    _raw(fx.store, "DELETE FROM audit_log WHERE event = 'migration' AND detail = :d", d=audit.ENTRY_RECORDS)
    _raw(fx.store, "UPDATE audit_log SET entry_id = NULL, entry_hash = NULL")
    _rechain(fx.store, keys, sign_as={})
    _unsign(fx)
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert hanna.keys.entries_from is None
    assert hanna.dossier.open_dossier(sid).consent(cid) is not None  # as it stands
    hanna.lock()
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        assert any(n.startswith("De 2 regels in de dossiers staan nu in het logboek") for n in coordinator.notices)
        assert coordinator.team.verify_audit().ok
    finally:
        coordinator.lock()
    _raw(fx.store, "DELETE FROM file_entries WHERE id = :id", id=cid)
    assert "regel verdwenen" in _reopen_refused(fx, sid)


def test_an_entry_slipped_in_without_a_log_record_is_refused(fx):
    """Hanna, involved, seals a note with the student key herself and inserts it with raw SQL
    (the app would have logged it): the file no longer opens, for her or anyone."""
    from storage import files
    from storage.crypto import FieldKey

    hanna, sid, _ = _file_with_consent(fx)
    eid = files.new_entry_id()
    with fx.store.session() as s:
        key = files.student_key(s, hanna.keys, sid)
        body = files.seal_entry(FieldKey.of(key), files.entry_binding(eid, "notitie", fx.worker_id, 1), {"tekst": "Later bedacht"})
    hanna.lock()
    now = clock.now()
    _raw(
        fx.store,
        "INSERT INTO file_entries (id, student_id, kind, sealed, body, created_at, created_by, updated_at, updated_by, version)"
        " VALUES (:id, :sid, 'notitie', :f, :body, :now, :w, :now, :w, 1)",
        id=eid, sid=sid, f=False, body=body, now=now, w=fx.worker_id,
    )
    assert "niet in het logboek" in _reopen_refused(fx, sid)


# -- 8. a worker's public key swapped in the plain column ----------------------------------------------------


def test_a_swapped_public_key_gets_nothing_sealed_and_is_told_at_the_victims_unlock(fx):
    """Otto puts his own public key in Hanna's column, to read what colleagues seal to her.
    Nothing is sealed to it (the grant decides), the colleague is told why in Dutch, and
    Hanna's next unlock puts her own key back, tells her and logs it."""
    (hanna_key,), = _raw(fx.store, "SELECT public_key FROM workers WHERE id = :w", w=fx.worker_id)
    _raw(fx.store, "UPDATE workers SET public_key = (SELECT public_key FROM workers WHERE id = :o) WHERE id = :w",
         o=fx.other_id, w=fx.worker_id)
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        sid = coordinator.spreekuur.register_student(StudentDetails(first_name="Sam", last_name="Bakker"), status="lopend").id
        with pytest.raises(Tampered) as caught:
            coordinator.dossier.involve(sid, fx.worker_id)
        said, _ = messages.explain(caught.value)
        assert "De sleutel van deze collega in de teamopslag is vervangen" in said
    finally:
        coordinator.lock()
    assert _raw(fx.store, "SELECT count(*) FROM student_key_wraps WHERE recipient = :w", w=fx.worker_id) == [(0,)]
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        assert any(n.startswith("Je openbare sleutel in de teamopslag was vervangen") for n in hanna.notices)
    finally:
        hanna.lock()
    assert _raw(fx.store, "SELECT public_key FROM workers WHERE id = :w", w=fx.worker_id) == [(hanna_key,)]
    assert [e.detail for e in _events(fx.store, "integrity")] == ["openbare sleutel vervangen; hersteld"]
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        coordinator.dossier.involve(sid, fx.worker_id)  # now it works, for Hanna's own key
    finally:
        coordinator.lock()
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        assert hanna.dossier.open_dossier(sid) is not None
    finally:
        hanna.lock()


# -- 4. the old helper keeps her read-along open --------------------------------------------------------------


def _handed_to_otto(fx, access_days: int = 10) -> str:
    """Hanna's student (a talk, consents) handed over to Otto, who accepted: Hanna reads along
    for ``access_days`` days and has opened the file once in that time. Returns the student id."""
    sid, row = _proposed_to_otto(fx, access_days)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    otto.handover.accept_handover(row)
    otto.lock()
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert hanna.dossier.open_dossier(sid) is not None  # reading along, as agreed
    hanna.lock()
    return sid


@pytest.mark.parametrize("how", ["end removed", "end moved a year on"])
def test_the_old_helper_who_changes_the_end_of_her_read_along_reads_nothing(fx, how):
    """After a handover to Otto, Hanna reads along for 10 days. She removes (or moves) the end
    date of her own wrap with raw SQL, to keep reading what Otto writes: the signed log says when
    her access ends, so her app refuses the file from then on (and says so in Dutch)."""
    sid = _handed_to_otto(fx)
    if how == "end removed":
        _raw(fx.store, "UPDATE student_key_wraps SET expires_at = NULL WHERE student_id = :s AND recipient = :w",
             s=sid, w=fx.worker_id)
    else:
        _raw(fx.store, "UPDATE student_key_wraps SET expires_at = :e WHERE student_id = :s AND recipient = :w",
             e=datetime(2099, 1, 1, tzinfo=UTC), s=sid, w=fx.worker_id)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    otto.dossier.add_talk(sid, d.NewTalk("vervolggesprek", datetime(2026, 12, 1, 10, 0), 30, [], "Nieuw, na de overdracht"))
    otto.lock()
    assert "buiten het programma om" in _reopen_refused(fx, sid)


def _kept_key(fx, worker_id: str, passphrase: str, sid: str) -> bytes:
    """The student key as a worker's changed code copies it while they may still open the file."""
    keys = team.unlock(fx.store, worker_id, passphrase, event=None)
    with fx.store.session() as s:
        return files.student_key(s, keys, sid)


def _opens_with(fx, key: bytes, sid: str) -> dict[str, bool]:
    """Which of the file's rows (and the student's private key) a kept key still opens."""
    fk = FieldKey.of(key)
    out: dict[str, bool] = {}
    for entry_id, kind, author, version, sealed, body in _raw(
        fx.store, "SELECT id, kind, created_by, version, sealed, body FROM file_entries WHERE student_id = :s", s=sid,
    ):
        if not sealed:
            try:
                open_field(fk, "file_entries", "body", files.entry_binding(entry_id, kind, author, version), body)
                out[entry_id] = True
            except DecryptionError:
                out[entry_id] = False
    (private,), = _raw(fx.store, "SELECT private_key FROM students WHERE id = :s", s=sid)
    try:
        open_field(fk, "students", "private_key", sid, private)
        out["private_key"] = True
    except DecryptionError:
        out["private_key"] = False
    return out


def _after(days: int):
    """The clock ``days`` days on (restored by the caller's ``finally``)."""
    moment = clock.now() + timedelta(days=days)
    clock.set_clock(lambda: moment)


def _otto_writes_after(fx, sid: str, text: str) -> None:
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)  # his unlock ends what has ended
    try:
        otto.dossier.add_talk(sid, d.NewTalk("vervolggesprek", datetime(2026, 12, 1, 10, 0), 30, [], text))
        assert any(t.note == text for t in otto.dossier.open_dossier(sid).talks())  # he still reads all of it
    finally:
        otto.lock()


def test_a_key_copied_during_the_read_along_opens_nothing_written_after_it_ends(fx):
    """Hanna's changed code keeps the student key while she reads along. When her read-along
    ends, the next unlock of Otto (on the file) gives the file a new key: her copy opens
    nothing Otto writes after it, not even the student's private key."""
    sid = _handed_to_otto(fx)
    kept = _kept_key(fx, fx.worker_id, WORKER_PASS, sid)
    assert all(_opens_with(fx, kept, sid).values())
    try:
        _after(11)
        _otto_writes_after(fx, sid, "Na het meelezen")
        assert not any(_opens_with(fx, kept, sid).values())
        assert _raw(fx.store, "SELECT count(*) FROM student_key_wraps WHERE student_id = :s AND recipient = :w",
                    s=sid, w=fx.worker_id) == [(0,)]
        assert _coordinator_verify(fx.store, fx).ok
        otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
        try:
            log = [line.what for line in otto.dossier.file_log(sid)]
        finally:
            otto.lock()
        assert any("sleutel van het dossier vernieuwd" in w for w in log)
        assert not any(audit.RESEALED in w for w in log)  # the store's own work is one line, not one per row
    finally:
        clock.set_clock(None)


def test_the_old_helper_who_lengthens_her_own_read_along_with_a_signed_record_is_cut_off(fx):
    """Changed code goes further than raw SQL: Hanna removes the end of her wrap and signs a record
    of it herself, so the log names it as it is. Otto's app sees that she changed her own
    access to his file, ends it, says it in the log, and gives the file a new key."""
    sid = _handed_to_otto(fx)
    kept = _kept_key(fx, fx.worker_id, WORKER_PASS, sid)
    hanna_keys = team.unlock(fx.store, fx.worker_id, WORKER_PASS, event=None)
    with fx.store.session() as s:
        s.execute(update(StudentKeyWrap).where(
            StudentKeyWrap.student_id == sid, StudentKeyWrap.recipient == fx.worker_id).values(expires_at=None))
        files.record_wrap(s, hanna_keys, sid, fx.worker_id, "toegang: contactpersoon, zonder einddatum")
    _otto_writes_after(fx, sid, "Zonder haar")
    assert not any(_opens_with(fx, kept, sid).values())
    assert [(e.detail, e.on_behalf_of) for e in _events(fx.store, "integrity")] == [
        (store_handover.SELF_EXTENDED, fx.worker_id)]
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        with pytest.raises(NotInvolved):
            hanna.dossier.open_dossier(sid)
    finally:
        hanna.lock()


def test_a_read_along_set_by_the_contact_person_is_not_taken_for_one_lengthened(fx):
    """The contact person lengthens the read-along, and Hanna (still reading along) then takes a
    colleague off the file, which renews every wrap under her name: nothing ends early."""
    sid = _handed_to_otto(fx)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    try:
        (row,) = [v.row for v in otto.handover.handovers_of(sid) if v.row.state == "geaccepteerd"]
        otto.handover.set_access_days(row, 30)
        otto.dossier.involve(sid, fx.coordinator_id)
    finally:
        otto.lock()
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        hanna.dossier.remove_involved(sid, fx.coordinator_id)
    finally:
        hanna.lock()
    try:
        _after(20)
        _otto_writes_after(fx, sid, "Nog binnen haar dertig dagen")
        assert _events(fx.store, "integrity") == []
        hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
        try:
            assert any(t.note == "Nog binnen haar dertig dagen" for t in hanna.dossier.open_dossier(sid).talks())
        finally:
            hanna.lock()
    finally:
        clock.set_clock(None)


def _proposed_to_otto(fx, access_days: int = 42):
    """Hanna (the contact person, the student's consent in the file) proposes the student to Otto."""
    from jongerenteam import handover as h

    hanna, sid, _ = _file_with_consent(fx)
    hanna.consent.add_consent(sid, cn.NewConsent(
        cn.ConsentWith("rol", "jongerenteam"), [cn.ALL_DOMAINS], "overdracht binnen het team", "student", "mondeling",
        clock.local_time(clock.now()).date(),
    ))
    row = hanna.handover.propose_handover(sid, h.Proposal(
        h.INTERN, h.Receiver("medewerker", "Otto Collega", worker_id=fx.other_id), "Overdracht aan Otto.",
        student_view="akkoord", access_days=access_days,
    ))
    hanna.lock()
    return sid, row


def _otto_accepts(fx, sid: str):
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    try:
        (view,) = [v for v in otto.handover.handovers_of(sid) if v.row.open]
        return otto.handover.accept_handover(view.row)
    finally:
        otto.lock()


def test_a_read_along_lengthened_in_the_proposal_row_is_refused_at_accept(fx):
    """Hanna proposed 42 days of reading along, signed in her proposal; before Otto answers she
    sets 365 in the handover row with raw SQL. Otto's accept is refused in Dutch: the row does not
    say what the log does. He is not contact person and holds no key."""
    sid, _ = _proposed_to_otto(fx)
    _raw(fx.store, "UPDATE handovers SET access_days = 365 WHERE student_id = :s", s=sid)
    with pytest.raises(NotAllowed) as refused:
        _otto_accepts(fx, sid)
    assert "klopt niet met het logboek" in messages.explain(refused.value)[0]
    with fx.store.session() as s:
        assert s.get(Student, sid).contact_worker_id == fx.worker_id


def test_a_read_along_changed_by_the_receiver_before_accepting_is_accepted(fx):
    """The same change made the way the rules allow (Otto, the new helper, agrees to 60 days) is signed
    by him: his accept goes through, and Hanna's read-along ends 60 days on."""
    sid, row = _proposed_to_otto(fx)
    otto = TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS)
    try:
        otto.handover.set_access_days(row, 60)
    finally:
        otto.lock()
    accepted = _otto_accepts(fx, sid)
    assert accepted.state == "geaccepteerd" and accepted.access_days == 60
    with fx.store.session() as s:
        wrap = s.scalar(select(StudentKeyWrap).where(StudentKeyWrap.student_id == sid,
                                                     StudentKeyWrap.recipient == fx.worker_id))
        assert wrap.expires_at is not None


@pytest.mark.parametrize("line", ["a coordinator's line", "the contact person's line"])
def test_a_colleague_who_proposes_a_student_in_the_contact_persons_name_is_refused_at_accept(fx, monkeypatch, line):
    """Otto is on Hanna's student's file but not the contact person. With changed code (the
    proposer checks taken out) he proposes the student to Cora in Hanna's name, signing the
    proposal line himself as the log demands: the line a coördinator writes on behalf of the
    contact person, or (more changed code) the one the contact person writes. Cora's real accept
    refuses it: the proposal is not signed by the contact person. The student stays Hanna's."""
    from storage import dossier as store_dossier

    hanna, sid, _ = _file_with_consent(fx)
    hanna.dossier.involve(sid, fx.other_id)
    hanna.lock()
    monkeypatch.setattr(store_handover, "_check_proposer", lambda *args: None)  # the changed code
    if line == "the contact person's line":
        monkeypatch.setattr(store_handover, "PROPOSED_BY_COORDINATOR", "overdracht voorgesteld")
    otto_keys = team.unlock(fx.store, fx.other_id, OTHER_PASS, event=None)
    store_handover.propose(
        fx.store, otto_keys, handover_id=store_dossier.new_entry_id(), student_id=sid, kind=store_handover.INTERN,
        from_worker_id=fx.worker_id, to_worker_id=fx.coordinator_id, follow_up=None, access_days=42,
        entries=[(store_dossier.new_entry_id(), store_handover.STEP_KIND, {"tekst": "Aan Cora."})])
    monkeypatch.undo()
    cora = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        (view,) = [v for v in cora.handover.handovers_of(sid) if v.row.open]
        with pytest.raises(NotAllowed) as refused:
            cora.handover.accept_handover(view.row)
    finally:
        cora.lock()
    assert "klopt niet met het logboek" in messages.explain(refused.value)[0]
    with fx.store.session() as s:
        assert s.get(Student, sid).contact_worker_id == fx.worker_id


def test_a_proposal_on_behalf_signed_by_a_worker_breaks_the_log(fx, monkeypatch):
    """A worker who writes the coördinator's kind of proposal line ("on behalf of the contact
    person") under her own name is caught by the log check at the next unlock."""
    assert store_handover.PROPOSED_BY_COORDINATOR.startswith(audit.COORDINATOR_HANDOVER_LINES[0])
    hanna, sid, _ = _file_with_consent(fx)
    with fx.store.session() as s:
        audit.append(s, hanna.keys, "handover", worker_id=fx.worker_id, student_id=sid, on_behalf_of=fx.other_id,
                     detail=f"{store_handover.PROPOSED_BY_COORDINATOR}: intern")
    hanna.lock()
    assert not _coordinator_verify(fx.store, fx).ok


@pytest.mark.parametrize("how", ["taken off the file", "deactivated"])
def test_a_colleague_taken_off_a_file_keeps_a_key_that_opens_nothing_new(fx, how):
    """Otto is on Hanna's file and his changed code keeps the key; then he is taken off it (or
    leaves the team). The file gets a new key at once: Hanna, the coördinator's escrow and a
    handover still open all work with the new one, and Otto's copy opens nothing new."""
    from jongerenteam import handover as h

    hanna, sid, _ = _file_with_consent(fx)
    hanna.dossier.involve(sid, fx.other_id)
    hanna.lock()
    kept = _kept_key(fx, fx.other_id, OTHER_PASS, sid)
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        if how == "deactivated":
            coordinator.team.deactivate_worker(fx.other_id)
    finally:
        coordinator.lock()
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    try:
        if how == "taken off the file":
            hanna.dossier.remove_involved(sid, fx.other_id)
        hanna.consent.add_consent(sid, cn.NewConsent(
            cn.ConsentWith("rol", "jongerenteam"), [cn.ALL_DOMAINS], "overdracht binnen het team", "student",
            "mondeling", clock.local_time(clock.now()).date(),
        ))
        row = hanna.handover.propose_handover(sid, h.Proposal(
            h.INTERN, h.Receiver("medewerker", "Coördinator", worker_id=fx.coordinator_id), "Naar de coördinator.",
            student_view="akkoord",
        ))
        hanna.dossier.add_talk(sid, d.NewTalk("vervolggesprek", datetime(2026, 12, 1, 10, 0), 30, [], "Na Otto"))
    finally:
        hanna.lock()
    assert not any(_opens_with(fx, kept, sid).values())
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        if how == "taken off the file":  # a key sealed to the coördinator before it changed would not open now
            coordinator.handover.accept_handover(row)
            assert any(t.note == "Na Otto" for t in coordinator.dossier.open_dossier(sid).talks())
        assert coordinator.team.verify_audit().ok
    finally:
        coordinator.lock()


# -- rollback: the newest entries cut off by a colleague who signs the head again ------------------------------


def _cut_tail_as_otto(fx, keep: int) -> None:
    """Otto removes every entry after ``keep`` and signs the shorter log's head himself
    (nobody wrote after it, so no colleague's signature breaks)."""
    otto_keys = team.unlock(fx.store, fx.other_id, OTHER_PASS, event=None)
    _raw(fx.store, "DELETE FROM audit_log WHERE seq > :k", k=keep)
    _rechain(fx.store, otto_keys, sign_as={})


def _on_another_laptop() -> None:
    """No memory of this store outside it (another laptop, or the insider also emptied it)."""
    integrity.state_path().unlink(missing_ok=True)


def test_the_newest_entries_cut_and_the_head_signed_again_are_seen_by_the_next_unlock(fx):
    """Hanna's last work is cut off the log by Otto, who re-signs the head: her signed memory in
    the store still names the newer head, so the next unlock (anyone's, on any laptop) says it."""
    TeamSession.unlock(fx.store, fx.other_id, OTHER_PASS).lock()
    keep = _newest_seq(fx.store)
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    hanna.spreekuur.register_student(StudentDetails(first_name="Sam", last_name="Bakker"), status="lopend")
    hanna.lock()
    _cut_tail_as_otto(fx, keep)
    _on_another_laptop()
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        assert any(n.startswith("Let op: het logboek is korter dan") and "Hanna" in n for n in coordinator.notices)
    finally:
        coordinator.lock()
    assert [e.on_behalf_of for e in _events(fx.store, "integrity") if e.detail == "seen: cut"] == [fx.worker_id]


def test_the_tail_cut_with_an_older_signed_memory_put_back_is_seen(fx):
    """Otto cuts Hanna's last work off the log and puts back her signed memory from an earlier
    login (valid signature, its MAC still in the log). Her newest login is still in the log,
    after that memory: no unlock writes a login without its memory, so the next unlock says it."""
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    hanna.lock()
    (older,) = _raw(fx.store, "SELECT seq, mac, sig, at FROM seen_heads WHERE worker_id = :w", w=fx.worker_id)
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    (login_seq,) = [e.seq for e in _events(fx.store, "login") if e.worker_id == fx.worker_id][-1:]
    hanna.spreekuur.register_student(StudentDetails(first_name="Sam", last_name="Bakker"), status="lopend")
    hanna.lock()
    _cut_tail_as_otto(fx, login_seq)
    _raw(fx.store, "UPDATE seen_heads SET seq = :q, mac = :m, sig = :g, at = :a WHERE worker_id = :w",
         q=older[0], m=older[1], g=older[2], a=older[3], w=fx.worker_id)
    _on_another_laptop()
    _memory_change_said_about_hanna(fx)
    assert [e.on_behalf_of for e in _events(fx.store, "integrity") if e.detail == "seen: old"] == [fx.worker_id]


@pytest.mark.parametrize("how", ["changed", "deleted"])
def test_a_workers_signed_memory_changed_or_removed_is_said(fx, how):
    hanna = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    hanna.lock()
    if how == "changed":
        _raw(fx.store, "UPDATE seen_heads SET seq = seq - 1 WHERE worker_id = :w", w=fx.worker_id)
    else:
        _raw(fx.store, "DELETE FROM seen_heads WHERE worker_id = :w", w=fx.worker_id)
    _memory_change_said_about_hanna(fx)


def _memory_change_said_about_hanna(fx) -> None:
    """The coördinator's next unlock says that what the store kept of Hanna's memory changed."""
    coordinator = TeamSession.unlock(fx.store, fx.coordinator_id, COORDINATOR_PASS)
    try:
        assert any(n.startswith("Let op: wat de teamopslag bewaarde over hoe ver") and "Hanna" in n
                   for n in coordinator.notices)
    finally:
        coordinator.lock()


def test_ordinary_work_by_several_workers_raises_no_memory_warning(fx):
    for wid, passphrase in ((fx.worker_id, WORKER_PASS), (fx.other_id, OTHER_PASS), (fx.coordinator_id, COORDINATOR_PASS)):
        s = TeamSession.unlock(fx.store, wid, passphrase)
        assert s.notices == []
        s.spreekuur.register_student(StudentDetails(first_name="Sam", last_name=f"Nummer{len(wid)}"), status="lopend")
        s.lock()
    again = TeamSession.unlock(fx.store, fx.worker_id, WORKER_PASS)
    assert again.notices == []
    again.lock()
    assert _events(fx.store, "integrity") == []
