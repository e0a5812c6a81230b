"""How the columns of a spreadsheet or CSV file become our fields: the mapping file's format,
its checks, and a first suggestion made from the column names.

A mapping is a small JSON document (README, "Importing history and surveys") so a team can
keep it beside its exports and reuse it every month. Pure data: no files are read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FORMAT = "cxcompanion-mapping"
VERSION = 1
KINDS = ("contacts", "surveys")

# Our fields and what each holds, per kind (the order is the order of the preview).
CONTACT_FIELDS: Mapping[str, str] = {
    "at": "when the contact happened (date, or date and time)",
    "channel": "phone, chat, email, messaging, social, in_person",
    "purpose": "the customer's purpose: a purpose code or label of the team taxonomy",
    "outcome": "resolved, partly_resolved, not_resolved, escalated, follow_up, ...",
    "verdict": "the customer's own answer: yes, no, unsure, not_asked",
    "detail": "a few words on what the customer needed",
    "customer_ref": "the customer's reference (stored only as a keyed hash)",
    "prior_contacts": "how many earlier contacts the customer reported",
    "prior_channels": "channels of those earlier contacts (comma-separated)",
    "cancel_reason": "why the customer wanted to cancel (a cancel reason code)",
    "stayed": "whether a customer who wanted to cancel stayed (yes / no)",
    "mood_start": "mood at the start, -2 .. 2",
    "mood_end": "mood at the end, -2 .. 2",
    "idea": "a customer's idea, in their words",
    "idea_area": "the idea's product area",
    "notes": "anything else",
    "agent": "who took the contact (a lead's import: a person of the roster)",
}
SURVEY_FIELDS: Mapping[str, str] = {
    "answered_at": "when the customer answered the survey",
    "contact_id": "the contact the survey is about (its id in the source system)",
    "customer_ref": "the customer's reference, to match a contact by customer and date",
    "csat": "satisfaction, 1 .. 5",
    "nps": "likelihood to recommend, 0 .. 10",
    "resolved": "the customer's answer to 'was your need met?' (yes / no)",
    "comment": "the customer's comment, verbatim",
}
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "contacts": ("at", "channel", "purpose", "outcome", "verdict"),
    "surveys": ("answered_at",),
}
DATE_FIELDS = frozenset({"at", "answered_at"})


class MappingError(ValueError):
    """A mapping that cannot be used; `where` names the place in the file (fields.purpose)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class FieldRule:
    """Where one of our fields comes from: a column (with a value map) or a constant."""

    column: str | None = None
    constant: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)  # keys compared casefolded
    format: str | None = None  # strptime format of a date column, e.g. "%d/%m/%Y"
    time_column: str | None = None  # a separate time-of-day column to combine with the date
    time_format: str | None = None

    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.column, self.time_column) if c)


@dataclass(frozen=True)
class RowFilter:
    """Skip rows whose `column` holds one of `values` (or, with keep, all other rows)."""

    column: str
    values: tuple[str, ...]
    keep: bool = False


@dataclass(frozen=True)
class ImportMapping:
    kind: str
    fields: Mapping[str, FieldRule]
    id_column: str | None = None  # a stable id of the source; else a hash of the row
    skip: tuple[RowFilter, ...] = ()
    agents: Mapping[str, str] = field(default_factory=dict)  # source name -> roster person
    timezone: str | None = None  # IANA zone of times without one; None: this computer's
    match_window_days: int = 7  # surveys: how long after a contact its survey may come
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1

    def used_columns(self) -> tuple[str, ...]:
        found: list[str] = []
        for rule in self.fields.values():
            found.extend(rule.columns())
        found.extend(f.column for f in self.skip)
        if self.id_column:
            found.append(self.id_column)
        return tuple(dict.fromkeys(found))


# -- the file format ------------------------------------------------------------------------


