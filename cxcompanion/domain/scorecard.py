"""Scorecards: criteria in two dimensions (technical proficiency, emotional connection), a
contact's evaluation on them, and calibration (where several leads' scores differ)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cxcompanion.domain.errors import ValidationError

DIMENSIONS = ("technical", "emotional")
DIMENSION_LABELS = {"technical": "Technical proficiency", "emotional": "Emotional connection"}


class ScorecardError(ValueError):
    """A scorecard definition that cannot be used; the message says what and where."""


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    dimension: str
    points: int
    na_allowed: bool = False
    guide: str = ""


@dataclass(frozen=True)
class Scorecard:
    id: str
    version: int
    title: str
    criteria: tuple[Criterion, ...]

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    @classmethod
    def from_dict(cls, data: Any) -> Scorecard:
        if not isinstance(data, dict):
            raise ScorecardError("a scorecard is a JSON object")
        try:
            criteria = tuple(
                Criterion(
                    id=str(c["id"]),
                    label=str(c["label"]),
                    dimension=str(c["dimension"]),
                    points=int(c["points"]),
                    na_allowed=bool(c.get("na_allowed", False)),
                    guide=str(c.get("guide", "")),
                )
                for c in data["criteria"]
            )
            card = cls(str(data["id"]), int(data["version"]), str(data["title"]), criteria)
        except (KeyError, TypeError, ValueError) as exc:
            raise ScorecardError(f"the scorecard lacks or mistypes {exc}") from None
        ids = [c.id for c in criteria]
        if len(set(ids)) != len(ids) or not ids:
            raise ScorecardError("criteria need unique ids, and at least one criterion")
        for c in criteria:
            if c.dimension not in DIMENSIONS:
                raise ScorecardError(f"criterion {c.id}: dimension must be one of {DIMENSIONS}")
            if not 1 <= c.points <= 10:
                raise ScorecardError(f"criterion {c.id}: points must be 1 to 10")
        return card

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "criteria": [
                {"id": c.id, "label": c.label, "dimension": c.dimension, "points": c.points,
                 "na_allowed": c.na_allowed, "guide": c.guide}
                for c in self.criteria
            ],
        }  # fmt: skip


@dataclass(frozen=True)
class Points:
    """Points earned and possible in one dimension (criteria marked N/A left out)."""

    earned: int = 0
    possible: int = 0

    @property
    def share(self) -> float | None:
        return self.earned / self.possible if self.possible else None


def check_scores(card: Scorecard, raw: Mapping[str, Any]) -> dict[str, int | None]:
    """Scores for every criterion (None = N/A), or ValidationError naming each bad one.

    `raw` maps criterion ids to points (int or digits) or "na"; every criterion must be
    scored, so an evaluation never silently counts a forgotten criterion as zero.
    """
    errors: dict[str, str] = {}
    scores: dict[str, int | None] = {}
    for unknown in sorted(set(raw) - {c.id for c in card.criteria}):
        errors[unknown] = (
            f"{unknown!r} is not a criterion of scorecard {card.id} v{card.version}; "
            f"its criteria are {', '.join(c.id for c in card.criteria)}."
        )
    for c in card.criteria:
        value = raw.get(c.id)
        if value is None or value == "":
            errors[c.id] = f"Score {c.id!r} (0 to {c.points}{', or na' if c.na_allowed else ''})."
            continue
        if isinstance(value, str) and value.strip().casefold() in ("na", "n/a"):
            if not c.na_allowed:
                errors[c.id] = f"{c.id!r} applies to every contact; give 0 to {c.points}."
            else:
                scores[c.id] = None
            continue
        try:
            points = int(str(value).strip())
        except ValueError:
            errors[c.id] = f"{value!r} is not a number of points for {c.id!r} (0 to {c.points})."
            continue
        if not 0 <= points <= c.points:
            errors[c.id] = f"{c.id!r} takes 0 to {c.points} points, not {points}."
            continue
        scores[c.id] = points
    if errors:
        raise ValidationError(errors)
    return scores


def dimension_points(card: Scorecard, scores: Mapping[str, int | None]) -> dict[str, Points]:
    """Points per dimension of one evaluation (DESIGN §3: N/A criteria left out)."""
    totals = {d: Points() for d in DIMENSIONS}
    for c in card.criteria:
        value = scores.get(c.id)
        if value is None:
            continue
        old = totals[c.dimension]
        totals[c.dimension] = Points(old.earned + value, old.possible + c.points)
    return totals


@dataclass(frozen=True)
class CriterionSpread:
    """How the leads who scored one contact scored one criterion."""

    criterion: Criterion
    scores: Mapping[str, int | None]  # evaluator -> points (None: N/A)

    @property
    def differs(self) -> bool:
        return len(set(self.scores.values())) > 1

    @property
    def spread(self) -> int:
        given = [v for v in self.scores.values() if v is not None]
        return max(given) - min(given) if given else 0


def calibration(
    card: Scorecard, evaluations: Sequence[tuple[str, Mapping[str, int | None]]]
) -> list[CriterionSpread]:
    """Per criterion, every evaluator's score; the ones that differ come first, the widest
    spread first, so a calibration session starts where the leads disagree."""
    rows = [
        CriterionSpread(c, {evaluator: scores.get(c.id) for evaluator, scores in evaluations})
        for c in card.criteria
    ]
    order = {c.id: i for i, c in enumerate(card.criteria)}
    return sorted(rows, key=lambda r: (not r.differs, -r.spread, order[r.criterion.id]))
