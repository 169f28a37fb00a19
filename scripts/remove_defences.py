#!/usr/bin/env python3
"""Remove each defence in turn and check that a test fails (issue 18, "Tests that can fail").

Every row of ``DEFENCES`` names one defence from the threat table
(docs/security.md) or the issue: the file it lives in, an exact snippet of
its code (``old``), the smallest change that takes it out (``new``), and the
tests that must then fail. For each row this script

1. copies the repository's files (tracked ones, and new ones not ignored,
   as they are in the working tree now) into a temporary folder;
2. replaces ``old`` by ``new`` there: ``old`` must occur exactly once, so a
   moved or changed snippet stops the script instead of testing nothing;
3. runs the named tests in that copy, with ``PYTHONPATH`` set to it (the
   ``jongerenteam`` command installed in the venv imports the copy too);
4. records "caught" when pytest fails, "NOT CAUGHT" when the tests still pass.

Before the first removal the same tests run once on an unchanged copy: they
must pass there, or a failure afterwards would prove nothing.

Run it with the project's Python (the venv that has pytest and the
installed command)::

    /work/main/.venv/bin/python scripts/remove_defences.py            # every defence
    /work/main/.venv/bin/python scripts/remove_defences.py --list     # what is checked, and by which tests
    /work/main/.venv/bin/python scripts/remove_defences.py --only "audit: head signature checked"
    /work/main/.venv/bin/python scripts/remove_defences.py --check    # only: is every snippet still there once?

Exit status: 0 when every removal is caught; 1 when one is not caught, or a
run broke (a snippet not found once, a baseline failure, pytest not running
the tests). Only the standard library is used.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST_TIMEOUT_S = 900

INSIDERS = "tests/test_insiders.py::"
DEFENCE_TESTS = "tests/test_defences.py::"
WAIT = "tests/test_passphrase_wait.py::"
STRENGTH = "tests/test_passphrase_strength.py::"
KDF = "tests/test_insecure_kdf.py::"
MELDCODE = "tests/test_meldcode.py::"


@dataclass(frozen=True)
class Defence:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


DEFENCES: tuple[Defence, ...] = (
    # -- file entries: the signed log names every row (storage/files.py) --------------------------
    Defence(
        "files: a row the log names otherwise is refused (an older row copied back)",
        "storage/files.py",
        '            raise Tampered("file_entries (anders dan in het logboek)")\n',
        "            pass\n",
        (INSIDERS + "test_a_withdrawn_consent_copied_back_from_an_older_copy_is_refused[sqlite]",),
    ),
    Defence(
        "files: a recorded entry that is gone is refused",
        "storage/files.py",
        '        raise Tampered("file_entries (regel verdwenen)")\n',
        "        pass\n",
        (INSIDERS + "test_a_deleted_entry_is_missed[sqlite]",),
    ),
    Defence(
        "files: a row without a log record is refused once the files are recorded",
        "storage/files.py",
        '                raise Tampered("file_entries (niet in het logboek)")\n',
        "                pass\n",
        (INSIDERS + "test_an_entry_slipped_in_without_a_log_record_is_refused[sqlite]",),
    ),
    Defence(
        "authority: a key wrap's recipient counts only with a grant the root signed (current_grant)",
        "storage/authority.py",
        "        if g.sig and _root_signed(bytes(root), bytes(g.sig), _grant_message(g)):\n",
        "        if True:\n",
        (INSIDERS + "test_a_grant_changed_after_it_was_checked_is_checked_again_and_refused[sqlite]",),
    ),
    Defence(
        "files: a student key is sealed only to the key a worker's grant names",
        "storage/files.py",
        '        raise KeySwapped(f"workers.public_key (medewerker {worker.id})", worker_id=worker.id)\n',
        "        pass\n",
        (INSIDERS + "test_a_swapped_public_key_gets_nothing_sealed_and_is_told_at_the_victims_unlock[sqlite]",),
    ),
    Defence(
        "team: a swapped public key is put back at its owner's login",
        "storage/team.py",
        "    worker.public_key = own\n",
        "    pass\n",
        (INSIDERS + "test_a_swapped_public_key_gets_nothing_sealed_and_is_told_at_the_victims_unlock[sqlite]",),
    ),
    Defence(
        "report: damaged statistics records are said, not skipped silently",
        "jongerenteam/report/figures.py",
        '        return [x for x in (self.damaged_note, self.refused, TEXT["legend"]) if x]\n',
        '        return [x for x in (self.refused, TEXT["legend"]) if x]\n',
        ("tests/test_report.py::test_damaged_statistics_records_are_said_not_skipped_silently",),
    ),
    Defence(
        "files: a wrap the log names otherwise (its end removed or moved) does not open",
        "storage/files.py",
        '        raise Tampered("student_key_wraps (anders dan in het logboek)")\n',
        "        pass\n",
        (INSIDERS + "test_the_old_helper_who_changes_the_end_of_her_read_along_reads_nothing[sqlite-end removed]",),
    ),
    Defence(
        "integrity: a worker's signed memory past the head (a cut tail) is seen at unlock",
        "storage/integrity.py",
        "            found.append((SEEN_CUT, row.worker_id))\n",
        "            pass\n",
        (INSIDERS + "test_the_newest_entries_cut_and_the_head_signed_again_are_seen_by_the_next_unlock[sqlite]",),
    ),
    Defence(
        "integrity: a worker's memory row not signed by them is said",
        "storage/integrity.py",
        "            found.append((SEEN_FORGED, row.worker_id))\n",
        "            pass\n",
        (INSIDERS + "test_a_workers_signed_memory_changed_or_removed_is_said[sqlite-changed]",),
    ),
    Defence(
        "directory: a document that decrypts but is no JSON object is damaged, not shown",
        "jongerenteam/directory.py",
        "                        if key is None:\n                            damaged.append(r.id)\n                        else:\n"
        "                            entries.append((r.id, key))\n",
        "                        entries.append((r.id, key or \"\"))\n",
        ("tests/test_tamper.py::test_a_document_that_decrypts_but_is_no_object_is_damaged_once_the_search_reads_it",),
    ),
    Defence(
        "files: the envelope is bound to kind, author and version",
        "storage/files.py",
        '    return f"{entry_id}|{kind}|{created_by}|v{version}"\n',
        "    return entry_id\n",
        ("tests/test_tamper.py::test_entry_relabelled_or_renumbered_fails_to_open",),
    ),
    # -- the audit log: chain, head, signatures (storage/audit.py) -------------------------------
    Defence(
        "audit: a deactivated worker signs nothing after the deactivation",
        "storage/audit.py",
        '                return Verification(False, checked, e.seq, "ondertekend door een gedeactiveerde medewerker")\n',
        "                pass\n",
        (INSIDERS + "test_a_deactivated_worker_who_kept_their_seed_cannot_sign_after_it[sqlite]",),
    ),
    Defence(
        "audit: no chaining on a missing head",
        "storage/audit.py",
        '            raise LogTampered("audit_head", reason="missing")\n',
        "            pass\n",
        (INSIDERS + "test_newest_entries_removed_with_their_head_refuse_the_unlock[sqlite]",),
    ),
    Defence(
        "audit: an emptied log refused at unlock",
        "storage/audit.py",
        '        raise LogTampered("audit_log", reason="empty")\n',
        "        pass\n",
        (INSIDERS + "test_whole_log_and_head_removed_refuse_the_unlock[sqlite]",),
    ),
    Defence(
        "audit: head MAC checked before chaining",
        "storage/audit.py",
        '        raise LogTampered("audit_head", reason="changed", seq=head.seq)\n',
        "        pass\n",
        (INSIDERS + "test_head_moved_back_refuses_the_unlock[sqlite]",),
    ),
    Defence(
        "audit: head must match its entry",
        "storage/audit.py",
        '        raise LogTampered("audit_head", reason="cut", seq=head.seq)\n',
        "        pass\n",
        (INSIDERS + "test_newest_entries_removed_head_kept_refuse_the_unlock[sqlite]",),
    ),
    Defence(
        "audit: entry signatures checked by verify",
        "storage/audit.py",
        "            if not _signed(trust, e.signer, e.sig, _entry_message(e.mac)):\n",
        "            if False:\n",
        (INSIDERS + "test_worker_who_removes_their_own_entry_and_rechains_the_log_is_caught[sqlite]",),
    ),
    Defence(
        "audit: signer is the worker the entry names",
        "storage/audit.py",
        '            if e.worker_id is not None and e.event != "failed_login" and e.signer not in (e.worker_id, authority.ROOT_SIGNER):\n',
        "            if False:\n",
        (INSIDERS + "test_worker_who_re_signs_colleagues_entries_as_their_own_is_caught[sqlite]",),
    ),
    Defence(
        "audit: coordinator-only events signed by a coordinator",
        "storage/audit.py",
        "            if _needs_coordinator(e) and e.signer != authority.ROOT_SIGNER and trust.role(e.signer) != authority.COORDINATOR:\n",
        "            if False:\n",
        (DEFENCE_TESTS + "test_a_workers_own_signed_coordinator_entry_is_seen_by_verify[sqlite]",),
    ),
    Defence(
        "audit: head signature checked by verify",
        "storage/audit.py",
        "        and not _signed(trust, head.signer, head.sig, _head_message(head.seq, head.mac))\n",
        "        and False\n",
        (DEFENCE_TESTS + "test_a_head_signed_with_a_key_nobody_granted_is_seen_by_verify[sqlite]",),
    ),
    Defence(
        "audit: forged grants fail verify",
        "storage/audit.py",
        "    if trust is not None and trust.forged:\n",
        "    if False:\n",
        (INSIDERS + "test_worker_who_edits_their_grant_is_refused_at_unlock_and_seen_by_verify[sqlite]",),
    ),
    # -- signed authority (storage/authority.py, storage/team.py) ---------------------------------
    Defence(
        "authority: role from the signed grant",
        "storage/team.py",
        "        keys.role, keys.root_public, keys.signed_from = grant.role, root_public, signed_from\n",
        "        keys.root_public, keys.signed_from = root_public, signed_from\n",
        (INSIDERS + "test_worker_who_sets_the_role_byte_in_their_own_slot_stays_a_worker[sqlite]",),
    ),
    Defence(
        "authority: activation from the signed grant",
        "storage/team.py",
        "        if not grant.active:\n            raise WorkerInactive(worker_id)\n",
        "        if False:\n            raise WorkerInactive(worker_id)\n",
        (INSIDERS + "test_deactivated_worker_who_puts_their_old_slot_back_is_refused[sqlite]",),
    ),
    Defence(
        "authority: grants not signed by the root ignored",
        "storage/authority.py",
        "        if not g.sig or not _root_signed(bytes(root), bytes(g.sig), _grant_message(g)):\n",
        "        if False:\n",
        (
            INSIDERS + "test_worker_who_edits_their_grant_is_refused_at_unlock_and_seen_by_verify[sqlite]",
            INSIDERS + "test_worker_who_signs_a_grant_with_their_own_key_gains_nothing[sqlite]",
        ),
    ),
    Defence(
        "authority: root attestation checked at unlock",
        "storage/team.py",
        '            raise Tampered("workers.root_attest")\n',
        "            pass\n",
        (INSIDERS + "test_insider_who_swaps_the_root_key_locks_the_victims_out_instead_of_fooling_them[sqlite]",),
    ),
    Defence(
        "authority: pending signing key granted only with a valid binding",
        "storage/team.py",
        "        if authority.bound(escrow_private, grant.box_public, worker_id, key, worker.sign_binding):\n",
        "        if True:\n",
        (INSIDERS + "test_a_signing_key_published_for_a_colleague_is_not_granted[sqlite]",),
    ),
    # -- what a laptop remembers, and erasure (storage/integrity.py, storage/rights.py) ------------
    Defence(
        "integrity: an older copy of the store (rollback) seen",
        "storage/integrity.py",
        "            if seq < seen.seq:\n                found.log_problem = ROLLED_BACK\n",
        "            if seq < seen.seq:\n                pass\n",
        (INSIDERS + "test_older_copy_of_the_store_is_seen_at_the_next_unlock",),
    ),
    Defence(
        "integrity: a replaced history seen",
        "storage/integrity.py",
        "                found.log_problem = REPLACED\n",
        "                pass\n",
        (INSIDERS + "test_older_copy_used_since_is_seen_as_another_history",),
    ),
    Defence(
        "integrity: erased students erased again at unlock",
        "storage/integrity.py",
        "    found.erased_again, found.erasures_refused = _erase_returned(store, keys)\n",
        "    found.erased_again, found.erasures_refused = [], 0\n",
        (INSIDERS + "test_erased_student_back_in_an_older_copy_is_erased_again_at_unlock",),
    ),
    Defence(
        "retention: terms count only with a valid signature",
        "storage/rights.py",
        "            if not (key_ok and trust.is_coordinator(signer)):\n",
        "            if not trust.is_coordinator(signer):\n",
        (DEFENCE_TESTS + "test_retention_terms_in_a_coordinators_name_without_their_signature_do_not_count[sqlite]",),
    ),
    Defence(
        "retention: terms count only when a coordinator signed them",
        "storage/rights.py",
        "            if not (key_ok and trust.is_coordinator(signer)):\n",
        "            if not key_ok:\n",
        (DEFENCE_TESTS + "test_retention_terms_signed_by_a_worker_do_not_count[sqlite]",),
    ),
    Defence(
        "retention: unsigned terms set aside",
        "storage/rights.py",
        "            if not (key_ok and trust.is_coordinator(signer)):\n",
        "            if False:\n",
        (INSIDERS + "test_retention_terms_set_below_the_law_or_without_a_signature_do_not_count[sqlite]",),
    ),
    Defence(
        "erasure: a file counts as closed only through a signed status entry",
        "storage/rights.py",
        "        return {sid: at for sid, at in newest.items() if at is not None and sid in plain}\n",
        "        return plain\n",
        (INSIDERS + "test_a_file_marked_closed_in_the_columns_is_not_offered_for_erasure[sqlite]",),
    ),
    # -- passphrases (jongerenteam/passphrase.py, throttle.py, settings.py) ------------------------
    Defence(
        "passphrase: zxcvbn score 4 required",
        "jongerenteam/passphrase.py",
        "MIN_SCORE = 4\n",
        "MIN_SCORE = 3\n",
        (STRENGTH + "test_three_parts_are_not_enough",),
    ),
    Defence(
        "passphrase: use cases refuse a weak passphrase",
        "jongerenteam/passphrase.py",
        "    if problem is not None:\n",
        "    if False:\n",
        (
            STRENGTH + "test_adding_a_worker_refuses_a_weak_passphrase",
            STRENGTH + "test_a_new_passphrase_with_the_recovery_code_refuses_a_weak_one",
        ),
    ),
    Defence(
        "passphrase: growing wait before a coordinator's passphrase is tried",
        "jongerenteam/throttle.py",
        "    if wait > 0:\n",
        "    if False:\n",
        (WAIT + "test_noodtoegang_waits_after_wrong_coordinator_passphrases", WAIT + "test_inzage_through_the_escrow_waits_too"),
    ),
    Defence(
        "passphrase: noodtoegang goes through the wait",
        "jongerenteam/spreekuur.py",
        "        coordinator = throttle.check_passphrase(self.store, coordinator_id, passphrase)\n",
        "        from storage import team as _no_wait\n"
        "        coordinator = _no_wait.check_passphrase(self.store, coordinator_id, passphrase)\n",
        (WAIT + "test_noodtoegang_waits_after_wrong_coordinator_passphrases",),
    ),
    Defence(
        "passphrase: inzage through the escrow goes through the wait",
        "jongerenteam/rights/service.py",
        "            coordinator = throttle.check_passphrase(self.store, self.worker_id, coordinator_passphrase)\n",
        "            from storage import team as _no_wait\n"
        "            coordinator = _no_wait.check_passphrase(self.store, self.worker_id, coordinator_passphrase)\n",
        (WAIT + "test_inzage_through_the_escrow_waits_too",),
    ),
    Defence(
        "passphrase: test KDF refused outside the suite",
        "jongerenteam/settings.py",
        '    if os.environ.get(TEST_KDF_ENV) == "1" and not under_test():\n',
        "    if False:\n",
        (
            KDF + "test_in_the_suite_the_test_kdf_is_cheap_and_elsewhere_refused",
            KDF + "test_the_installed_command_refuses_the_test_kdf_outside_the_suite",
        ),
    ),
    Defence(
        "passphrase: test KDF cheap only under test",
        "jongerenteam/settings.py",
        '    return os.environ.get(TEST_KDF_ENV) == "1" and under_test()\n',
        '    return os.environ.get(TEST_KDF_ENV) == "1"\n',
        (KDF + "test_in_the_suite_the_test_kdf_is_cheap_and_elsewhere_refused",),
    ),
    # -- the six from the issue, each with its own test in tests/test_defences.py ------------------
    Defence(
        "handover gate: consent giver matches the student's age",
        "jongerenteam/consent.py",
        "        if giver_suffices(c.given_by, needed):\n",
        "        if True:\n",
        (DEFENCE_TESTS + "test_a_fifteen_year_olds_own_consent_alone_does_not_open_the_handover",),
    ),
    Defence(
        "handover gate: withdrawn or expired consents ignored",
        "jongerenteam/consent.py",
        "    active = [c for c in consents if c.active(today)]\n",
        "    active = list(consents)\n",
        (
            DEFENCE_TESTS + "test_a_withdrawn_consent_does_not_open_the_handover",
            DEFENCE_TESTS + "test_an_expired_consent_does_not_open_the_handover",
        ),
    ),
    Defence(
        "handover gate: checked by the use case, not only the screen",
        "jongerenteam/handover/service.py",
        '            if gate.blocked:\n                raise ValidationError("legal_ground", gate.blocked)\n',
        '            if False:\n                raise ValidationError("legal_ground", gate.blocked)\n',
        (DEFENCE_TESTS + "test_a_fifteen_year_olds_own_consent_alone_does_not_open_the_handover",),
    ),
    Defence(
        "report: counts 1-2 never published as themselves (the perturbation table's small rows)",
        "jongerenteam/report/cellkey.py",
        "    1: ((-1, 2 / 3), (+2, 1 / 3)),  # 0 or 3; mean 1\n",
        "    1: ((0, 2 / 3), (+2, 1 / 3)),  # 0 or 3; mean 1\n",
        (DEFENCE_TESTS + "test_small_counts_are_never_published_as_themselves",),
    ),
    Defence(
        "report: the smallest published count is 3 (a 4 is never shown as 2)",
        "jongerenteam/report/cellkey.py",
        "    4: ((-1, 0.3125), (0, 0.45), (+1, 0.1625), (+2, 0.075)),  # 3-6 (never 2); mean 4\n",
        "    4: ((-2, 0.3125), (0, 0.45), (+1, 0.1625), (+2, 0.075)),  # 3-6 (never 2); mean 4\n",
        (DEFENCE_TESTS + "test_small_counts_are_never_published_as_themselves",),
    ),
    Defence(
        "report: a count is perturbed by its cell key (not published as it is)",
        "jongerenteam/report/figures.py",
        "        self.shown = cellkey.perturb(self.value, self.key)\n",
        "        self.shown = self.value\n",
        ("tests/test_report.py::test_attack_subtracting_periods",),
    ),
    Defence(
        "report: a total is a cell of its own (not the sum of perturbed parts)",
        "jongerenteam/report/figures.py",
        "        return out.publish()\n",
        "        out.shown = sum(p.shown for p in parts)\n        return out\n",
        ("tests/test_report.py::test_a_total_is_a_cell_of_its_own",),
    ),
    Defence(
        "report: every statistics record gets a random record key",
        "jongerenteam/report/cellkey.py",
        "    return secrets.randbelow(KEY_SPACE)\n",
        "    return 0\n",
        ("tests/test_report.py::test_figures_from_the_use_cases[sqlite]",),
    ),
    Defence(
        "report: a woongemeente with fewer than 10 students gets no report of its own",
        "jongerenteam/report/figures.py",
        "    if municipality is not None and helped.rows[municipality].shown < MIN_STUDENTS:\n",
        "    if False:\n",
        ("tests/test_report.py::test_a_small_municipality_is_not_profiled_and_rare_programmes_are_grouped",),
    ),
    Defence(
        "report: rare woongemeenten are grouped as 'overige gemeenten'",
        "jongerenteam/report/figures.py",
        "    grouped = [m for m in munis if helped.rows[m].shown < MIN_STUDENTS]\n",
        "    grouped: list[str] = []\n",
        ("tests/test_report.py::test_a_small_municipality_is_not_profiled_and_rare_programmes_are_grouped",),
    ),
    Defence(
        "erasure: the student's statistics record is deleted, not kept under an emptied id",
        "storage/report.py",
        "    kept = generalised(_open(keys, record.id, record.data))\n    s.delete(record)\n",
        "    kept = generalised(_open(keys, record.id, record.data))\n    record.student_id = None\n",
        ("tests/test_rights.py::test_erasure_keeps_only_a_generalised_copy_in_the_pool[sqlite]",),
    ),
    Defence(
        "erasure: what is kept has months, not dates",
        "storage/report.py",
        "def _month(day: str) -> str:\n    return day[:7]\n",
        "def _month(day: str) -> str:\n    return day\n",
        ("tests/test_rights.py::test_erasure_keeps_only_a_generalised_copy_in_the_pool[sqlite]",),
    ),
    Defence(
        "erasure: what is kept has the year of turning 18, not the month",
        "storage/report.py",
        '        "achttien": eighteen[:4] if eighteen else None,\n',
        '        "achttien": eighteen,\n',
        ("tests/test_rights.py::test_erasure_keeps_only_a_generalised_copy_in_the_pool[sqlite]",),
    ),
    Defence(
        "erasure: the pool is recoded until every kept record has K-1 alikes",
        "storage/report.py",
        "        rare = [g for g in groups.values() if len(g) < k or _homogeneous(g)]\n",
        "        rare = [g for g in groups.values() if False]\n",
        ("tests/test_rights.py::test_erasure_keeps_only_a_generalised_copy_in_the_pool[sqlite]",
         "tests/test_rights.py::test_k_anonymous_recodes_rare_and_homogeneous_classes"),
    ),
    Defence(
        "erasure: no class of kept records shares a leefdomein (homogeneity)",
        "storage/report.py",
        "    return bool(common)\n",
        "    return False\n",
        ("tests/test_rights.py::test_k_anonymous_recodes_rare_and_homogeneous_classes",),
    ),
    Defence(
        "erasure: the class of records that gave up everything is filled to K too",
        "storage/report.py",
        "        if not bottom or (len(bottom) >= k and not _homogeneous(bottom)):\n",
        "        if True:\n",
        ("tests/test_rights.py::test_k_anonymous_recodes_rare_and_homogeneous_classes",),
    ),
    Defence(
        "erasure: the pool's time is no erasure's time",
        "storage/report.py",
        "                               updated_at=POOL_TIME, version=1))\n",
        "                               updated_at=clock.now(), version=1))\n",
        ("tests/test_rights.py::test_erasure_shreds_the_key_and_removes_everything_but_the_anonymous_record[sqlite]",),
    ),
    Defence(
        "handover: the old helper's wrap row deleted when the read-along ends",
        "storage/files.py",
        "        else:\n            s.delete(w)\n",
        "        else:\n            pass\n",
        (DEFENCE_TESTS + "test_the_old_helpers_sealed_key_is_deleted_when_the_read_along_ends[sqlite]",),
    ),
    Defence(
        "student key: a new one when a read-along ends",
        "storage/handover.py",
        "            files.rotate_key(s, keys, student_id, key, drop=gone)\n",
        "            s.query(StudentKeyWrap).filter(\n"
        "                StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient.in_(gone)).delete()\n",
        (INSIDERS + "test_a_key_copied_during_the_read_along_opens_nothing_written_after_it_ends[sqlite]",),
    ),
    Defence(
        "student key: a new one when a colleague is taken off the file",
        "storage/dossier.py",
        "        files.rotate_key(s, keys, student_id, key, drop=[worker_id])\n",
        "        s.query(StudentKeyWrap).filter(\n"
        "            StudentKeyWrap.student_id == student_id, StudentKeyWrap.recipient == worker_id).delete()\n",
        (INSIDERS + "test_a_colleague_taken_off_a_file_keeps_a_key_that_opens_nothing_new[sqlite-taken off the file]",),
    ),
    Defence(
        "student key: a new one for each file of a colleague who leaves",
        "storage/team.py",
        "                files.rotate_key(s, keys, student_id, files.escrow_key(s, keys.escrow_private, student_id), drop=[worker_id])\n",
        "                s.execute(delete(StudentKeyWrap).where(StudentKeyWrap.recipient == worker_id))\n",
        (INSIDERS + "test_a_colleague_taken_off_a_file_keeps_a_key_that_opens_nothing_new[sqlite-deactivated]",),
    ),
    Defence(
        "wrap records: a read-along lengthened by the old helper herself is ended",
        "storage/files.py",
        "            return w.expires_at is None or _aware(w.expires_at) > end\n",
        "            return False\n",
        (INSIDERS + "test_the_old_helper_who_lengthens_her_own_read_along_with_a_signed_record_is_cut_off[sqlite]",),
    ),
    Defence(
        "seen rows: a row older than its worker's newest login",
        "storage/integrity.py",
        "        elif row.seq < newest_login.get(row.worker_id, 0):\n",
        "        elif False:\n",
        (INSIDERS + "test_the_tail_cut_with_an_older_signed_memory_put_back_is_seen[sqlite]",),
    ),
    Defence(
        "erasures: only those a coördinator signed are applied again",
        "storage/rights.py",
        "        if grant is not None and grant.role == authority.COORDINATOR and any(\n",
        "        if True or any(\n",
        (INSIDERS + "test_a_forged_erasure_destroys_nothing[line in the side file]",
         INSIDERS + "test_a_forged_erasure_destroys_nothing[row in the list]"),
    ),
    Defence(
        "erasures: the signer must be a coördinator",
        "storage/rights.py",
        "        if grant is not None and grant.role == authority.COORDINATOR and any(\n",
        "        if grant is not None and any(\n",
        (INSIDERS + "test_a_forged_erasure_destroys_nothing[line signed by a hulpverlener]",),
    ),
    Defence(
        "handover accept: the row must match the signed proposal",
        "storage/handover.py",
        "                    check_signed_terms(s, keys, h)\n",
        "                    pass\n",
        (INSIDERS + "test_a_read_along_lengthened_in_the_proposal_row_is_refused_at_accept[sqlite]",
         INSIDERS + "test_a_colleague_who_proposes_a_student_in_the_contact_persons_name_is_refused_at_accept"
         "[sqlite-a coordinator's line]"),
    ),
    Defence(
        "handover accept: the proposal signed by the contact person",
        "storage/handover.py",
        "    elif worker != h.from_worker_id or not detail.startswith(f\"overdracht voorgesteld: {INTERN}\"):\n",
        "    elif False:\n",
        (INSIDERS + "test_a_colleague_who_proposes_a_student_in_the_contact_persons_name_is_refused_at_accept"
         "[sqlite-the contact person's line]",),
    ),
    Defence(
        "audit: a proposal on behalf of the contact person is a coördinator's line",
        "storage/audit.py",
        "        return (e.detail or \"\").startswith(COORDINATOR_HANDOVER_LINES)\n",
        "        return False\n",
        (INSIDERS + "test_a_proposal_on_behalf_signed_by_a_worker_breaks_the_log[sqlite]",),
    ),
    Defence(
        "sqlite engine: hide_parameters=True",
        "storage/sqlite.py",
        "        hide_parameters=True,\n",
        "        hide_parameters=False,\n",
        (DEFENCE_TESTS + "test_an_sql_error_does_not_carry_the_values_it_was_given[sqlite]",),
    ),
    Defence(
        "postgresql engine: hide_parameters=True",
        "storage/postgres.py",
        "        hide_parameters=True,\n",
        "        hide_parameters=False,\n",
        (DEFENCE_TESTS + "test_an_sql_error_does_not_carry_the_values_it_was_given[postgresql]",),
    ),
    Defence(
        "process: no core dumps (RLIMIT_CORE=0)",
        "jongerenteam/cli.py",
        "        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n",
        "        pass\n",
        (DEFENCE_TESTS + "test_the_command_turns_core_dumps_off_before_anything_else",),
    ),
    Defence(
        "noodtoegang: reason code from the list",
        "jongerenteam/spreekuur.py",
        "        if reason not in EMERGENCY_REASONS:\n",
        "        if False:\n",
        (DEFENCE_TESTS + "test_noodtoegang_without_a_valid_reason_code_is_refused",),
    ),
    Defence(
        "noodtoegang: the store refuses an escrow read without a reason",
        "storage/students.py",
        "    if not reason_code.strip():\n",
        "    if False:\n",
        (DEFENCE_TESTS + "test_the_store_refuses_an_escrow_read_without_a_reason",),
    ),
    # -- the meldcode tier (issue 21): storage/meldcode.py -------------------------------------------
    Defence(
        "meldcode: only a member's own wrap opens a trajectory",
        "storage/meldcode.py",
        "    mine = next((w for w in wraps if w.recipient == keys.worker_id), None)\n",
        "    mine = next((w for w in wraps if w.recipient == keys.worker_id), wraps[0] if wraps else None)\n",
        (MELDCODE + "test_only_the_starter_and_added_members_read_it",),
    ),
    Defence(
        "meldcode: a trajectory's row is what the signed log last said of it",
        "storage/meldcode.py",
        '        raise Tampered(f"{TABLE} (anders dan in het logboek)")\n',
        "        pass\n",
        (MELDCODE + "test_a_row_or_wrap_put_back_or_changed_is_refused",),
    ),
    Defence(
        "meldcode: a member taken off gets a new key (rotation)",
        "storage/meldcode.py",
        "        _rotate(s, keys, row, doc, [w for w in wraps if w.recipient != worker_id])\n",
        "        pass\n",
        (MELDCODE + "test_only_the_starter_and_added_members_read_it",),
    ),
    Defence(
        "meldcode: the file's Logboek leaves the trajectory's lines out",
        "storage/audit.py",
        '        q = q.where(AuditEntry.detail.not_like(MELDCODE + "%"))\n',
        "        pass\n",
        (MELDCODE + "test_the_files_logboek_leaves_the_trajectory_out",),
    ),
    Defence(
        "meldcode: the change feed keeps the trajectory's changes apart from the file's",
        "jongerenteam/session.py",
        "            elif c.student_id and c.detail.startswith(audit.MELDCODE):\n",
        "            elif False:\n",
        (MELDCODE + "test_a_colleague_on_the_file_is_not_told_the_file_changed_when_the_trajectory_did",),
    ),
)


# -- the copy ------------------------------------------------------------------------------------


def project_files() -> list[str]:
    """The repository's files as they are in the working tree: tracked ones and new ones not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()
    return sorted({name for name in out.split("\0") if name and (ROOT / name).is_file()})


