"""Envelope, sealed boxes, the Envelope column type and key-slot primitives.

Property tests (hypothesis) for the AES-256-GCM field envelope and the X25519
sealed boxes: round trips, and every single-byte change, truncation or
wrong binding (key, table, column, row, context) must fail to decrypt.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storage.crypto import (
    ENVELOPE_VERSION,
    HEADER_LEN,
    KEY_ID_LEN,
    TAG_LEN,
    DecryptionError,
    FieldKey,
    new_keypair,
    open_field,
    open_sealed,
    public_from_private,
    random_key,
    seal_field,
    seal_to,
)
from storage.errors import StoreError
from storage.keyslots import (
    OWASP_FLOORS,
    RECOVERY_GROUP_LEN,
    RECOVERY_GROUPS,
    TEST_ONLY_PARAMS,
    KdfParams,
    WrongSecret,
    calibrate,
    derive,
    make_slot,
    new_recovery_code,
    normalise_recovery_code,
    open_slot,
)
from storage.models import Envelope, FileEntry, Student

PROPS = settings(
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Keys are made once per module: hypothesis examples must not depend on fixtures.
FK = FieldKey.of(random_key())
OTHER_FK = FieldKey.of(random_key())
PRIV, PUB = new_keypair()
OTHER_PRIV, OTHER_PUB = new_keypair()

# Table, column and row names never hold NUL (the separator of the associated data).
names = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
payloads = st.binary(max_size=600)


def _flip(blob: bytes, index: int, mask: int) -> bytes:
    b = bytearray(blob)
    b[index % len(b)] ^= mask
    return bytes(b)


# --- field envelope --------------------------------------------------------


@PROPS
@given(plaintext=payloads, table=names, column=names, row=names)
def test_envelope_round_trip(plaintext, table, column, row):
    """Any bytes sealed for any table/column/row open again to exactly the same bytes."""
    env = seal_field(FK, table, column, row, plaintext)
    assert env[0] == ENVELOPE_VERSION
    assert len(env) == HEADER_LEN + len(plaintext) + TAG_LEN
    assert open_field(FK, table, column, row, env) == plaintext


@PROPS
@given(plaintext=payloads, index=st.integers(min_value=0), mask=st.integers(1, 255))
def test_envelope_any_flipped_byte_fails(plaintext, index, mask):
    """Changing any single byte of an envelope (header, nonce, ciphertext or tag) is detected."""
    env = seal_field(FK, "students", "directory", "rij-1", plaintext)
    bad = _flip(env, index, mask)
    with pytest.raises(DecryptionError) as info:
        open_field(FK, "students", "directory", "rij-1", bad)
    assert info.value.where == "students.directory (rij rij-1)"


@PROPS
@given(plaintext=payloads, data=st.data())
def test_envelope_truncated_or_extended_fails(plaintext, data):
    """Cutting bytes off an envelope, or appending to it, never decrypts."""
    env = seal_field(FK, "file_entries", "body", "e1", plaintext)
    cut = data.draw(st.integers(0, len(env) - 1))
    with pytest.raises(DecryptionError):
        open_field(FK, "file_entries", "body", "e1", env[:cut])
    extra = data.draw(st.binary(min_size=1, max_size=32))
    with pytest.raises(DecryptionError):
        open_field(FK, "file_entries", "body", "e1", env + extra)


@PROPS
@given(
    plaintext=payloads,
    place=st.tuples(names, names, names),
    other=st.tuples(names, names, names),
)
def test_envelope_bound_to_table_column_row(plaintext, place, other):
    """An envelope opened under any other table, column or row id fails (no moving blobs)."""
    assume(place != other)
    env = seal_field(FK, *place, plaintext)
    with pytest.raises(DecryptionError):
        open_field(FK, *other, env)


@PROPS
@given(plaintext=payloads, table=names, column=names, row=names)
def test_envelope_wrong_key_fails(plaintext, table, column, row):
    """An envelope does not open with another key, not even with the key id forged to match."""
    env = seal_field(FK, table, column, row, plaintext)
    with pytest.raises(DecryptionError):
        open_field(OTHER_FK, table, column, row, env)
    forged = env[:1] + OTHER_FK.key_id + env[1 + KEY_ID_LEN :]
    with pytest.raises(DecryptionError):
        open_field(OTHER_FK, table, column, row, forged)


def test_envelope_nonce_is_fresh():
    """Sealing the same value twice gives different envelopes (random nonce, not deterministic)."""
    a = seal_field(FK, "students", "directory", "x", b"Jansen")
    b = seal_field(FK, "students", "directory", "x", b"Jansen")
    assert a != b
    assert a[1 + KEY_ID_LEN : HEADER_LEN] != b[1 + KEY_ID_LEN : HEADER_LEN]


def test_associated_data_has_no_separator_collision():
    """Names that would give the same associated data through a NUL separator are refused."""
    env = None
    with contextlib.suppress(ValueError):
        env = seal_field(FK, "students\x00directory", "", "rij", b"geheim")
    if env is not None:
        # Without the guard this opens under a different (table, column) pair.
        with pytest.raises(DecryptionError):
            open_field(FK, "students", "directory\x00", "rij", env)


# --- sealed boxes ------------------------------------------------------------

contexts = st.binary(max_size=80)


@PROPS
@given(plaintext=payloads, context=contexts)
def test_sealed_box_round_trip(plaintext, context):
    """A box sealed to a public key opens with the matching private key and context."""
    box = seal_to(PUB, plaintext, context)
    assert open_sealed(PRIV, box, context, "test") == plaintext


@PROPS
@given(plaintext=payloads, context=contexts, index=st.integers(min_value=0), mask=st.integers(1, 255))
def test_sealed_box_any_flipped_byte_fails(plaintext, context, index, mask):
    """Changing any single byte of a sealed box is detected."""
    box = seal_to(PUB, plaintext, context)
    with pytest.raises(DecryptionError):
        open_sealed(PRIV, _flip(box, index, mask), context, "test")


@PROPS
@given(plaintext=payloads, context=contexts, data=st.data())
def test_sealed_box_truncated_fails(plaintext, context, data):
    """A sealed box cut short anywhere does not open."""
    box = seal_to(PUB, plaintext, context)
    cut = data.draw(st.integers(0, len(box) - 1))
    with pytest.raises(DecryptionError):
        open_sealed(PRIV, box[:cut], context, "test")


@PROPS
@given(plaintext=payloads, context=contexts, other=contexts)
def test_sealed_box_bound_to_context(plaintext, context, other):
    """A sealed box opened under another context (another row or recipient) fails."""
    assume(context != other)
    box = seal_to(PUB, plaintext, context)
    with pytest.raises(DecryptionError):
        open_sealed(PRIV, box, other, "test")


@PROPS
@given(plaintext=payloads, context=contexts)
def test_sealed_box_wrong_private_key_fails(plaintext, context):
    """Only the recipient's private key opens a sealed box."""
    box = seal_to(PUB, plaintext, context)
    with pytest.raises(DecryptionError):
        open_sealed(OTHER_PRIV, box, context, "test")


