"""The quick way through a history import for rows that need no message: a row's stored
columns made straight from its cells, each distinct cell (or set of coded cells) converted
and checked once per import instead of once per row.

A row this way is not sure of (a cell that does not convert, a code the taxonomy lacks, a
text over its limit, a reference that hashes to nothing) goes the row-by-row way
(RowConverter.convert, parse_contact, ContactService._build), which says what is wrong
exactly as before. Both ways give the same stored row; tests compare whole stores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from cxcompanion.domain import enums
from cxcompanion.domain.errors import ValidationError
from cxcompanion.domain.ids import derived_id, derived_ids
from cxcompanion.domain.import_mapping import DATE_FIELDS, FieldRule
from cxcompanion.domain.import_rows import RowConverter, RowRejected, cell_text
from cxcompanion.domain.records import utc_iso
from cxcompanion.domain.redaction import mask_pii, pseudonymise
from cxcompanion.domain.validation import EARLIEST, FUTURE_TOLERANCE, parse_contact

FAST_ROWS = True  # False: every row the row-by-row way (tests compare the two)
CACHE_LIMIT = 200_000  # entries of one cache; a full cache is emptied and starts again
SLOW = object()  # "take this row the row-by-row way"

_TEXTS = ("detail", "notes", "customer_ref", "idea", "agent")  # kept as typed, not coded
_LIMITS = {
    "detail": enums.DETAIL_MAX,
    "notes": enums.NOTES_MAX,
    "customer_ref": enums.CUSTOMER_REF_MAX,
}
# A stored contact row (store.contacts._CONTACT_COLUMNS) is the envelope, the agent and
# `at`, then these columns of the coded fields, with the texts and the hash in between.
Prepared = tuple[tuple[Any, ...], tuple[tuple[Any, ...], ...]]  # contact row, idea rows


class QuickRows:
    """Makes the stored rows of one import's rows; `__call__` gives a `Prepared`, None for a
    colleague's row (counted in the report), or SLOW."""

    def __init__(
        self,
        converter: RowConverter,
        *,
        taxonomy: Any,
        now: Any,
        team: str,
        writer: str,
        stamp: str,
        secret: bytes | None,
        agent_of: Callable[[int, Any], str | None],
        text_cells: bool = False,
    ):
        self.converter, self.taxonomy, self.now = converter, taxonomy, now
        self.team, self.writer, self.stamp, self.secret = team, writer, stamp, secret
        self.agent_of = agent_of
        fields = converter.mapping.fields
        index = converter._index
        self._texts: list[tuple[str, FieldRule, int | None]] = [
            (name, rule, None if rule.constant is not None or rule.values else index[rule.column])
            for name, rule in fields.items()
            if name in _TEXTS
        ]
        # Coded fields: each cell converted once (by its own cache), then each combination
        # of converted values checked once (parse_contact).
        self._coded: list[tuple[str, FieldRule, int | None, dict[Any, Any]]] = [
            (name, rule, None if rule.column is None else index[rule.column], {})
            for name, rule in fields.items()
            if name not in _TEXTS and name not in DATE_FIELDS
        ]
        self._checked: dict[Any, Any] = {}
        # ... and in a CSV file (only text cells), each combination of coded cells once.
        self._text_cells = text_cells
        self._coded_positions = [p for _n, _r, p, _c in self._coded if p is not None]
        self._last_coded = max(self._coded_positions, default=-1)
        self._combinations: dict[tuple[Any, ...], Any] = {}
        self._dates = [(n, r) for n, r in fields.items() if n in DATE_FIELDS]
        self._agent_cache: dict[Any, Any] = {}
        self._hash_cache: dict[str, Any] = {}
        self._fixed_at = None if "at" in fields else utc_iso(now)
        self._latest = now + FUTURE_TOLERANCE
        self._id_column = converter.mapping.id_column
        self._contact_id = derived_ids(team, "contact")  # history_contact_id

    def __call__(self, number: int, key: str, values: Sequence[Any], report: Any) -> Any:
        width = len(values)
        texts: dict[str, str] = {}
        for name, rule, position in self._texts:
            if position is not None:
                value = values[position] if position < width else None
                if type(value) is str:
                    text = value.strip()
                elif isinstance(value, timedelta):
                    return SLOW
                else:
                    text = cell_text(value)
            else:
                try:
                    text = self.converter._field(name, rule, values)
                except ValueError:
                    return SLOW
                if text is None:
                    continue
            if text != "":
                texts[name] = text
        has_idea = "idea" in texts
        if self._text_cells and width > self._last_coded:  # CSV: every cell is text
            combination = (has_idea, *[values[p] for p in self._coded_positions])
            coded = self._combinations.get(combination, self._combinations)
            if coded is self._combinations:
                coded = self._remember(
                    self._combinations, combination, self._coded_of(values, width, has_idea)
                )
        else:
            coded = self._coded_of(values, width, has_idea)
        if coded is SLOW:
            return SLOW
        at = self._fixed_at if self._fixed_at is not None else self._moment(values)
        if at is SLOW:
            return SLOW
        if self._id_column and not self.converter.source_id(values):
            return SLOW  # "the id is empty"
        agent = texts.get("agent")
        person = self._agent_cache.get(agent, self._agent_cache)
        if person is self._agent_cache:
            person = self._remember(self._agent_cache, agent, self._agent(number, agent))
        if person is SLOW:
            return SLOW
        if person is None:
            report.not_yours += 1
            return None
        for name, limit in _LIMITS.items():
            if len(texts.get(name, "")) > limit:
                return SLOW
        reference = texts.get("customer_ref", "").strip()
        customer_hash = None
        if reference:
            customer_hash = self._hash_cache.get(reference)
            if customer_hash is None:
                customer_hash = self._remember(
                    self._hash_cache, reference, self._pseudonym(reference)
                )
            if customer_hash is SLOW:
                return SLOW
        contact_id = self._contact_id(key)
        ideas: tuple[tuple[Any, ...], ...] = ()
        if has_idea:
            text = texts["idea"]
            if not text.strip() or len(text) > enums.IDEA_MAX:
                return SLOW
            idea_id = derived_id(contact_id, "idea", "0")
            ideas = ((idea_id, self.writer, 1, self.stamp, contact_id, mask_pii(text.strip()),
                      coded[-1]),)  # fmt: skip
        channel, purpose, outcome, verdict, *rest = coded[:-1]
        row = (
            contact_id, self.writer, 1, self.stamp, 0, person, at, channel, purpose,
            mask_pii(texts.get("detail", "").strip()), outcome, verdict, rest[0], rest[1],
            customer_hash, *rest[2:], mask_pii(texts.get("notes", "").strip()),
        )  # fmt: skip
        return row, ideas

    def _coded_of(self, values: Sequence[Any], width: int, has_idea: bool) -> Any:
        converted: list[Any] = [has_idea]
        for name, rule, position, cache in self._coded:
            cell = values[position] if position is not None and position < width else None
            found = cache.get(cell if type(cell) is str else (type(cell), cell), cache)
            if found is cache:
                found = self._convert(cache, name, rule, cell)
            if found is SLOW:
                return SLOW
            converted.append(found)
        checked = tuple(converted)
        coded = self._checked.get(checked, self._checked)
        if coded is self._checked:
            coded = self._remember(self._checked, checked, self._code(converted))
        return coded

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any) -> Any:
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[key] = value
        return value

    def _convert(self, cache: dict[Any, Any], name: str, rule: FieldRule, cell: Any) -> Any:
        """A coded cell converted (a list as a tuple, to be part of a key), or SLOW."""
        try:
            value = self.converter._field(name, rule, [cell] * len(self.converter._index))
        except ValueError:
            value = SLOW
        if isinstance(value, list):
            value = tuple(value)
        key = cell if type(cell) is str else (type(cell), cell)  # 1, 1.0 and True differ
        return self._remember(cache, key, value)

    def _code(self, converted: list[Any]) -> Any:
        """The coded columns of a contact (and its idea's area last), or SLOW."""
        has_idea = converted[0]
        raw = {
            name: value
            for (name, _rule, _position, _cache), value in zip(
                self._coded, converted[1:], strict=True
            )
            if value is not None and value != ""
        }
        area = raw.pop("idea_area", None)
        if has_idea:
            raw["ideas"] = [{"text": "idea", "area": area if area is not None else "other"}]
        try:
            typed = parse_contact(raw, self.taxonomy, self.now)
        except ValidationError:
            return SLOW
        return (
            typed.channel.value, typed.purpose, typed.outcome.value, typed.verdict.value,
            typed.prior_contacts, ",".join(c.value for c in typed.prior_channels),
            int(typed.cancel_intent), typed.cancel_reason,
            None if typed.stayed is None else int(typed.stayed), typed.mood_start,
            typed.mood_end, typed.ideas[0].area if has_idea else None,
        )  # fmt: skip

    def _moment(self, values: Sequence[Any]) -> Any:
        """`at` as stored (utc_iso: years from 2000 on have four digits), or SLOW."""
        at = SLOW
        for name, rule in self._dates:
            try:
                moment = self.converter._moment(rule, values)
            except ValueError:
                return SLOW
            if name == "at":
                if not EARLIEST <= moment <= self._latest:
                    return SLOW
                at = moment.isoformat(timespec="seconds")[:19] + "Z"
        return at

    def _agent(self, number: int, agent: str | None) -> Any:
        try:
            person = self.agent_of(number, agent)
        except RowRejected:
            return SLOW
        return SLOW if person == "" else person

    def _pseudonym(self, reference: str) -> Any:
        try:
            return pseudonymise(self.secret, reference)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return SLOW
