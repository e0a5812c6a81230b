"""The segment file format of DESIGN §5: round trips, every fault with its reason, names."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import json
import tracemalloc
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcompanion.sync.segment import (
    FORMAT,
    READER_VERSION,
    RECORD_TYPES,
    SEGMENT_NAME,
    NewerFormatError,
    Record,
    Segment,
    SegmentError,
    decode_segment,
    encode_segment,
    owner_role,
    parse_name,
)

WRITER = "dev-ana-01"


def record(n: int = 1, *, writer: str = WRITER, **changes) -> Record:
    fields = {
        "id": f"rec{n:04d}",
        "type": "contact",
        "writer": writer,
        "revision": n,
        "updated_at": "2026-11-23T12:00:00Z",
        "deleted": False,
        "body": {"channel": "phone", "detail": "Zoë paid twice — € 12,50 ✓", "n": n},
    }
    fields.update(changes)
    return Record(**fields)


def small_segment() -> tuple[str, bytes]:
    return encode_segment(WRITER, 7, [record(1), record(2, deleted=True, body={}), record(3)])


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def header(**changes) -> dict:
    fields = {
        "format": FORMAT,
        "format_version": 1,
        "min_reader_version": 1,
        "writer": WRITER,
        "first_seq": 7,
        "last_seq": 7,
    }
    fields.update(changes)
    return fields


def assemble(head: dict, lines: list[str], **footer_changes) -> bytes:
    """A hand-built segment with a correct checksum unless the footer is overridden."""
    body = "".join(line + "\n" for line in lines).encode()
    footer = {"footer": True, "count": len(lines), "sha256": hashlib.sha256(body).hexdigest()}
    footer.update(footer_changes)
    return (dumps(head) + "\n").encode() + body + (dumps(footer) + "\n").encode()


def reason_of(name: str, data: bytes, **kwargs) -> str:
    kwargs.setdefault("expected_writer", WRITER)
    with pytest.raises(SegmentError) as caught:
        decode_segment(name, data, **kwargs)
    assert str(caught.value) == caught.value.message and caught.value.message
    return caught.value.reason


# --- round trips -------------------------------------------------------------------------

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=8,
)
records = st.builds(
    Record,
    id=st.text(min_size=1, max_size=30),
    type=st.sampled_from(sorted(RECORD_TYPES)),
    writer=st.just(WRITER),
    revision=st.integers(min_value=1, max_value=2**53),
    updated_at=st.text(min_size=1, max_size=30),
    deleted=st.booleans(),
    body=st.dictionaries(st.text(), json_value, max_size=5),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(records, min_size=1, max_size=8), st.integers(min_value=1, max_value=10**12 - 9))
def test_encode_then_decode_gives_the_same_records(recs, first_seq):
    name, data = encode_segment(WRITER, first_seq, recs)
    assert name == f"{first_seq:012d}.jsonl"
    segment = decode_segment(name, data, expected_writer=WRITER)
    assert segment == Segment(WRITER, first_seq, first_seq + len(recs) - 1, 1, tuple(recs))
    # == would call 1 and True and 1.0 the same; the JSON text pins the exact values.
    assert [r.to_json() for r in segment.records] == [r.to_json() for r in recs]
    assert encode_segment(WRITER, first_seq, segment.records) == (name, data)


def test_the_file_layout_is_header_records_footer():
    name, data = small_segment()
    assert name == "000000000007.jsonl"
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""
    head, *recs, foot = (json.loads(line) for line in lines[:-1])
    assert head == header(last_seq=9)
    assert len(recs) == 3 and recs[0]["id"] == "rec0001"
    body = "".join(line + "\n" for line in lines[1:4]).encode()
    assert foot == {"footer": True, "count": 3, "sha256": hashlib.sha256(body).hexdigest()}
    assert "Zoë paid twice — € 12,50 ✓" in lines[1]  # ensure_ascii=False
    assert all(line == dumps(json.loads(line)) for line in lines[:-1])  # compact, sorted


def test_a_big_segment_is_gzipped_and_round_trips():
    recs = [record(n, body={"detail": "x" * 2000, "n": n}) for n in range(1, 200)]
    name, data = encode_segment(WRITER, 1, recs)
    assert name == "000000000001.jsonl.gz"
    assert data[:2] == b"\x1f\x8b"
    assert decode_segment(name, data, expected_writer=WRITER).records == tuple(recs)
    plain_name, plain = encode_segment(WRITER, 1, recs, gzip_over=10**9)
    assert plain_name == "000000000001.jsonl"
    assert gzip.decompress(data) == plain


def test_encoding_is_deterministic():
    recs = [record(n, body={"detail": "y" * 3000, "b": n, "a": [n]}) for n in range(1, 120)]
    assert encode_segment(WRITER, 3, recs) == encode_segment(WRITER, 3, list(recs))
    assert encode_segment(WRITER, 3, recs[:2]) == encode_segment(WRITER, 3, recs[:2])
    assert encode_segment(WRITER, 3, recs)[0].endswith(".gz")


def test_the_gzip_threshold_is_on_the_plain_size():
    _, plain = encode_segment(WRITER, 1, [record()], gzip_over=10**9)
    assert encode_segment(WRITER, 1, [record()], gzip_over=len(plain))[0].endswith(".jsonl")
    assert encode_segment(WRITER, 1, [record()], gzip_over=len(plain) - 1)[0].endswith(".gz")


@pytest.mark.parametrize(
    ("writer", "first_seq", "recs"),
    [
        ("", 1, [record()]),
        (WRITER, 0, [record()]),
        (WRITER, True, [record()]),
        (WRITER, 1, []),
        (WRITER, 1, [record(writer="someone-else")]),
    ],
)
def test_encode_refuses_what_it_could_not_decode(writer, first_seq, recs):
    with pytest.raises(ValueError):
        encode_segment(writer, first_seq, recs)


# --- Record ------------------------------------------------------------------------------


def test_record_json_round_trip():
    rec = record(5, deleted=True)
    assert Record.from_json(rec.to_json()) == rec
    assert json.loads(rec.to_json()) == rec.to_dict()


@pytest.mark.parametrize(
    "change",
    [
        {"id": ""},
        {"id": 5},
        {"type": None},
        {"writer": ""},
        {"revision": 0},
        {"revision": "3"},
        {"revision": True},
        {"revision": 1.0},
        {"updated_at": 20261123},
        {"deleted": 0},
        {"deleted": "false"},
        {"body": []},
        {"body": None},
    ],
)
def test_record_rejects_wrong_types(change):
    data = record().to_dict() | change
    with pytest.raises(ValueError):
        Record.from_dict(data)
    with pytest.raises(ValueError):
        Record.from_json(dumps(data))


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "not json",
        dumps(record().to_dict() | {"extra": 1}),
        dumps({k: v for k, v in record().to_dict().items() if k != "deleted"}),
        record().to_json()[:-1] + ',"id":"again"}',  # a repeated key
        record().to_json().replace('"n":1', '"n":NaN'),
        "[" * 100_000,
    ],
)
def test_record_from_json_rejects_bad_lines(text):
    with pytest.raises(ValueError):
        Record.from_json(text)


def test_record_to_json_refuses_a_body_that_is_not_json():
    with pytest.raises(ValueError):
        record(body={"x": float("nan")}).to_json()
    with pytest.raises(TypeError):
        record(body={"x": {1, 2}}).to_json()


# --- faults, one reason each -------------------------------------------------------------


def test_every_truncation_of_a_plain_segment_is_refused_as_truncated():
    name, data = small_segment()
    for cut in range(len(data)):
        assert reason_of(name, data[:cut]) == "truncated", cut


def test_every_truncation_of_a_gzipped_segment_is_refused():
    name, data = encode_segment(WRITER, 7, [record(1), record(2)], gzip_over=0)
    assert name.endswith(".gz")
    for cut in range(len(data)):
        assert reason_of(name, data[:cut]) in {"decompression", "truncated"}, cut


@pytest.mark.parametrize(
    "tail", [b"x", b"\n", b"{}\n", record(4).to_json().encode() + b"\n", b"\x00"]
)
def test_data_after_the_footer_is_refused(tail):
    name, data = small_segment()
    assert reason_of(name, data + tail) == "truncated"


def test_a_repeated_footer_is_refused():
    name, data = small_segment()
    footer = data[data.rindex(b"\n", 0, -1) + 1 :]
    with pytest.raises(SegmentError):
        decode_segment(name, data + footer, expected_writer=WRITER)


def test_one_changed_byte_in_any_record_line_fails_the_checksum():
    name, data = small_segment()
    start = data.index(b"\n") + 1
    end = data.rindex(b"\n", 0, -1) + 1
    changed = 0
    for pos in range(start, end):
        byte = data[pos]
        if chr(byte).isascii() and chr(byte).isalnum():
            flipped = data[:pos] + (b"Q" if byte != ord("Q") else b"R") + data[pos + 1 :]
            assert reason_of(name, flipped) == "checksum", pos
            changed += 1
    assert changed > 100


def test_a_segment_from_another_folder_is_refused():
    name, data = small_segment()
    assert reason_of(name, data, expected_writer="dev-bo-02") == "writer"


def test_a_record_claiming_another_writer_is_refused():
    data = assemble(header(last_seq=8), [record(1).to_json(), record(2, writer="x").to_json()])
    assert reason_of("000000000007.jsonl", data) == "record"


@pytest.mark.parametrize(
    "line",
    [
        "{}",
        "[1]",
        dumps(record().to_dict() | {"owner": "lead"}),
        dumps(record().to_dict() | {"revision": -1}),
        "",
    ],
)
def test_an_invalid_record_line_is_refused(line):
    data = assemble(header(), [line])
    assert reason_of("000000000007.jsonl", data) == "record"


@pytest.mark.parametrize(
    "line",
    [
        record().to_json()[:-1] + ',"id":"again"}',  # a repeated key (the fast parser keeps one)
        record().to_json().replace('"n":1', '"n":NaN'),
        record().to_json().replace('"n":1', '"n":Infinity'),
    ],
)
def test_lines_only_the_strict_decoder_catches_are_refused(line):
    data = assemble(header(), [line])
    assert reason_of("000000000007.jsonl", data) == "record"


@pytest.mark.parametrize(
    "line",
    [
        json.dumps(record().to_dict()),  # spaces after separators
        json.dumps(record().to_dict(), ensure_ascii=True),  # \u escapes
        json.dumps(dict(reversed(record().to_dict().items())), separators=(",", ":")),
        record().to_json().replace('"n":1', '"n":1.0e0'),
        record().to_json().replace('"n":1', f'"n":{2**70}'),  # beyond 64 bits
    ],
)
def test_valid_lines_in_another_spelling_are_read_as_json(line):
    data = assemble(header(), [line])
    (decoded,) = decode_segment("000000000007.jsonl", data, expected_writer=WRITER).records
    assert decoded == Record.from_dict(json.loads(line))


def test_the_name_must_match_the_header():
    _, data = small_segment()
    assert reason_of("000000000008.jsonl", data) == "seq"
    assert reason_of("000000000007.jsonl.gz", data) == "decompression"


@pytest.mark.parametrize(
    "change",
    [
        {"format": "something-else"},
        {"format": None},
        {"format_version": 0},
        {"format_version": "1"},
        {"min_reader_version": True},
        {"min_reader_version": 2},  # above format_version 1: contradictory
        {"first_seq": 0},
        {"last_seq": 6},
        {"writer": ""},
        {"writer": 3},
    ],
)
def test_a_bad_header_is_refused(change):
    data = assemble(header(**change), [record().to_json()])
    assert reason_of("000000000007.jsonl", data) == "header"


@pytest.mark.parametrize("first_line", ["", "[]", "nope", '"cxcompanion-segment"'])
def test_a_first_line_that_is_no_header_is_refused(first_line):
    _, data = small_segment()
    data = first_line.encode() + data[data.index(b"\n") :]
    assert reason_of("000000000007.jsonl", data) == "header"


def test_missing_header_fields_are_refused():
    for key in header():
        head = header()
        del head[key]
        assert reason_of("000000000007.jsonl", assemble(head, [record().to_json()])) == "header"


def test_counts_must_agree():
    lines = [record(1).to_json(), record(2).to_json()]
    assert reason_of("000000000007.jsonl", assemble(header(last_seq=8), lines, count=3)) == "count"
    assert reason_of("000000000007.jsonl", assemble(header(last_seq=9), lines)) == "count"
    assert reason_of("000000000007.jsonl", assemble(header(last_seq=7), lines)) == "count"


def test_a_newer_format_asks_for_an_update():
    head = header(format_version=2, min_reader_version=READER_VERSION + 1, extra="new")
    data = assemble(head, [dumps(record().to_dict() | {"new_field": 1})])
    with pytest.raises(NewerFormatError) as caught:
        decode_segment("000000000007.jsonl", data, expected_writer=WRITER)
    assert caught.value.reason == "newer_format"
    assert "update" in caught.value.message


def test_a_newer_writer_that_older_readers_may_read_is_read():
    head = header(format_version=2, min_reader_version=1, extra="ignored")
    data = assemble(head, [record().to_json()])
    segment = decode_segment("000000000007.jsonl", data, expected_writer=WRITER)
    assert segment.records == (record(),)


def test_non_utf8_bytes_are_refused():
    name, data = small_segment()
    pos = data.index("Zoë".encode()) + 2  # the first byte of "ë"
    assert reason_of(name, data[:pos] + b"\xff" + data[pos + 1 :]) == "encoding"
    assert reason_of(name, b"\xef\xbb\xbf" + data) == "header"  # a BOM is not a header


def test_an_oversized_file_is_refused_before_anything_else():
    name, data = small_segment()
    assert reason_of(name, data, max_bytes=len(data) - 1) == "too_large"
    assert decode_segment(name, data, expected_writer=WRITER, max_bytes=len(data))
    assert reason_of(name, b"\xff" * 100, max_bytes=99) == "too_large"
    assert reason_of("bad.jsonl", b"\xff" * 100, max_bytes=99) == "name"


def test_gzip_is_limited_after_decompression_too():
    recs = [record(n, body={"detail": "z" * 5000}) for n in range(1, 100)]
    name, data = encode_segment(WRITER, 1, recs)
    size = len(gzip.decompress(data))
    assert reason_of(name, data, max_decompressed=size - 1) == "decompression"
    assert len(decode_segment(name, data, expected_writer=WRITER, max_decompressed=size).records)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """200 MB of zeros as a ~1 MB gzip, built in chunks so the test never holds 200 MB."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(200)]
    parts.append(packer.flush())
    return b"".join(parts)


