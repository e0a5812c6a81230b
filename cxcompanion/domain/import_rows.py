"""One source row through a mapping: the raw fields of a contact or a survey answer, or the
row's problems, each naming the column and what is wrong.

Values come as the readers give them: text from CSV, text/numbers/dates from a workbook.
Pure: the taxonomy and the time zone come in as arguments.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.import_mapping import DATE_FIELDS, FieldRule, ImportMapping
from cxcompanion.domain.taxonomy import Taxonomy

# Spellings a date column may use when the mapping gives no format (ISO-8601 is tried first).
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y/%m/%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d %b %Y %H:%M", "%d %b %Y", "%b %d %Y", "%d/%m/%y",
    "%m/%d/%y",
)  # fmt: skip
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p")
_YES = frozenset({"yes", "y", "true", "1", "ja", "oui", "si", "sí", "x"})
_NO = frozenset({"no", "n", "false", "0", "nein", "non"})
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)(?:[.,]0+)?\b")


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str | None  # None: the row as a whole (or a constant of the mapping)
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


class RowRejected(Exception):
    def __init__(self, problems: list[RowProblem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without '.0', dates in ISO form, blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()


def row_key(values: Sequence[Any]) -> str:
    """A stable key of a row without an id column: a hash of its cells as text."""
    digest = hashlib.sha256("\x1f".join(cell_text(v) for v in values).encode("utf-8"))
    return digest.hexdigest()[:32]


class RowConverter:
    """Turns rows of one file into raw field dicts (for domain.validation) by a mapping."""

    def __init__(
        self,
        mapping: ImportMapping,
        columns: Sequence[str],
        taxonomy: Taxonomy,
        zone: tzinfo | None,
    ):
        self.mapping = mapping
        self.taxonomy = taxonomy
        self.zone = zone
        self._index = {name: i for i, name in enumerate(columns)}
        self._purposes = {t.label.casefold(): t.code for t in taxonomy.purposes}
        self._purposes.update({t.code.casefold(): t.code for t in taxonomy.purposes})
        self._cancel = {t.label.casefold(): t.code for t in taxonomy.cancel_reasons}
        self._cancel.update({t.code.casefold(): t.code for t in taxonomy.cancel_reasons})
        self._areas = {t.label.casefold(): t.code for t in taxonomy.product_areas}
        self._areas.update({t.code.casefold(): t.code for t in taxonomy.product_areas})

    def skipped(self, values: Sequence[Any]) -> bool:
        """Whether a row filter of the mapping leaves this row out."""
        for row_filter in self.mapping.skip:
            hit = self._cell(values, row_filter.column).casefold() in row_filter.values
            if hit != row_filter.keep:
                return True
        return False

    def source_id(self, values: Sequence[Any]) -> str | None:
        if not self.mapping.id_column:
            return None
        return self._cell(values, self.mapping.id_column) or None

    def convert(self, number: int, values: Sequence[Any]) -> dict[str, Any]:
        """The raw fields of the row; RowRejected with every problem found."""
        problems: list[RowProblem] = []
        raw: dict[str, Any] = {}
        for name, rule in self.mapping.fields.items():
            try:
                value = self._field(name, rule, values)
            except ValueError as exc:
                problems.append(RowProblem(number, rule.column, str(exc)))
                continue
            if value is not None and value != "":
                raw[name] = value
        if self.mapping.id_column and not self.source_id(values):
            problems.append(RowProblem(number, self.mapping.id_column, "the id is empty"))
        if problems:
            raise RowRejected(problems)
        return raw

    def column_of(self, name: str) -> str | None:
        rule = self.mapping.fields.get(name)
        return None if rule is None else rule.column

    # -- one field ------------------------------------------------------------------------

    def _cell(self, values: Sequence[Any], column: str) -> str:
        position = self._index[column]
        return cell_text(values[position]) if position < len(values) else ""

    def _raw(self, values: Sequence[Any], column: str) -> Any:
        position = self._index[column]
        return values[position] if position < len(values) else None

    def _field(self, name: str, rule: FieldRule, values: Sequence[Any]) -> Any:
        if name in DATE_FIELDS:
            return self._moment(rule, values)
        if rule.constant is not None:
            text = rule.constant
        else:
            value = self._raw(values, rule.column)
            if isinstance(value, timedelta):  # an elapsed-time cell, whatever the column
                raise ValueError(
                    "the cell holds a duration; CX Companion never imports how long "
                    "anything took (map another column)"
                )
            text = cell_text(value)
        if rule.values and (text or "" in rule.values):  # "" maps blank cells
            # A value the map does not list is read as it is ("Phone" stays a channel when
            # only "E-mail" needed mapping); if it means nothing, its error says to map it.
            text = rule.values.get(text.casefold(), text)
        if not text:
            return None
        return self._typed(name, text)

    def _typed(self, name: str, text: str) -> Any:
        if name in ("channel", "outcome", "verdict"):
            enum = {"channel": Channel, "outcome": Outcome, "verdict": Verdict}[name]
            code = re.sub(r"[\s-]+", "_", text.strip().casefold())
            if name == "verdict" and code in _YES | _NO:
                code = "yes" if code in _YES else "no"
            if code not in enum.codes():
                raise ValueError(
                    f"{text!r} is not {'an' if name == 'outcome' else 'a'} {name}; use one of "
                    f"{', '.join(enum.codes())} "
                    f"or map it in fields.{name}.values"
                )
            return code
        if name == "purpose":
            return self._purposes.get(text.casefold(), text)
        if name == "cancel_reason":
            return self._cancel.get(text.casefold(), text)
        if name == "idea_area":
            return self._areas.get(text.casefold(), text)
        if name in ("stayed", "resolved"):
            folded = text.casefold()
            if folded in _YES:
                return True
            if folded in _NO:
                return False
            raise ValueError(f"{text!r} is not yes or no; map it in fields.{name}.values")
        if name == "prior_channels":
            return [p.strip() for p in re.split(r"[,;|/]", text) if p.strip()]
        if name in ("csat", "nps", "prior_contacts", "mood_start", "mood_end"):
            return self._integer(name, text)
        return text

    @staticmethod
    def _integer(name: str, text: str) -> int:
        match = _LEADING_INT.match(text)  # "5", "5.0", "5 - very satisfied"
        if match is None:
            raise ValueError(f"{text!r} is not a whole number")
        number = int(match.group(1))
        low, high = {"csat": (1, 5), "nps": (0, 10)}.get(name, (None, None))
        if low is not None and not low <= number <= high:
            raise ValueError(f"{number} is off the {low}–{high} scale of {name.upper()}")
        return number

    def _moment(self, rule: FieldRule, values: Sequence[Any]) -> datetime | None:
        if rule.constant is not None:
            raise ValueError("a date cannot be a constant; map the date column")
        value = self._raw(values, rule.column)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("the date is empty; every row needs one")
        moment = _parse_date(value, rule.format)
        if rule.time_column:
            clock = _parse_time(self._raw(values, rule.time_column), rule.time_format)
            if clock is None:
                raise ValueError(
                    f"the time in column {rule.time_column!r} is empty or not a time of day"
                )
            moment = datetime.combine(moment.date(), clock)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone) if self.zone else moment.astimezone()
        return moment.astimezone(timezone.utc)


def _parse_date(value: Any, fmt: str | None) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is a number, not a date; format the column as a date")
    return _parse_date_text(str(value).strip(), fmt)


@lru_cache(maxsize=65536)  # a file repeats its dates: strptime is slow, the answer is not
def _parse_date_text(text: str, fmt: str | None) -> datetime:
    if fmt:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            raise ValueError(f"{text!r} does not match the date format {fmt!r}") from None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise ValueError(
        f"{text!r} is not a date this import reads; give its format in the mapping "
        '(for example "format": "%d/%m/%Y %H:%M")'
    )


def _parse_time(value: Any, fmt: str | None) -> time | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, float) and 0 <= value < 1:  # a time cell read as a day fraction
        seconds = round(value * 86400)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return _parse_time_text(str(value).strip(), fmt)


@lru_cache(maxsize=90_000)  # every second of a day fits
def _parse_time_text(text: str, fmt: str | None) -> time | None:
    for candidate in (fmt,) if fmt else _TIME_FORMATS:
        try:
            return datetime.strptime(text, candidate).time()
        except ValueError:
            continue
    return None


def guess_date_format(samples: Sequence[Any]) -> str | None:
    """The first format of DATE_FORMATS that reads every non-blank text sample, or None
    (ISO-8601 text and workbook dates need none). Day-first wins a tie with month-first
    unless a sample proves otherwise (a 13th month)."""
    texts = [s.strip() for s in samples if isinstance(s, str) and s.strip()]
    if not texts:
        return None
    try:
        for text in texts:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        return None
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            for text in texts:
                datetime.strptime(text, fmt)
        except ValueError:
            continue
        return fmt
    return None


_TIME_NAMES = frozenset({"time", "starttime", "calltime", "timeofday", "hour", "contacttime"})


def refine_suggestion(
    mapping: ImportMapping, columns: Sequence[str], rows: Sequence[Sequence[Any]]
):
    """A suggested mapping with what the first rows tell: the date columns' format, and a
    separate time-of-day column to combine with a date-only column."""
    from dataclasses import replace

    fields = dict(mapping.fields)
    index = {name: i for i, name in enumerate(columns)}
    taken = set(mapping.used_columns())
    for name in ("at", "answered_at"):
        rule = fields.get(name)
        if rule is None or not rule.column:
            continue
        samples = [r[index[rule.column]] for r in rows if index[rule.column] < len(r)]
        fmt = guess_date_format(samples)
        time_column = None
        if fmt is not None and "%H" not in fmt and "%I" not in fmt:
            time_column = next(
                (c for c in columns if c not in taken and re.sub(r"[^a-z]", "", c.casefold())
                 in _TIME_NAMES),
                None,
            )  # fmt: skip
        fields[name] = replace(rule, format=fmt, time_column=time_column)
    return replace(mapping, fields=fields)
