"""Turns what a person typed (form or command line) into a ContactInput, or field errors.

Every message says what is wrong and what would be right, because it is shown as-is next
to the field in the window and as the one line the command line prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cxcompanion.domain import enums
from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.errors import ValidationError
from cxcompanion.domain.records import ContactInput, IdeaInput
from cxcompanion.domain.taxonomy import Taxonomy

# A contact logged "in the future" is a clock or typing slip; allow a little clock skew.
FUTURE_TOLERANCE = timedelta(minutes=5)
EARLIEST = datetime(2000, 1, 1).astimezone()


def parse_contact(raw: Mapping[str, Any], taxonomy: Taxonomy, now: datetime) -> ContactInput:
    """Check every field of `raw` and return the typed contact; raise ValidationError.

    `raw` holds strings (or already typed values); absent optional fields take defaults.
    All errors are collected, not just the first, so a form can mark every bad field.
    """
    errors: dict[str, str] = {}
    channel = _choice(raw.get("channel"), Channel, "channel", errors)
    outcome = _choice(raw.get("outcome"), Outcome, "outcome", errors)
    verdict = _choice(raw.get("verdict"), Verdict, "verdict", errors)
    purpose = _text(raw.get("purpose")).strip()
    if not purpose:
        errors["purpose"] = "Choose the customer's purpose (type a few letters to search)."
    elif taxonomy.purpose(purpose) is None:
        errors["purpose"] = (
            f"{purpose!r} is not a purpose code of the team taxonomy; "
            "list them with `cxcompanion taxonomy`."
        )
    at = _moment(raw.get("at"), now, errors)
    detail = _limited(raw.get("detail"), "detail", enums.DETAIL_MAX, errors)
    notes = _limited(raw.get("notes"), "notes", enums.NOTES_MAX, errors)
    customer_ref = _limited(raw.get("customer_ref"), "customer_ref", enums.CUSTOMER_REF_MAX, errors)

    prior = _integer(raw.get("prior_contacts"), 0, "prior_contacts", errors)
    if prior is not None and not 0 <= prior <= enums.PRIOR_MAX:
        errors["prior_contacts"] = (
            f"Earlier contacts must be a whole number from 0 to {enums.PRIOR_MAX}, not {prior}."
        )
    prior_channels = _channels(raw.get("prior_channels") or (), errors)
    if prior == 0 and prior_channels:
        errors["prior_channels"] = (
            "Channels of earlier contacts only apply when the customer contacted us before; "
            "set the number of earlier contacts or clear the channels."
        )

    mood_start = _mood(raw.get("mood_start"), "mood_start", errors)
    mood_end = _mood(raw.get("mood_end"), "mood_end", errors)
    ideas = _ideas(raw.get("ideas") or (), taxonomy, errors)

    cancel_intent = bool(raw.get("cancel_intent"))
    cancel_reason = _text(raw.get("cancel_reason")).strip() or None
    stayed = _yes_no(raw.get("stayed"), "stayed", errors)
    if cancel_reason is not None or stayed is not None:
        cancel_intent = True
    if cancel_intent:
        reasons = ", ".join(t.code for t in taxonomy.cancel_reasons)
        if cancel_reason is None:
            errors["cancel_reason"] = f"Choose why the customer wants to cancel: {reasons}."
        elif taxonomy.cancel_reason(cancel_reason) is None:
            errors["cancel_reason"] = (
                f"{cancel_reason!r} is not a cancel reason; choose one of {reasons}."
            )
        if stayed is None and "stayed" not in errors:
            errors["stayed"] = "Say whether the customer stayed (yes or no)."

    if errors:
        raise ValidationError(errors)
    return ContactInput(
        at=at,
        channel=channel,
        purpose=purpose,
        outcome=outcome,
        verdict=verdict,
        detail=detail,
        prior_contacts=prior or 0,
        prior_channels=prior_channels,
        customer_ref=customer_ref.strip(),
        ideas=ideas,
        cancel_intent=cancel_intent,
        cancel_reason=cancel_reason,
        stayed=stayed,
        mood_start=mood_start,
        mood_end=mood_end,
        notes=notes,
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _choice(value: Any, enum: type[Any], name: str, errors: dict[str, str]) -> Any:
    codes = enum.codes()
    text = _text(value).strip()
    if not text:
        errors[name] = f"Choose the {name}: {', '.join(codes)}."
        return None
    try:
        return enum(text)
    except ValueError:
        errors[name] = f"{text!r} is not a {name}; choose one of {', '.join(codes)}."
        return None


def _limited(value: Any, name: str, limit: int, errors: dict[str, str]) -> str:
    text = _text(value)
    if len(text) > limit:
        errors[name] = f"Keep this under {limit} characters (it has {len(text)})."
    return text


def _integer(value: Any, default: int, name: str, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        errors[name] = "Give a whole number."
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        errors[name] = f"{value!r} is not a whole number."
        return None


def _mood(value: Any, name: str, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    scale = ", ".join(f"{k} ({v.lower()})" for k, v in enums.MOOD_LABELS.items())
    mood = _integer(value, 0, name, {})
    if mood is None or not enums.MOOD_MIN <= mood <= enums.MOOD_MAX:
        errors[name] = f"Mood {value!r} is off the scale; use {scale}."
        return None
    return mood


def _yes_no(value: Any, name: str, errors: dict[str, str]) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    errors[name] = f"{value!r} is not an answer here; use yes or no."
    return None


def _channels(values: Iterable[Any], errors: dict[str, str]) -> tuple[Channel, ...]:
    channels: list[Channel] = []
    for value in values:
        text = _text(value).strip()
        try:
            channel = Channel(text)
        except ValueError:
            errors["prior_channels"] = (
                f"{text!r} is not a channel; choose from {', '.join(Channel.codes())}."
            )
            continue
        if channel not in channels:
            channels.append(channel)
    return tuple(channels)


def _ideas(
    values: Iterable[Any], taxonomy: Taxonomy, errors: dict[str, str]
) -> tuple[IdeaInput, ...]:
    ideas = []
    areas = ", ".join(t.code for t in taxonomy.product_areas)
    for position, value in enumerate(values):
        if isinstance(value, IdeaInput):
            text, area = value.text, value.area
        else:
            text, area = _text(value.get("text")), _text(value.get("area")).strip()
        key = f"ideas.{position}"
        if not text.strip():
            errors[f"{key}.text"] = "Write the customer's idea in their words, or remove it."
        elif len(text) > enums.IDEA_MAX:
            errors[f"{key}.text"] = f"Keep an idea under {enums.IDEA_MAX} characters."
        if not area:
            area = "other"
        if taxonomy.product_area(area) is None:
            errors[f"{key}.area"] = f"{area!r} is not a product area; choose one of {areas}."
        ideas.append(IdeaInput(text.strip(), area))
    return tuple(ideas)


def _moment(value: Any, now: datetime, errors: dict[str, str]) -> datetime:
    if value is None or value == "":
        return now
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            errors["at"] = (
                f"{value!r} is not an ISO-8601 date and time; "
                "write it like 2026-11-23T14:05 or 2026-11-23."
            )
            return now
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a time without zone is the agent's local time
    if moment > now + FUTURE_TOLERANCE:
        errors["at"] = "That time is in the future; a contact is logged after it happens."
    elif moment < EARLIEST:
        errors["at"] = "That date is before the year 2000; check the year."
    return moment