def test_a_gzip_bomb_is_stopped_without_unpacking_it(gzip_bomb):
    assert len(gzip_bomb) < 32 * 1024 * 1024  # passes the compressed-size check
    tracemalloc.start()
    try:
        reason = reason_of("000000000001.jsonl.gz", gzip_bomb, max_decompressed=4 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason == "decompression"
    assert peak < 16 << 20


def test_a_gzip_bomb_is_stopped_by_the_default_limit(gzip_bomb):
    assert reason_of("000000000001.jsonl.gz", gzip_bomb) == "decompression"


@pytest.mark.parametrize(
    "data", [b"not gzip at all", b"\x1f\x8b" + b"\x00" * 30, gzip.compress(b"x\n") + b"junk"]
)
def test_corrupt_gzip_is_refused(data):
    assert reason_of("000000000001.jsonl.gz", data) == "decompression"


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("000000000001.jsonl", (1, False)),
        ("000000000001.jsonl.gz", (1, True)),
        ("123456789012.jsonl", (123456789012, False)),
        ("000000000000.jsonl", None),  # sequence numbers start at 1
        ("000000000001 (conflicted copy 2026-11-23).jsonl", None),
        ("000000000001 (Ana's conflicted copy).jsonl", None),
        ("000000000001.sync-conflict-20261123-120000-ABCDEF.jsonl", None),
        ("~$000000000001.jsonl", None),
        (".~lock.000000000001.jsonl#", None),
        ("000000000001.jsonl.tmp", None),
        ("000000000001.jsonl~", None),
        ("000000000001.jsonl.part", None),
        ("000000000001.jsonl.gz.tmp", None),
        (".000000000001.jsonl", None),
        ("1.jsonl", None),
        ("00000000001.jsonl", None),
        ("0000000000001.jsonl", None),
        ("000000000001.JSONL", None),
        ("000000000001.jsonl.GZ", None),
        ("000000000001.json", None),
        ("000000000001.jsonl.gz.gz", None),
        ("000000000001.jsonl\n", None),
        ("٠٠٠٠٠٠٠٠٠٠٠١.jsonl", None),  # Arabic-Indic digits
        ("sub/000000000001.jsonl", None),
        ("", None),
    ],
)
def test_parse_name(name, expected):
    assert parse_name(name) == expected