def make_copy(target: Path, files: list[str]) -> None:
    for name in files:
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest)


class SnippetMoved(Exception):
    pass


def apply(copy: Path, d: Defence) -> None:
    """Replace the defence's snippet in the copy; it must be there exactly once."""
    path = copy / d.file
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnippetMoved(f"{d.file} does not exist") from None
    found = source.count(d.old)
    if found != 1:
        raise SnippetMoved(f"the snippet occurs {found} times in {d.file}, not once:\n{d.old}")
    path.write_text(source.replace(d.old, d.new), encoding="utf-8")


def check_snippets(defences: list[Defence]) -> list[tuple[Defence, str]]:
    """(defence, problem) for every snippet not found exactly once in the working tree."""
    problems = []
    for d in defences:
        path = ROOT / d.file
        if d.new == d.old:
            problems.append((d, "the replacement is the snippet itself: nothing would be removed"))
            continue
        if not path.is_file():
            problems.append((d, f"{d.file} does not exist"))
            continue
        found = path.read_text(encoding="utf-8").count(d.old)
        if found != 1:
            problems.append((d, f"snippet found {found} times in {d.file}"))
    return problems


# -- running the tests ------------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    seconds: float
    summary: str
    output: str


_SUMMARY = re.compile(r"^=*\s*(\d+ (failed|passed|error|errors|skipped|deselected).*?)\s*=*$", re.MULTILINE)


