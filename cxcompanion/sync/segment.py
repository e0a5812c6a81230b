"""The segment file of the shared export (DESIGN §5): encode one writer's records, and decode
and verify a file read from the share. Pure functions on bytes; callers do all file I/O."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import orjson

from cxcompanion.domain.enums import Role

FORMAT = "cxcompanion-segment"
FORMAT_VERSION = 1
# The highest min_reader_version this app can read.
READER_VERSION = 1

# Who may write each record type. The roster maps a writer to a role; checking that match is
# the importer's job, this table is the single source of the rule.
RECORD_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "contact": Role.AGENT.value,
        "idea": Role.AGENT.value,
        "coaching_reply": Role.AGENT.value,
        "imported_contact": Role.LEAD.value,  # history a lead imported for an agent
        "imported_idea": Role.LEAD.value,
        "coaching_note": Role.LEAD.value,
        "evaluation": Role.LEAD.value,
        "idea_decision": Role.LEAD.value,
        "survey_answer": Role.LEAD.value,
        "team_settings": Role.LEAD.value,
        "taxonomy": Role.LEAD.value,
    }
)

# ASCII digits and \Z on purpose: `\d` also matches other scripts' digits and `$` accepts a
# trailing newline, and either would let a stray name through.
SEGMENT_NAME = re.compile(r"^([0-9]{12})\.jsonl(\.gz)?\Z")

_HEX64 = re.compile(r"^[0-9a-f]{64}\Z")
_CHUNK = 1024 * 1024
_RECORD_FIELDS = ("id", "type", "writer", "revision", "updated_at", "deleted", "body")


def owner_role(record_type: str) -> str | None:
    """The role that owns `record_type` ("agent" or "lead"), or None for an unknown type."""
    return RECORD_TYPES.get(record_type)


class SegmentError(ValueError):
    """A segment that cannot be imported: `reason` is a stable code, the message is for a lead."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class NewerFormatError(SegmentError):
    """A segment written by a newer app; its writer's cursor must stop here, nothing skipped."""

    def __init__(self, message: str):
        super().__init__("newer_format", message)


def _dumps(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("a JSON object repeats a key")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# One decoder for every line: json.loads() with hooks builds a new one per call.
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)