def test_bad_names_are_refused_by_decode():
    _, data = small_segment()
    assert reason_of("000000000007 (conflicted copy).jsonl", data) == "name"
    assert reason_of("000000000007.jsonl.tmp", data) == "name"


def test_encoded_names_parse_back():
    for seq in (1, 42, 10**12 - 1):
        name, _ = encode_segment(WRITER, seq, [record()])
        assert SEGMENT_NAME.fullmatch(name)
        assert parse_name(name) == (seq, False)


# --- ownership table ---------------------------------------------------------------------


def test_every_record_type_has_one_owner_role():
    assert {t for t, r in RECORD_TYPES.items() if r == "agent"} == {
        "contact",
        "idea",
        "coaching_reply",
    }
    assert {t for t, r in RECORD_TYPES.items() if r == "lead"} == {
        "coaching_note",
        "evaluation",
        "idea_decision",
        "imported_contact",
        "imported_idea",
        "survey_answer",
        "team_settings",
        "taxonomy",
    }
    assert owner_role("evaluation") == "lead"
    assert owner_role("contact") == "agent"
    assert owner_role("unknown") is None
    with pytest.raises(TypeError):
        RECORD_TYPES["contact"] = "lead"  # type: ignore[index]


# --- fuzz --------------------------------------------------------------------------------

