"""A throw-away demo profile with about eight weeks of varied, realistic contacts.

The content comes from a fixed seed, so every demo shows the same story: mostly resolved
contacts, some repeat customers, a few cancellations (some saved), ideas now and then.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from cxcompanion import resources
from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile

DEMO_SEED = 20261123
_CHANNEL_WEIGHTS = {
    Channel.PHONE: 45,
    Channel.CHAT: 25,
    Channel.EMAIL: 15,
    Channel.MESSAGING: 8,
    Channel.SOCIAL: 4,
    Channel.IN_PERSON: 3,
}
_OUTCOME_WEIGHTS = {
    Outcome.RESOLVED: 55,
    Outcome.PARTLY_RESOLVED: 10,
    Outcome.NOT_RESOLVED: 6,
    Outcome.ESCALATED: 7,
    Outcome.FOLLOW_UP: 8,
    Outcome.TRANSFERRED: 4,
    Outcome.INFO_ONLY: 10,
}


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_contacts(
    profile: Profile, *, weeks: int = 8, seed: int = DEMO_SEED, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The raw contacts of a demo agent, oldest first (each as the form would give it)."""
    rng = random.Random(seed)
    phrases = json.loads(resources.path("demo/phrases.json").read_text(encoding="utf-8"))
    taxonomy = profile.taxonomy
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    start = (now - timedelta(weeks=weeks)).replace(hour=0, minute=0, second=0)
    customers = [f"CUST-{rng.randint(100000, 999999)}" for _ in range(260)]
    recent: list[tuple[datetime, str, str]] = []
    contacts: list[dict[str, Any]] = []
    day = start
    while day < now:
        if day.weekday() < 5:
            for _ in range(rng.randint(9, 16)):
                at = day + timedelta(hours=8, minutes=rng.randint(0, 9 * 60))
                if at >= now - timedelta(minutes=10):
                    continue
                contacts.append(_one(rng, taxonomy, phrases, customers, recent, at))
        day += timedelta(days=1)
    contacts.sort(key=lambda c: c["at"])
    return contacts


def _one(rng, taxonomy, phrases, customers, recent, at) -> dict[str, Any]:
    # About one contact in eight is the same customer coming back about the same need.
    if recent and rng.random() < 0.12:
        _, customer, purpose = rng.choice(recent[-40:])
        prior = rng.choice([1, 1, 2])
    else:
        customer = rng.choice(customers) if rng.random() < 0.85 else ""
        purpose = rng.choice(taxonomy.purposes).code
        prior = rng.choices([0, 1, 2, 3], weights=[78, 14, 6, 2])[0]
    group = taxonomy.purpose(purpose).group
    outcome = _pick(rng, _OUTCOME_WEIGHTS)
    if group == "information" and rng.random() < 0.6:
        outcome = Outcome.INFO_ONLY
    if outcome in (Outcome.RESOLVED, Outcome.INFO_ONLY):
        verdict = rng.choices(list(Verdict), weights=[78, 6, 8, 8])[0]
    else:
        verdict = rng.choices(list(Verdict), weights=[15, 45, 25, 15])[0]
    start_mood = rng.choices([-2, -1, 0, 1], weights=[12, 30, 45, 13])[0]
    if group == "complaints":
        start_mood = min(start_mood, rng.choice([-2, -1]))
    lift = rng.choices([-1, 0, 1, 2], weights=[6, 38, 40, 16])[0]
    raw: dict[str, Any] = {
        "at": at.isoformat(),
        "channel": _pick(rng, _CHANNEL_WEIGHTS).value,
        "purpose": purpose,
        "detail": rng.choice(phrases["details"][purpose]),
        "outcome": outcome.value,
        "verdict": verdict.value,
        "prior_contacts": prior,
        "prior_channels": sorted({rng.choice(Channel.codes()) for _ in range(prior)}),
        "customer_ref": customer,
        "mood_start": start_mood if rng.random() < 0.9 else None,
        "mood_end": max(-2, min(2, start_mood + lift)) if rng.random() < 0.9 else None,
        "notes": rng.choice(phrases["notes"]),
        "ideas": [],
    }
    if rng.random() < 0.08:
        text, area = rng.choice(phrases["ideas"])
        raw["ideas"].append({"text": text, "area": area})
    if group == "cancellation" or rng.random() < 0.02:
        raw["cancel_intent"] = True
        raw["cancel_reason"] = rng.choice(taxonomy.cancel_reasons).code
        raw["stayed"] = rng.random() < 0.4
    if customer:
        recent.append((at, customer, purpose))
    return raw


def fill_demo_profile(profile: Profile, *, now: datetime | None = None) -> int:
    """Set up `profile` as a demo agent and log the demo history; returns how many."""
    if not profile.is_set_up:
        profile.set_up("Demo Agent", "Demo Team", "agent")
    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    raws = demo_contacts(profile, now=moment)
    service = ContactService(profile, clock=lambda: moment)
    service.log_many(raws)
    return len(raws)