def mapping_from_dict(data: Any) -> ImportMapping:
    """Read a mapping as parsed from JSON; MappingError says exactly what to fix where."""
    if not isinstance(data, dict):
        raise MappingError("", "a mapping is a JSON object; see the README for an example")
    if data.get("format", FORMAT) != FORMAT:
        raise MappingError("format", f"this is not a CX Companion mapping (expected {FORMAT!r})")
    version = data.get("version", VERSION)
    if not isinstance(version, int) or version > VERSION:
        raise MappingError("version", f"{version!r} is newer than this app reads; update the app")
    kind = data.get("kind")
    if kind not in KINDS:
        raise MappingError("kind", f"{kind!r} is not a kind of import; use one of {KINDS}")
    known = CONTACT_FIELDS if kind == "contacts" else SURVEY_FIELDS
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict):
        raise MappingError("fields", "give an object of our field names -> columns")
    fields: dict[str, FieldRule] = {}
    for name, spec in raw_fields.items():
        if name not in known:
            raise MappingError(
                f"fields.{name}", f"not a field of a {kind} import; use {', '.join(known)}"
            )
        fields[name] = _rule(f"fields.{name}", spec, date=name in DATE_FIELDS)
    for name in REQUIRED[kind]:
        if name not in fields:
            raise MappingError(f"fields.{name}", "missing: map a column to it, or give a constant")
    if kind == "surveys":
        if not {"csat", "nps", "resolved"} & set(fields):
            raise MappingError("fields", "map at least one of csat, nps and resolved")
        if not {"contact_id", "customer_ref"} & set(fields):
            raise MappingError(
                "fields", "map contact_id or customer_ref, so answers can find their contacts"
            )
    skip = tuple(_filter(f"skip.{i}", f) for i, f in enumerate(_list(data, "skip")))
    agents = data.get("agents", {})
    if not isinstance(agents, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in agents.items()
    ):
        raise MappingError("agents", "give an object of names in the file -> roster names")
    window = data.get("match_window_days", 7)
    if not isinstance(window, int) or isinstance(window, bool) or not 0 <= window <= 90:
        raise MappingError("match_window_days", "give a whole number of days from 0 to 90")
    source = data.get("source", {})
    if not isinstance(source, dict):
        raise MappingError("source", "give an object (sheet, encoding, delimiter, header_row)")
    header_row = source.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise MappingError("source.header_row", "give the row number of the header, 1 or more")
    delimiter = _optional_text(source, "delimiter", "source.delimiter")
    if delimiter is not None and len(delimiter) != 1:
        raise MappingError("source.delimiter", "give one character, such as , or ; or \\t")
    return ImportMapping(
        kind=kind,
        fields=fields,
        id_column=_optional_text(data, "id_column", "id_column"),
        skip=skip,
        agents={k.strip().casefold(): v.strip() for k, v in agents.items()},
        timezone=_optional_text(data, "timezone", "timezone"),
        match_window_days=window,
        sheet=_optional_text(source, "sheet", "source.sheet"),
        encoding=_optional_text(source, "encoding", "source.encoding"),
        delimiter=delimiter,
        header_row=header_row,
    )


def mapping_to_dict(mapping: ImportMapping) -> dict[str, Any]:
    """The JSON form of a mapping, shortest spelling first (a plain column is a string)."""
    fields: dict[str, Any] = {}
    for name, rule in mapping.fields.items():
        spec = {
            key: value
            for key, value in (
                ("column", rule.column),
                ("constant", rule.constant),
                ("values", dict(rule.values)),
                ("format", rule.format),
                ("time_column", rule.time_column),
                ("time_format", rule.time_format),
            )
            if value
        }
        fields[name] = spec["column"] if list(spec) == ["column"] else spec
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "kind": mapping.kind}
    source = {
        key: value
        for key, value in (
            ("sheet", mapping.sheet),
            ("encoding", mapping.encoding),
            ("delimiter", mapping.delimiter),
            ("header_row", mapping.header_row if mapping.header_row != 1 else None),
        )
        if value
    }
    if source:
        data["source"] = source
    if mapping.id_column:
        data["id_column"] = mapping.id_column
    data["fields"] = fields
    if mapping.skip:
        data["skip"] = [
            {"column": f.column, "values": list(f.values), **({"keep": True} if f.keep else {})}
            for f in mapping.skip
        ]
    if mapping.agents:
        data["agents"] = dict(mapping.agents)
    if mapping.timezone:
        data["timezone"] = mapping.timezone
    if mapping.kind == "surveys":
        data["match_window_days"] = mapping.match_window_days
    return data


