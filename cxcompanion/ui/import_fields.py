"""Our fields as the Map step names them, and what the import reads a value of one as.

The reading goes through the import's own row converter, so what the window accepts and what
the import does are decided by the same rules.
"""

from __future__ import annotations

from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.import_mapping import FieldRule, ImportMapping
from cxcompanion.domain.import_rows import RowConverter, RowRejected
from cxcompanion.domain.taxonomy import Taxonomy

CODED = ("channel", "outcome", "verdict", "purpose", "cancel_reason", "idea_area", "stayed",
         "resolved")  # fmt: skip
MAX_VALUES = 60  # different values of a column offered for translation; more: free text
FIELD_LABELS = {
    "at": "Date", "channel": "Channel", "purpose": "Purpose", "outcome": "Outcome",
    "verdict": "Customer says need met?", "detail": "Detail", "customer_ref": "Customer",
    "prior_contacts": "Earlier contacts", "prior_channels": "Earlier channels",
    "cancel_reason": "Cancel reason", "stayed": "Stayed", "mood_start": "Mood at start",
    "mood_end": "Mood at end", "idea": "Idea", "idea_area": "Idea area", "notes": "Notes",
    "agent": "Agent", "answered_at": "Answered on", "contact_id": "Contact id",
    "csat": "CSAT", "nps": "NPS", "resolved": "Customer says need met?", "comment": "Comment",
}  # fmt: skip


def codes_for(name: str, taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """Our codes of a coded field, each with the words a person reads."""
    if name in ("channel", "outcome", "verdict"):
        enum = {"channel": Channel, "outcome": Outcome, "verdict": Verdict}[name]
        return [(m.value, m.label) for m in enum]
    if name == "purpose":
        return [(t.code, taxonomy.purpose_display(t.code)) for t in taxonomy.purposes]
    if name == "cancel_reason":
        return [(t.code, t.label) for t in taxonomy.cancel_reasons]
    if name == "idea_area":
        return [(t.code, t.label) for t in taxonomy.product_areas]
    return [("yes", "Yes"), ("no", "No")]


def convert(kind: str, name: str, rule: FieldRule, columns, values, taxonomy: Taxonomy):
    """Field `name` of one row as the import reads it; ValueError with the import's words."""
    mapping = ImportMapping(kind, {name: rule})
    try:
        value = RowConverter(mapping, columns, taxonomy, None).convert(0, values).get(name)
    except RowRejected as exc:
        raise ValueError(exc.problems[0].message) from None
    known = {
        "purpose": taxonomy.purpose,
        "cancel_reason": taxonomy.cancel_reason,
        "idea_area": taxonomy.product_area,
    }.get(name)
    if known is not None and value is not None and known(value) is None:
        raise ValueError(f"{value!r} is not a {FIELD_LABELS[name].lower()} of the team's list")
    return value


def read_as(kind: str, name: str, text: str, taxonomy: Taxonomy):
    """What the import reads `text` in field `name` as; ValueError if it cannot."""
    return convert(kind, name, FieldRule(column="value"), ("value",), (text,), taxonomy)


def value_problem(kind: str, name: str, text: str, taxonomy: Taxonomy) -> str | None:
    """Why the import would not understand `text` in field `name` (None: it would)."""
    try:
        read_as(kind, name, text, taxonomy)
    except ValueError as exc:
        return str(exc)
    return None
