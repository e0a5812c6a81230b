"""The demo team's lead workspace: evaluations, coaching notes and idea decisions by the
lead, and the agents' answers, made through the real services so every page has content."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from cxcompanion.services.coaching import CoachingService
from cxcompanion.services.evaluations import EvaluationService
from cxcompanion.services.ideas_board import IdeasService
from cxcompanion.services.profile import Profile

WORKSPACE_SEED = 20261202
EVALUATIONS_PER_AGENT = 12  # enough for a quality score (a rate needs 10)
_NOTES = [
    {"theme": "", "strengths": "You stayed calm and named the customer's frustration.",
     "growth_area": "Ask whether the need was met before closing the contact.",
     "commitment": "Ask the question on every contact this week."},
    {"theme": "Customers who want to cancel",
     "strengths": "Good listening: the reasons you log are precise.",
     "growth_area": "Let the customer finish before offering a retention deal.",
     "commitment": "Try the 'listen, then talk' order on the next five."},
    {"theme": "Repeat contacts about deliveries",
     "strengths": "Clear explanations of where the parcel is.",
     "growth_area": "Give the customer the next step so they need not call back.",
     "commitment": "Close delivery contacts with what happens next."},
]  # fmt: skip
_DECISIONS = [
    ("adopted", "In the next app release, thank you!"),
    ("planned", "On the roadmap for the spring."),
    ("under_review", "The product team is looking at it."),
    ("declined", "Not for now: the supplier cannot do it yet. Thanks for passing it on."),
]


def fill_demo_workspace(
    lead: Profile, agents: Sequence[Profile], clock: Callable[[], datetime], sync: Callable
) -> None:
    """Evaluate, coach and decide as the lead; acknowledge and reply as the agents."""
    rng = random.Random(WORKSPACE_SEED)
    evaluations = EvaluationService(lead, clock=clock)
    card = evaluations.scorecard
    coaching = CoachingService(lead, clock=clock)
    today = clock().date()
    conn = lead.store.conn
    for number, agent in enumerate(agents):
        name = agent.identity.name
        contacts = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM contacts WHERE agent = ? AND deleted = 0 ORDER BY at DESC LIMIT 40",
                (name,),
            )
        ]
        for contact_id in rng.sample(contacts, min(EVALUATIONS_PER_AGENT, len(contacts))):
            scores = {}
            for c in card.criteria:
                if c.na_allowed and rng.random() < 0.5:
                    scores[c.id] = "na"
                else:
                    scores[c.id] = max(0, c.points - rng.choice([0, 0, 0, 1, 1, 2]))
            evaluations.evaluate(contact_id, scores)
        for position, template in enumerate(_NOTES[: 2 + number % 2]):
            follow_up = today + timedelta(days=rng.choice([-2, 5, 9, 14]))
            coaching.write_note(
                name,
                contact_id=contacts[position] if not template["theme"] and contacts else None,
                theme=template["theme"] or ("" if contacts else "A recent contact"),
                strengths=template["strengths"],
                growth_area=template["growth_area"],
                commitment=template["commitment"],
                follow_up=follow_up.isoformat(),
            )
    board = IdeasService(lead, clock=clock)
    for idea in board.ideas():
        if rng.random() < 0.55:
            status, note = rng.choice(_DECISIONS)
            board.decide(idea.id, status, note)
    sync(lead)
    for agent in agents:
        sync(agent)
        answers = CoachingService(agent, clock=clock)
        for position, note in enumerate(answers.notes()):
            if position == 0:
                continue  # the newest stays unread, as after a lead's latest note
            answers.acknowledge(note.id)
            if position == 1:
                answers.reply(note.id, "Thanks, I will try that this week.")
        sync(agent)