def check_columns(mapping: ImportMapping, columns: Iterable[str]) -> None:
    """MappingError naming the first column the mapping needs and the file lacks."""
    present = list(columns)
    for name, rule in mapping.fields.items():
        for key, column in (("column", rule.column), ("time_column", rule.time_column)):
            if column and column not in present:
                raise MappingError(f"fields.{name}.{key}", _no_column(column, present))
    for number, row_filter in enumerate(mapping.skip):
        if row_filter.column not in present:
            raise MappingError(f"skip.{number}.column", _no_column(row_filter.column, present))
    if mapping.id_column and mapping.id_column not in present:
        raise MappingError("id_column", _no_column(mapping.id_column, present))


def _no_column(column: str, present: list[str]) -> str:
    shown = ", ".join(repr(c) for c in present[:12]) + (" ..." if len(present) > 12 else "")
    return f"the file has no column {column!r}; its columns are {shown}"


def _rule(where: str, spec: Any, *, date: bool) -> FieldRule:
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        raise MappingError(where, "give a column name, or an object with column or constant")
    unknown = set(spec) - {"column", "constant", "values", "format", "time_column", "time_format"}
    if unknown:
        raise MappingError(where, f"unknown key {sorted(unknown)[0]!r}")
    column = _optional_text(spec, "column", f"{where}.column")
    constant = spec.get("constant")
    if constant is not None and not isinstance(constant, (str, int)):
        raise MappingError(f"{where}.constant", "give the value as text or a number")
    constant = None if constant is None else str(constant)
    if (column is None) == (constant is None):
        raise MappingError(where, "give either a column or a constant (one of them)")
    values = spec.get("values", {})
    if not isinstance(values, dict) or not all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in values.values()
    ):
        raise MappingError(f"{where}.values", "give an object of values in the file -> ours")
    formats = {
        key: _optional_text(spec, key, f"{where}.{key}")
        for key in ("format", "time_column", "time_format")
    }
    if not date and any(formats.values()):
        raise MappingError(where, "format and time_column belong to date fields only")
    return FieldRule(
        column=column,
        constant=constant,
        values={str(k).strip().casefold(): str(v) for k, v in values.items()},
        format=formats["format"],
        time_column=formats["time_column"],
        time_format=formats["time_format"],
    )


def _filter(where: str, spec: Any) -> RowFilter:
    if not isinstance(spec, dict):
        raise MappingError(where, 'give an object like {"column": "Answered", "values": ["N"]}')
    column = _optional_text(spec, "column", f"{where}.column")
    values = spec.get("values")
    if isinstance(values, str):
        values = [values]
    if column is None or not isinstance(values, list) or not values:
        raise MappingError(where, "give the column and the list of values of rows to skip")
    keep = spec.get("keep", False)
    if not isinstance(keep, bool):
        raise MappingError(f"{where}.keep", "give true or false")
    return RowFilter(column, tuple(str(v).strip().casefold() for v in values), keep)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise MappingError(key, "give a list")
    return value


def _optional_text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or (key != "delimiter" and not value.strip()):
        raise MappingError(where, "give a text value")
    return value if key == "delimiter" else value.strip()


# -- principle 1: nothing timed ---------------------------------------------------------------

_UNIT = r"[ _-]?(time|length|secs?|seconds|mins?|minutes|duration)\b"
_DURATION = re.compile(
    r"duration|\baht\b|\basa\b|\bacw\b|elapsed|\blength\b|hh:mm(:ss)?|mm:ss"
    r"|(\bhandle|handling)"
    + _UNIT
    + r"|\btalk|\bhold\b|hold"
    + _UNIT
    + r"|wrap[ _-]?(up)?"
    + _UNIT
    + r"|after[ _-]?call[ _-]?work"
    r"|speed[ _-]?of[ _-]?answer|time[ _-]?to[ _-]?(answer|resol|respond|reply|close)"
    r"|(ring|queue|wait|response|resolution|idle|work|answer|reply)"
    + _UNIT
    + r"|\((s|sec|secs|seconds|min|mins|minutes)\)|\b(in[ _-]?)?(seconds|minutes|secs|mins)\b",
    re.IGNORECASE,
)


def is_duration_column(name: str) -> bool:
    """A column that carries how long something took (talk time, handle time, speed of
    answer...): never imported (DESIGN principle 1). A time of day is not a duration."""
    return bool(_DURATION.search(name.replace("_", " ")))