def test_sealed_box_names_the_place():
    """A failing sealed box reports where it came from, not what it holds."""
    box = seal_to(PUB, b"geheim verhaal", b"ctx")
    with pytest.raises(DecryptionError) as info:
        open_sealed(OTHER_PRIV, box, b"ctx", "student_key_wraps.wrapped")
    assert info.value.where == "student_key_wraps.wrapped"
    assert "geheim" not in str(info.value)


def test_public_from_private_matches_keypair():
    """public_from_private gives the public half of a generated key pair."""
    assert public_from_private(PRIV) == PUB
    assert public_from_private(OTHER_PRIV) != PUB


# --- the Envelope column type ---------------------------------------------


@pytest.mark.parametrize("sealed_box", [False, True])
@given(value=st.one_of(st.text(), st.binary()))
@PROPS
def test_envelope_type_refuses_non_envelopes(sealed_box, value):
    """The Envelope column type refuses any str, and bytes that are not envelope-shaped."""
    if isinstance(value, bytes):
        assume(len(value) < HEADER_LEN + TAG_LEN or value[0] != ENVELOPE_VERSION)
    with pytest.raises(TypeError):
        Envelope(sealed_box=sealed_box).process_bind_param(value, None)


def test_envelope_type_accepts_real_envelopes():
    """The Envelope column type lets real envelopes and sealed boxes through unchanged."""
    env = seal_field(FK, "students", "directory", "x", b"data")
    box = seal_to(PUB, b"data", b"ctx")
    assert Envelope().process_bind_param(env, None) == env
    assert Envelope(sealed_box=True).process_bind_param(box, None) == box
    assert Envelope().process_bind_param(None, None) is None