def _loads(text: str) -> Any:
    """Strict JSON: no NaN/Infinity, no repeated keys. Raises ValueError only."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _record_value(line: bytes) -> Any:
    """A record line's JSON value, as strictly as `_loads`.

    Fast path: orjson (a C parser, about twice as fast as the json module's with the
    duplicate-key hook) when the line is exactly what `Record.to_json` writes: keys sorted
    and unique, compact, no NaN. Re-encoding the parsed value must give the line back, so a
    repeated key (the parse keeps one), a number spelled another way or anything else
    orjson reads differently falls through to the json module's strict decoder, which
    decides. Every line the app writes takes the fast path.
    """
    try:
        value = orjson.loads(line)
        if orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == line:
            return value
    except (orjson.JSONDecodeError, TypeError):
        pass
    return _loads(line.decode("utf-8"))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Record:
    """The envelope every shared record travels in; `body` is the type's own JSON object."""

    id: str
    type: str
    writer: str
    revision: int
    updated_at: str
    deleted: bool
    body: dict[str, Any]

    def __post_init__(self) -> None:
        for field in ("id", "type", "writer", "updated_at"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value:
                raise ValueError(f"record {field} must be a non-empty string")
        if not _is_int(self.revision) or self.revision < 1:
            raise ValueError("record revision must be an integer of at least 1")
        if not isinstance(self.deleted, bool):
            raise ValueError("record deleted must be true or false")
        if not isinstance(self.body, dict):
            raise ValueError("record body must be a JSON object")
        # (JSON object keys are always strings; bodies built in code are checked when
        # they are encoded, where json.dumps refuses anything that is not JSON.)

    def to_dict(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in _RECORD_FIELDS}

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled when the read-ahead process hands records over: rebuilt as from_dict
        # builds them, without the dataclass constructor (the record was checked when made).
        return (_rebuilt, tuple(getattr(self, field) for field in _RECORD_FIELDS))

    def to_json(self) -> str:
        """One compact line, keys sorted; raises ValueError/TypeError if the body is not JSON."""
        return _dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> Record:
        if type(data) is dict and data.keys() == _FIELD_SET and _well_formed(data):
            # The checks of __post_init__, passed: skip the dataclass constructor, which is
            # most of the cost of a record (a first import decodes a million of them).
            record = object.__new__(cls)
            record.__dict__.update(data)
            return record
        if not isinstance(data, dict):
            raise ValueError("a record must be a JSON object")
        missing = [f for f in _RECORD_FIELDS if f not in data]
        extra = sorted(set(data) - set(_RECORD_FIELDS))
        if missing:
            raise ValueError(f"record lacks {', '.join(missing)}")
        if extra:
            raise ValueError(f"record has unknown fields {', '.join(extra)}")
        return cls(**{f: data[f] for f in _RECORD_FIELDS})

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls.from_dict(_loads(text))


_FIELD_SET = frozenset(_RECORD_FIELDS)


def _rebuilt(*values: Any) -> Record:
    record = object.__new__(Record)
    record.__dict__.update(zip(_RECORD_FIELDS, values, strict=True))
    return record


def _well_formed(data: dict[str, Any]) -> bool:
    """What Record.__post_init__ checks, for a decoded JSON object (exact types)."""
    revision = data["revision"]
    return bool(
        type(data["id"]) is str
        and data["id"]
        and type(data["type"]) is str
        and data["type"]
        and type(data["writer"]) is str
        and data["writer"]
        and type(data["updated_at"]) is str
        and data["updated_at"]
        and type(revision) is int
        and revision >= 1
        and type(data["deleted"]) is bool
        and type(data["body"]) is dict
    )


@dataclass(frozen=True)
class Segment:
    writer: str
    first_seq: int
    last_seq: int
    min_reader_version: int
    records: tuple[Record, ...]


def parse_name(name: str) -> tuple[int, bool] | None:
    """(first sequence number, gzipped) for a segment file name; None for anything else."""
    match = SEGMENT_NAME.fullmatch(name)
    if match is None:
        return None
    seq = int(match.group(1))
    if seq < 1:
        return None
    return seq, match.group(2) is not None


def encode_segment(
    writer: str, first_seq: int, records: Sequence[Record], *, gzip_over: int = 256 * 1024
) -> tuple[str, bytes]:
    """(file name, bytes) of the segment holding `records` as sequence numbers first_seq…"""
    if not isinstance(writer, str) or not writer:
        raise ValueError("writer must be a non-empty string")
    if not _is_int(first_seq) or first_seq < 1:
        raise ValueError("first_seq must be an integer of at least 1")
    if not records:
        raise ValueError("a segment holds at least one record")
    for record in records:
        if not isinstance(record, Record):
            raise TypeError(f"not a Record: {record!r}")
        if record.writer != writer:
            raise ValueError(f"record {record.id} belongs to writer {record.writer}, not {writer}")
    body = "".join(record.to_json() + "\n" for record in records).encode("utf-8")
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "min_reader_version": 1,
        "writer": writer,
        "first_seq": first_seq,
        "last_seq": first_seq + len(records) - 1,
    }
    footer = {"footer": True, "count": len(records), "sha256": hashlib.sha256(body).hexdigest()}
    plain = (_dumps(header) + "\n").encode("utf-8") + body + (_dumps(footer) + "\n").encode()
    name = f"{first_seq:012d}.jsonl"
    if len(plain) > gzip_over:
        return name + ".gz", gzip.compress(plain, mtime=0)
    return name, plain


def _gunzip(name: str, data: bytes, limit: int) -> bytes:
    """Decompress in bounded chunks so a gzip bomb stops at `limit`, never fills memory."""
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise SegmentError(
                        "decompression",
                        f"Segment {name} unpacks to more than {limit} bytes; it was not read "
                        "(a damaged or hostile file).",
                    )
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise SegmentError(
            "decompression", f"Segment {name} is not a complete gzip file ({exc})."
        ) from None
    return b"".join(chunks)


def _footer(line: str) -> dict[str, Any] | None:
    try:
        value = _loads(line)
    except ValueError:
        return None
    if (
        isinstance(value, dict)
        and value.get("footer") is True
        and _is_int(value.get("count"))
        and value["count"] >= 0
        and isinstance(value.get("sha256"), str)
        and _HEX64.match(value["sha256"])
    ):
        return value
    return None