def duration_columns(columns: Iterable[str]) -> tuple[str, ...]:
    return tuple(c for c in columns if is_duration_column(c))


# -- suggestions ----------------------------------------------------------------------------

# Column names seen in telephony, ticketing and survey exports, per field (normalised:
# casefolded, with anything but letters and digits removed).
_NAMES: Mapping[str, tuple[str, ...]] = {
    "at": ("date", "datetime", "timestamp", "calldate", "contactdate", "started", "start",
           "created", "createdat", "opened", "when", "at", "dateandtime", "startdate"),
    "channel": ("channel", "medium", "media", "source", "contacttype", "type"),
    "purpose": ("purpose", "topic", "reason", "category", "contactreason", "callreason",
                "subject", "disposition", "issuetype", "intent"),
    "outcome": ("outcome", "result", "status", "resolution", "wrapcode"),
    "verdict": ("verdict", "customerverdict", "needmet", "resolvedcustomer",
                "customersaysresolved", "customerconfirmed"),
    "detail": ("detail", "details", "description", "summary"),
    "customer_ref": ("customer", "customerid", "customerref", "customernumber", "account",
                     "accountid", "accountnumber", "client", "clientid", "caller"),
    "prior_contacts": ("prior", "priorcontacts", "previouscontacts", "repeatcount"),
    "prior_channels": ("priorchannels", "previouschannels"),
    "cancel_reason": ("cancelreason", "cancellationreason", "churnreason"),
    "stayed": ("stayed", "retained", "saved"),
    "mood_start": ("moodstart", "startmood", "sentimentstart"),
    "mood_end": ("moodend", "endmood", "sentimentend"),
    "idea": ("idea", "suggestion", "feedbackidea", "customeridea"),
    "idea_area": ("ideaarea", "productarea", "area"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
    "agent": ("agent", "agentname", "user", "employee", "owner", "handledby", "assignee"),
    "answered_at": ("date", "answeredat", "responsedate", "submitted", "submittedat",
                    "surveydate", "completed", "timestamp", "datetime"),
    "contact_id": ("contactid", "callid", "ticketid", "ticket", "interactionid",
                   "conversationid", "caseid"),
    "csat": ("csat", "satisfaction", "csatscore", "rating", "score"),
    "nps": ("nps", "npsscore", "recommend", "likelihoodtorecommend"),
    "resolved": ("resolved", "issueresolved", "wasresolved", "needmet", "fcr"),
    "comment": ("comment", "comments", "verbatim", "feedback", "remarks", "text"),
}  # fmt: skip
_ID_NAMES = ("id", "callid", "contactid", "ticketid", "interactionid", "caseid", "recordid")
_SURVEY_ID_NAMES = ("responseid", "surveyid", "answerid", "id")


def _normal(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def suggest_mapping(kind: str, columns: Iterable[str]) -> ImportMapping:
    """A first mapping from the column names alone; the person checks it in the preview.

    Duration columns are never suggested. Required fields no column matched are left out,
    so the mapping fails its checks until someone maps them (a guess would import nonsense).
    """
    if kind not in KINDS:
        raise MappingError("kind", f"{kind!r} is not a kind of import; use one of {KINDS}")
    known = CONTACT_FIELDS if kind == "contacts" else SURVEY_FIELDS
    usable = [c for c in columns if not is_duration_column(c)]
    taken: set[str] = set()
    fields: dict[str, FieldRule] = {}
    for name in known:
        for column in usable:
            if column not in taken and _normal(column) in _NAMES.get(name, ()):
                fields[name] = FieldRule(column=column)
                taken.add(column)
                break
    if kind == "contacts" and "channel" not in fields:
        fields["channel"] = FieldRule(constant="phone")
    if kind == "contacts" and "verdict" not in fields:
        fields["verdict"] = FieldRule(constant="not_asked")
    id_names = _ID_NAMES if kind == "contacts" else _SURVEY_ID_NAMES
    id_column = next((c for c in usable if _normal(c) in id_names and c not in taken), None)
    ordered = {name: fields[name] for name in known if name in fields}
    return ImportMapping(kind=kind, fields=ordered, id_column=id_column)