def _count(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_plaintext_never_reaches_sqlite_through_an_encrypted_column(team_store):
    """Writing a plain string into students.directory fails before SQLite sees it."""
    store = team_store.store
    now = datetime.now(UTC)
    secret = "Zwavelstokhuizen-plain-directory"
    for bad in (secret, secret.encode()):
        with pytest.raises((TypeError, StoreError)), store.session() as s:
            s.add(
                Student(
                    id=str(uuid.uuid4()), created_at=now,
                    created_by=team_store.coordinator_id, updated_at=now,
                    updated_by=team_store.coordinator_id, version=1, status="aangemeld",
                    contact_worker_id=None, directory=bad, public_key=PUB,
                    private_key=seal_field(FK, "students", "private_key", "x", b"k" * 32),
                )
            )
    assert _count(store, Student) == 0
    store.checkpoint()
    for p in team_store.path.parent.iterdir():
        assert secret.encode() not in p.read_bytes()


def test_file_entry_body_refuses_plaintext(team_store):
    """file_entries.body (the most sensitive column) refuses a plain value too."""
    store = team_store.store
    from storage import students, team

    keys = team.unlock(store, team_store.coordinator_id, "coordinator wachtwoord zin")
    row = students.add_student(store, keys, {"first_name": "A"}, status="aangemeld",
                               contact_worker_id=None)
    now = datetime.now(UTC)
    with pytest.raises((TypeError, StoreError)), store.session() as s:
        s.add(
            FileEntry(
                id=str(uuid.uuid4()), student_id=row.id, kind="gesprek", sealed=False,
                body=b'{"tekst": "mishandeling thuis, schulden"}',
                created_at=now, created_by=keys.worker_id, updated_at=now,
                updated_by=keys.worker_id, version=1,
            )
        )
    assert _count(store, FileEntry) == 0


# --- key slots: derivation, parameters, recovery codes -----------------------


def test_owasp_floor_check():
    """meets_owasp_floor accepts exactly OWASP's two floors and refuses anything weaker."""
    for m, t in OWASP_FLOORS:
        assert KdfParams(m, t).meets_owasp_floor()
        assert not KdfParams(m - 1, t).meets_owasp_floor()
        if t > 1:
            assert not KdfParams(m, t - 1).meets_owasp_floor()
    assert not KdfParams(*TEST_ONLY_PARAMS).meets_owasp_floor()


def test_a_slow_or_busy_machine_keeps_the_floor_and_knows_how_long_an_unlock_takes():
    """Whatever the machine's speed or load, calibration never goes below 64 MiB and time cost 3
    (a target no machine can meet stands for a very slow one); it reports how long one
    derivation with what it picked takes, which set-up says in Dutch when it is long."""
    from storage.keyslots import FLOOR_MEMORY_KIB, FLOOR_TIME_COST, calibrate_timed

    slow = calibrate_timed(target_s=0.0001)
    assert slow.params == KdfParams(FLOOR_MEMORY_KIB, FLOOR_TIME_COST)
    assert (FLOOR_MEMORY_KIB, FLOOR_TIME_COST) == (64 * 1024, 3) and slow.params.meets_owasp_floor()
    start = time.perf_counter()
    derive("x", os.urandom(16), slow.params)
    took = time.perf_counter() - start
    assert slow.seconds > 0.0001 and took > 0.0001
    assert slow.seconds < 20 * took + 1  # an estimate of the same thing, not a made-up figure


def test_calibrate_meets_owasp_floor():
    """calibrate() (run for real) returns Argon2id parameters at or above OWASP's floor."""
    params = calibrate()
    assert params.meets_owasp_floor()
    assert params.memory_kib >= 19 * 1024
    assert params.parallelism >= 1
    start = time.perf_counter()
    derive("x", os.urandom(16), params)
    # Memory-hard and deliberately slow: far above a plain hash (target about 0.5 s).
    assert time.perf_counter() - start > 0.1


def test_slot_opens_only_with_its_secret():
    """A key slot opens with its passphrase and refuses any other (WrongSecret)."""
    params = KdfParams(*TEST_ONLY_PARAMS)
    payload = os.urandom(64)
    rec = make_slot("slot-1", "juiste zin", payload, params)
    assert len(rec.salt) == 16
    assert rec.params == params
    assert open_slot(rec, "juiste zin") == payload
    for wrong in ("juiste zin ", "Juiste zin", "", "juiste"):
        with pytest.raises(WrongSecret):
            open_slot(rec, wrong)


def test_slot_bound_to_its_parameters_and_salt():
    """Lowering a slot's stored Argon2 parameters or changing its salt does not open it."""
    params = KdfParams(*TEST_ONLY_PARAMS)
    rec = make_slot("slot-1", "zin", b"p" * 64, params)
    cheaper = type(rec)(rec.slot_id, rec.salt, KdfParams(1024, 1, 1), rec.wrapped)
    with pytest.raises(WrongSecret):
        open_slot(cheaper, "zin")
    resalted = type(rec)(rec.slot_id, os.urandom(16), rec.params, rec.wrapped)
    with pytest.raises(WrongSecret):
        open_slot(resalted, "zin")
    moved = type(rec)("slot-2", rec.salt, rec.params, rec.wrapped)
    with pytest.raises(WrongSecret):
        open_slot(moved, "zin")


def test_slot_params_stored_as_given(tmp_path):
    """create_team stores each slot's Argon2 parameters exactly as given, with its own salt."""
    from storage import team
    from storage.store import Store

    params = KdfParams(9 * 1024, 2, 1)
    store = Store.create(str(tmp_path / "p.jt"))
    try:
        team.create_team(
            store, "T", team.WorkerDetails("C", "C", team.COORDINATOR, "o"), "zin een", params
        )
    finally:
        store.close()
    con = sqlite3.connect(tmp_path / "p.jt")
    rows = con.execute(
        "SELECT kind, memory_kib, time_cost, parallelism, salt FROM key_slots"
    ).fetchall()
    con.close()
    assert sorted(r[0] for r in rows) == ["recovery", "worker"]
    for _kind, m, t, p, salt in rows:
        assert (m, t, p) == (9 * 1024, 2, 1)
        assert len(salt) == 16
    assert rows[0][4] != rows[1][4]


def test_recovery_code_shape_and_strength():
    """A recovery code is 7 groups of 4 Crockford characters: at least 128 bits."""
    code = new_recovery_code()
    groups = code.split("-")
    assert len(groups) == RECOVERY_GROUPS
    assert all(len(g) == RECOVERY_GROUP_LEN for g in groups)
    assert RECOVERY_GROUPS * RECOVERY_GROUP_LEN * 5 >= 128
    assert normalise_recovery_code(code) == code
    assert new_recovery_code() != code


def test_recovery_code_normalisation():
    """Lower case, spaces, missing dashes and O/I/L look-alikes all normalise to the code."""
    code = "0A1B-CD2E-F3GH-4JK5-MN6P-QR7S-TV8W"
    for typed in (
        code.lower(),
        code.replace("-", " "),
        code.replace("-", ""),
        "oa1b cd2e f3gh 4jk5 mn6p qr7s tv8w",
        "0AIB-CD2E-F3GH-4JK5-MN6P-QR7S-TV8W",
        "0alb-cd2e-f3gh-4jk5-mn6p-qr7s-tv8w",
        "  0A1B - CD2E - F3GH - 4JK5 - MN6P - QR7S - TV8W  ",
    ):
        assert normalise_recovery_code(typed) == code, typed
    assert normalise_recovery_code("0A1B-CD2E-F3GH-4JK5-MN6P-QR7S-TV8X") != code


@given(
    rows=st.lists(st.tuples(st.uuids().map(str), st.binary(max_size=64)), min_size=1, max_size=8),
    flip=st.integers(min_value=0),
)
def test_open_column_agrees_with_open_field(rows, flip):
    """The bulk decryptor accepts exactly what open_field accepts, also after a byte is flipped."""
    from storage.crypto import open_column

    fk = FieldKey.of(random_key())
    sealed = [(rid, seal_field(fk, "students", "directory", rid, pt)) for rid, pt in rows]
    victim = flip % len(sealed)
    rid, env = sealed[victim]
    pos = flip % len(env)
    sealed[victim] = (rid, env[:pos] + bytes([env[pos] ^ 0x01]) + env[pos + 1 :])
    bulk = list(open_column(fk, "students", "directory", sealed))
    for (rid, env), (bid, got) in zip(sealed, bulk, strict=False):
        assert bid == rid
        try:
            expected = open_field(fk, "students", "directory", rid, env)
        except DecryptionError:
            expected = None
        assert got == expected
    assert bulk[victim][1] is None