def _header(name: str, line: str) -> dict[str, Any]:
    def bad(why: str) -> SegmentError:
        return SegmentError("header", f"Segment {name} has an invalid header: {why}.")

    try:
        value = _loads(line)
    except ValueError:
        raise bad("the first line is not JSON") from None
    if not isinstance(value, dict):
        raise bad("the first line is not a JSON object")
    if value.get("format") != FORMAT:
        raise bad(f"it is not a {FORMAT} file")
    for key in ("format_version", "min_reader_version", "first_seq", "last_seq"):
        if not _is_int(value.get(key)) or value[key] < 1:
            raise bad(f"{key} is missing or not a positive integer")
    if value["min_reader_version"] > value["format_version"]:
        raise bad("min_reader_version is above format_version")
    if value["last_seq"] < value["first_seq"]:
        raise bad("last_seq is below first_seq")
    if not isinstance(value.get("writer"), str) or not value["writer"]:
        raise bad("the writer is missing")
    return value


def decode_segment(
    name: str,
    data: bytes,
    *,
    expected_writer: str,
    max_bytes: int = 32 * 1024 * 1024,
    max_decompressed: int = 128 * 1024 * 1024,
) -> Segment:
    """Verify and parse one segment file read from `expected_writer`'s folder.

    Never returns part of a file: any fault raises SegmentError, checked in this order:
    name, too_large, decompression, encoding, truncated, header, checksum, count,
    newer_format (NewerFormatError), seq, writer, record.
    """
    parsed = parse_name(name)
    if parsed is None:
        raise SegmentError("name", f"{name!r} is not a segment file name.")
    seq, gzipped = parsed
    if len(data) > max_bytes:
        raise SegmentError(
            "too_large", f"Segment {name} is {len(data)} bytes, over the {max_bytes}-byte limit."
        )
    raw = _gunzip(name, data, max_decompressed) if gzipped else data
    if not gzipped and len(raw) > max_decompressed:
        raise SegmentError(
            "too_large", f"Segment {name} is over the {max_decompressed}-byte limit."
        )

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.end == len(raw) and exc.reason == "unexpected end of data":
            raise SegmentError(
                "truncated", f"Segment {name} is cut short (it ends inside a character)."
            ) from None
        raise SegmentError(
            "encoding", f"Segment {name} is not UTF-8 text (byte {exc.start})."
        ) from None

    # Structure: header, records, footer, each ending in "\n" (never splitlines(): U+2028
    # and friends may appear raw inside JSON strings).
    if not text.endswith("\n"):
        raise SegmentError("truncated", f"Segment {name} is cut short (no final line end).")
    line_count = text.count("\n")  # the header, the records and the footer
    footer = _footer(text[text.rindex("\n", 0, -1) + 1 : -1]) if line_count >= 2 else None
    if footer is None:
        raise SegmentError(
            "truncated",
            f"Segment {name} does not end with its footer line: it is cut short or has data "
            "after its end.",
        )
    header = _header(name, text[: text.index("\n")])
    records_count = line_count - 2

    body_start = raw.index(b"\n") + 1
    body_end = raw.rindex(b"\n", 0, len(raw) - 1) + 1
    if hashlib.sha256(raw[body_start:body_end]).hexdigest() != footer["sha256"]:
        raise SegmentError(
            "checksum", f"Segment {name} fails its checksum: its records were changed or damaged."
        )
    span = header["last_seq"] - header["first_seq"] + 1
    if footer["count"] != records_count or span != records_count:
        raise SegmentError(
            "count",
            f"Segment {name} holds {records_count} records but says {footer['count']} "
            f"(sequence numbers {header['first_seq']}–{header['last_seq']}).",
        )
    if header["min_reader_version"] > READER_VERSION:
        raise NewerFormatError(
            f"Segment {name} was written by a newer version of CX Companion; update the app "
            "to import it and the rest of this writer's changes."
        )
    if header["first_seq"] != seq:
        raise SegmentError(
            "seq", f"Segment {name} says it starts at sequence number {header['first_seq']}."
        )
    writer = header["writer"]
    if writer != expected_writer:
        raise SegmentError(
            "writer",
            f"Segment {name} in the folder of {expected_writer} claims writer {writer}.",
        )

    records = []
    # The lines as bytes (already checked to be UTF-8): what the JSON parser reads fastest.
    for number, line in enumerate(raw[body_start:body_end].split(b"\n")[:-1], start=2):
        try:
            record = Record.from_dict(_record_value(line))
        except ValueError as exc:
            raise SegmentError(
                "record", f"Segment {name}, line {number}: not a valid record ({exc})."
            ) from None
        if record.writer != writer:
            raise SegmentError(
                "record",
                f"Segment {name}, line {number}: record {record.id} claims writer "
                f"{record.writer}, not {writer}.",
            )
        records.append(record)
    return Segment(
        writer=writer,
        first_seq=header["first_seq"],
        last_seq=header["last_seq"],
        min_reader_version=header["min_reader_version"],
        records=tuple(records),
    )