def run_tests(copy: Path, tests: tuple[str, ...] | list[str]) -> Run:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy)  # the copy, and only the copy (not a worktree the caller pointed at)
    env.pop("PYTEST_ADDOPTS", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-rfEs", *tests]
    began = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=PYTEST_TIMEOUT_S)
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout or ""
        partial = partial.decode(errors="replace") if isinstance(partial, bytes) else partial
        code, output = -1, f"timed out after {PYTEST_TIMEOUT_S} s\n{partial}"
    found = _SUMMARY.findall(output)
    summary = found[-1][0] if found else output.strip().splitlines()[-1] if output.strip() else ""
    return Run(code, time.monotonic() - began, summary, output)


CAUGHT, NOT_CAUGHT, BROKEN = "caught", "NOT CAUGHT", "ERROR"


def verdict(run: Run) -> str:
    """pytest's exit status: 1 some test failed (caught), 0 all passed (not caught), else the run broke."""
    if run.code == 1:
        return CAUGHT
    if run.code == 0:
        return NOT_CAUGHT
    return BROKEN


def select(names: list[str] | None) -> list[Defence]:
    if not names:
        return list(DEFENCES)
    by_name = {d.name: d for d in DEFENCES}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        sys.exit("unknown defence: " + ", ".join(unknown) + " (see --list)")
    return [by_name[n] for n in names]