names = st.sampled_from(["000000000007.jsonl", "000000000007.jsonl.gz"])


@settings(max_examples=300, deadline=None)
@given(names, st.binary(max_size=2000))
def test_random_bytes_raise_only_segment_errors(name, data):
    with contextlib.suppress(SegmentError):
        decode_segment(name, data, expected_writer=WRITER)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([False, True]),
    st.lists(
        st.tuples(
            st.sampled_from(["flip", "insert", "delete"]),
            st.integers(min_value=0),
            st.binary(min_size=1, max_size=1),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_damaged_segments_raise_only_segment_errors(gzipped, edits):
    name, data = encode_segment(
        WRITER, 7, [record(1), record(2)], gzip_over=0 if gzipped else 10**9
    )
    buf = bytearray(data)
    for kind, pos, byte in edits:
        pos %= len(buf) + 1
        if kind == "insert":
            buf[pos:pos] = byte
        elif pos < len(buf):
            if kind == "flip":
                buf[pos] ^= byte[0] or 1
            else:
                del buf[pos]
    try:
        segment = decode_segment(name, bytes(buf), expected_writer=WRITER)
    except SegmentError:
        return
    # A damage that decodes at all must leave the records exactly as they were written.
    assert segment.records == (record(1), record(2))


def test_a_record_pickles_to_an_equal_record():
    import pickle

    original = record(3, deleted=True)
    copy = pickle.loads(pickle.dumps(original))
    assert copy == original and copy.to_json() == original.to_json()
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.id = "other"
