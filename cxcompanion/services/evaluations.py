"""Evaluating contacts on the team's scorecard, and calibration between leads.

One evaluation per contact and evaluator (scoring again is a new revision of it); points
per dimension are stored with it, so quality on My feedback and the report need no
scorecard at hand. The scorecard is versioned: an evaluation keeps the version it used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cxcompanion import resources
from cxcompanion.domain.enums import Role
from cxcompanion.domain.ids import derived_id
from cxcompanion.domain.records import utc_iso
from cxcompanion.domain.scorecard import (
    CriterionSpread,
    Scorecard,
    ScorecardError,
    calibration,
    check_scores,
    dimension_points,
)
from cxcompanion.services.profile import Profile, ProfileError
from cxcompanion.store import workspace
from cxcompanion.store.errors import NotFoundError

COMMENT_MAX = 2000


def _now() -> datetime:
    return datetime.now(timezone.utc)


def load_scorecard(profile: Profile) -> Scorecard:
    """The team's scorecard: the one a lead saved in the profile, else the default one."""
    saved = profile.store.meta("scorecard")
    try:
        if saved:
            return Scorecard.from_dict(json.loads(saved))
        source = resources.path("scorecards/default.json")
        return Scorecard.from_dict(json.loads(source.read_text(encoding="utf-8")))
    except (ValueError, ScorecardError) as exc:
        raise ProfileError(f"The scorecard cannot be read: {exc}") from None


@dataclass(frozen=True)
class Evaluation:
    id: str
    contact_id: str
    agent: str
    evaluator: str
    scorecard: str
    scorecard_version: int
    scores: Mapping[str, int | None]
    technical: tuple[int, int]  # earned, possible
    emotional: tuple[int, int]
    comment: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "contact_id": self.contact_id, "agent": self.agent,
            "evaluator": self.evaluator, "scorecard": self.scorecard,
            "scorecard_version": self.scorecard_version, "scores": dict(self.scores),
            "technical": {"earned": self.technical[0], "possible": self.technical[1]},
            "emotional": {"earned": self.emotional[0], "possible": self.emotional[1]},
            "comment": self.comment, "at": self.at,
        }  # fmt: skip


class EvaluationService:
    def __init__(self, profile: Profile, clock: Callable[[], datetime] = _now):
        self.profile = profile
        self.clock = clock
        self.identity = profile.identity

    @property
    def scorecard(self) -> Scorecard:
        return load_scorecard(self.profile)

    def set_scorecard(self, data: Any) -> Scorecard:
        """Make `data` the team's scorecard (lead), as the next version: with a shared folder
        it goes into the team file, so every lead scores on it from their next sync.
        Evaluations keep the version they were made with."""
        if self.identity.role is not Role.LEAD:
            raise ProfileError("The team's scorecard is set by the team lead.", "role")
        try:
            card = Scorecard.from_dict(data)
        except ScorecardError as exc:
            raise ProfileError(f"The scorecard cannot be used: {exc}", "scorecard") from None
        from dataclasses import replace

        card = replace(card, version=max(card.version, self.scorecard.version + 1))
        if self.identity.share:
            from cxcompanion.services.sync import SyncService

            SyncService(self.profile).change_settings(scorecard=card.to_dict())
        else:
            self.profile.store.set_meta({"scorecard": json.dumps(card.to_dict(), sort_keys=True)})
        return card

    def evaluate(
        self, contact_id: str, raw_scores: Mapping[str, Any], comment: str = ""
    ) -> Evaluation:
        """Score a contact (every criterion: points or "na"); ValidationError per criterion."""
        if self.identity.role is not Role.LEAD:
            raise ProfileError("Contacts are evaluated by the team lead.", "role")
        from cxcompanion.domain.errors import ValidationError
        from cxcompanion.domain.redaction import mask_pii

        row = self.profile.store.conn.execute(
            "SELECT agent FROM contacts WHERE id = ? AND deleted = 0 AND agent <> ''",
            (contact_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"There is no contact {contact_id}; list them with `cxcompanion contacts`."
            )
        if len(comment) > COMMENT_MAX:
            raise ValidationError({"comment": f"Keep the comment under {COMMENT_MAX} characters."})
        card = self.scorecard
        scores = check_scores(card, raw_scores)
        points = dimension_points(card, scores)
        stamp = utc_iso(self.clock())
        evaluation_id = derived_id(self.identity.team, "evaluation", contact_id, self.identity.name)
        workspace.write(
            self.profile.store, "evaluations", evaluation_id,
            {"contact_id": contact_id, "agent": row[0], "evaluator": self.identity.name,
             "scorecard": card.id, "scorecard_version": card.version,
             "scores": json.dumps(scores, sort_keys=True),
             "technical_earned": points["technical"].earned,
             "technical_possible": points["technical"].possible,
             "emotional_earned": points["emotional"].earned,
             "emotional_possible": points["emotional"].possible,
             "comment": mask_pii(comment.strip()), "at": stamp},
            writer=self.profile.device_id, stamp=stamp,
        )  # fmt: skip
        return self.for_contact(contact_id)[self.identity.name]

    def for_contact(self, contact_id: str) -> dict[str, Evaluation]:
        """Every evaluation of a contact, by evaluator."""
        found = workspace.rows(
            self.profile.store, "evaluations", "contact_id = ?", (contact_id,), order="evaluator"
        )
        return {row["evaluator"]: _evaluation(row) for row in found}

    def of_agent(self, agent: str) -> list[Evaluation]:
        found = workspace.rows(self.profile.store, "evaluations", "agent = ?", (agent,), "at DESC")
        return [_evaluation(row) for row in found]

    def calibration(self, contact_id: str) -> list[CriterionSpread]:
        """Where the leads who scored this contact differ, criterion by criterion."""
        evaluations = self.for_contact(contact_id)
        if not evaluations:
            raise NotFoundError(f"Contact {contact_id} has no evaluations yet.")
        return calibration(self.scorecard, [(e.evaluator, e.scores) for e in evaluations.values()])


def _evaluation(row: dict[str, Any]) -> Evaluation:
    return Evaluation(
        id=row["id"], contact_id=row["contact_id"], agent=row["agent"],
        evaluator=row["evaluator"] or "", scorecard=row["scorecard"] or "",
        scorecard_version=row["scorecard_version"] or 0,
        scores=json.loads(row["scores"] or "{}"),
        technical=(row["technical_earned"] or 0, row["technical_possible"] or 0),
        emotional=(row["emotional_earned"] or 0, row["emotional_possible"] or 0),
        comment=row["comment"] or "", at=row["at"] or row["updated_at"],
    )  # fmt: skip