def print_list(defences: list[Defence]) -> None:
    for d in defences:
        print(f"{d.name}\n    {d.file}")
        for t in d.tests:
            print(f"    -> {t}")


def print_table(rows: list[tuple[Defence, str, str, float]]) -> None:
    w_name = max(len("defence"), *(len(d.name) for d, *_ in rows))
    w_res = max(len("result"), *(len(r) for _, r, *_ in rows))
    w_sum = max(len("tests"), *(len(s) for *_, s, _ in rows))
    line = f"+-{'-' * w_name}-+-{'-' * w_res}-+-{'-' * w_sum}-+--------+"
    print(line)
    print(f"| {'defence':<{w_name}} | {'result':<{w_res}} | {'tests':<{w_sum}} |   time |")
    print(line)
    for d, result, summary, seconds in rows:
        print(f"| {d.name:<{w_name}} | {result:<{w_res}} | {summary:<{w_sum}} | {seconds:5.1f} s |")
    print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="only this defence (repeatable; names: --list)")
    parser.add_argument("--list", action="store_true", help="list the defences and their tests, run nothing")
    parser.add_argument("--check", action="store_true", help="only check that every snippet is found exactly once")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the tests on an unchanged copy")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's output for every removal")
    args = parser.parse_args(argv)

    names = [d.name for d in DEFENCES]
    if len(set(names)) != len(names):
        sys.exit("two defences share a name")
    defences = select(args.only)
    if args.list:
        print_list(defences)
        return 0
    problems = check_snippets(defences)
    for d, problem in problems:
        print(f"SNIPPET MOVED: {d.name}: {problem}", file=sys.stderr)
    if args.check or problems:
        if not problems:
            print(f"all {len(defences)} snippets found exactly once")
        return 1 if problems else 0

    files = project_files()
    with tempfile.TemporaryDirectory(prefix="remove-defences-") as tmp:
        tmp_root = Path(tmp)
        if not args.no_baseline:
            every_test = list(dict.fromkeys(t for d in defences for t in d.tests))
            base = tmp_root / "baseline"
            make_copy(base, files)
            print(f"baseline: {len(every_test)} tests on an unchanged copy ...", flush=True)
            run = run_tests(base, every_test)
            shutil.rmtree(base, ignore_errors=True)
            if run.code != 0:
                print(run.output, file=sys.stderr)
                print(f"baseline failed ({run.summary}): fix the tests first, a removal proves nothing now",
                      file=sys.stderr)
                return 1
            print(f"baseline: {run.summary} ({run.seconds:.1f} s)", flush=True)

        rows: list[tuple[Defence, str, str, float]] = []
        for i, d in enumerate(defences, start=1):
            copy = tmp_root / f"d{i:02d}"
            make_copy(copy, files)
            try:
                apply(copy, d)
            except SnippetMoved as exc:
                rows.append((d, BROKEN, str(exc).splitlines()[0], 0.0))
                print(f"[{i}/{len(defences)}] {d.name}: {BROKEN} ({exc})", flush=True)
                continue
            run = run_tests(copy, d.tests)
            result = verdict(run)
            rows.append((d, result, run.summary, run.seconds))
            print(f"[{i}/{len(defences)}] {d.name}: {result} ({run.summary}, {run.seconds:.1f} s)", flush=True)
            if args.verbose or result != CAUGHT:
                print(run.output, flush=True)
            shutil.rmtree(copy, ignore_errors=True)

    print()
    print_table(rows)
    missed = [d.name for d, result, *_ in rows if result != CAUGHT]
    print(f"{len(rows) - len(missed)} of {len(rows)} removals caught")
    if missed:
        print("not caught or broken: " + "; ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
