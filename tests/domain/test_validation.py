from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from cxcompanion import resources
from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.domain.validation import ValidationError, parse_contact

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.from_dict(json.loads(resources.path("taxonomy/default.json").read_text()))


def raw(**changes):
    base = {"channel": "chat", "purpose": "billing.refund", "outcome": "resolved", "verdict": "yes"}
    base.update(changes)
    return base


def errors_of(taxonomy, **changes):
    with pytest.raises(ValidationError) as info:
        parse_contact(raw(**changes), taxonomy, NOW)
    return info.value.errors


def test_a_minimal_contact_is_typed_with_defaults(taxonomy):
    contact = parse_contact(raw(), taxonomy, NOW)
    assert contact.channel is Channel.CHAT
    assert contact.outcome is Outcome.RESOLVED
    assert contact.verdict is Verdict.YES
    assert contact.at == NOW
    assert contact.prior_contacts == 0
    assert contact.ideas == ()
    assert contact.cancel_intent is False


def test_every_missing_required_field_is_reported_at_once(taxonomy):
    with pytest.raises(ValidationError) as info:
        parse_contact({}, taxonomy, NOW)
    assert set(info.value.errors) == {"channel", "purpose", "outcome", "verdict"}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("channel", "fax", ["'fax' is not a channel", "phone, chat, email"]),
        ("outcome", "done", ["not a outcome", "resolved", "info_only"]),
        ("verdict", "maybe", ["yes, no, unsure, not_asked"]),
        ("purpose", "billing.nope", ["not a purpose code", "cxcompanion taxonomy"]),
        ("mood_start", "7", ["off the scale", "-2 (very upset)", "2 (delighted)"]),
        ("mood_end", "-3", ["off the scale"]),
        ("mood_end", "happy", ["off the scale"]),
        ("at", "23/11/2026", ["not an ISO-8601", "2026-11-23T14:05"]),
        ("at", "2026-13-01", ["not an ISO-8601"]),
        ("prior_contacts", "two", ["not a whole number"]),
        ("prior_contacts", "-1", ["from 0 to 50"]),
        ("notes", "x" * 4001, ["under 4000 characters"]),
    ],
)
def test_bad_values_name_the_problem_and_the_valid_choices(taxonomy, field, value, words):
    errors = errors_of(taxonomy, **{field: value})
    assert list(errors) == [field]
    for word in words:
        assert word in errors[field]


def test_a_contact_in_the_future_is_refused_but_clock_skew_is_tolerated(taxonomy):
    assert "at" in errors_of(taxonomy, at=(NOW + timedelta(hours=1)).isoformat())
    later = parse_contact(raw(at=(NOW + timedelta(minutes=2)).isoformat()), taxonomy, NOW)
    assert later.at > NOW


def test_a_time_without_zone_is_local_time(taxonomy):
    contact = parse_contact(raw(at="2026-11-20T09:30"), taxonomy, NOW)
    assert contact.at.tzinfo is not None
    assert contact.at.astimezone().hour == 9


def test_prior_channels_need_prior_contacts_and_are_deduplicated(taxonomy):
    assert "prior_channels" in errors_of(taxonomy, prior_channels=["email"])
    contact = parse_contact(
        raw(prior_contacts="2", prior_channels=["email", "chat", "email"]), taxonomy, NOW
    )
    assert contact.prior_contacts == 2
    assert contact.prior_channels == (Channel.EMAIL, Channel.CHAT)
    assert "prior_channels" in errors_of(taxonomy, prior_contacts=1, prior_channels=["fax"])


def test_ideas_need_text_and_a_known_area(taxonomy):
    errors = errors_of(
        taxonomy,
        ideas=[
            {"text": "dark mode", "area": "mobile_app"},
            {"text": " ", "area": ""},
            {"text": "x", "area": "moon"},
        ],
    )
    assert set(errors) == {"ideas.1.text", "ideas.2.area"}
    contact = parse_contact(raw(ideas=[{"text": " dark mode ", "area": ""}]), taxonomy, NOW)
    assert contact.ideas[0].text == "dark mode"
    assert contact.ideas[0].area == "other"


def test_cancellation_needs_a_reason_and_whether_the_customer_stayed(taxonomy):
    errors = errors_of(taxonomy, cancel_intent=True)
    assert set(errors) == {"cancel_reason", "stayed"}
    errors = errors_of(taxonomy, cancel_reason="price")
    assert set(errors) == {"stayed"}
    assert (
        "not a cancel reason"
        in errors_of(taxonomy, cancel_reason="x", stayed="no")["cancel_reason"]
    )
    assert "yes or no" in errors_of(taxonomy, cancel_reason="price", stayed="perhaps")["stayed"]
    contact = parse_contact(raw(cancel_reason="price", stayed="yes"), taxonomy, NOW)
    assert contact.cancel_intent is True
    assert contact.stayed is True


def test_the_taxonomy_has_30_to_40_purposes_in_groups(taxonomy):
    assert 30 <= len(taxonomy.purposes) <= 40
    groups = {t.group for t in taxonomy.purposes}
    assert {
        "billing",
        "orders",
        "technical",
        "account",
        "complaints",
        "information",
        "cancellation",
    } <= groups
    assert taxonomy.is_cancellation("cancellation.cancel_subscription")
    assert not taxonomy.is_cancellation("billing.refund")
    assert [t.code for t in taxonomy.search_purposes("charged tw")] == ["billing.double_charge"]
    assert taxonomy.purpose_display("billing.refund") == "Billing › Refund request"
