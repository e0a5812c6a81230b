"""Importing customer survey results (CSAT, NPS, "was your need met?", a comment).

Each answer finds its contact by the contact id the survey tool carries (an id of ours, or
the source id a history import derived its id from) or by the customer's reference and
the date: the customer's latest contact in the days before the answer. Unmatched answers
are kept and reported, and matched again whenever contacts are imported. Survey answers are
the lead's records (DESIGN §5); each matched answer reaches the agent of its contact.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from cxcompanion.domain.ids import derived_id
from cxcompanion.domain.import_rows import RowConverter, RowProblem, RowRejected
from cxcompanion.domain.records import Envelope, utc_iso
from cxcompanion.services.file_import import FileImport, ImportReport
from cxcompanion.services.history_import import history_contact_id
from cxcompanion.store import imported
from cxcompanion.store.imported import SurveyRow

DEFAULT_MATCH_WINDOW_DAYS = 7


class SurveyImport(FileImport):
    kind = "surveys"

    def check_may_import(self) -> None:
        self._lead_only("Survey answers")

    def build(
        self,
        number: int,
        key: str,
        raw: dict[str, Any],
        converter: RowConverter,
        report: ImportReport,
    ) -> tuple[int, SurveyRow]:
        from cxcompanion.domain.redaction import mask_pii, pseudonymise

        if not {"csat", "nps", "resolved"} & set(raw):
            columns = [converter.column_of(n) for n in ("csat", "nps", "resolved")]
            named = ", ".join(repr(c) for c in columns if c)
            raise RowRejected([RowProblem(number, None, f"no answer in {named}")])
        answered = raw["answered_at"]
        if answered > self.now + timedelta(minutes=5):
            raise RowRejected(
                [
                    RowProblem(
                        number, converter.column_of("answered_at"), "the date is in the future"
                    )
                ]
            )
        reference = str(raw.get("customer_ref", "")).strip()
        answer = SurveyRow(
            envelope=Envelope(
                derived_id(self.identity.team, "survey", key), self.profile.device_id, 1, self.stamp
            ),
            answered_at=utc_iso(answered),
            contact_id=None,
            agent=None,
            customer_hash=pseudonymise(self.profile.team_secret, reference) if reference else None,
            source_contact=str(raw["contact_id"]).strip() if "contact_id" in raw else None,
            csat=raw.get("csat"),
            nps=raw.get("nps"),
            resolved=raw.get("resolved"),
            comment=mask_pii(str(raw.get("comment", "")).strip()),
        )
        return number, answer

    def write(
        self, conn, items: list[tuple[int, SurveyRow]], report: ImportReport, *, dry_run: bool
    ) -> None:
        if not items:
            return
        window = self.mapping.match_window_days
        matched = _match(conn, [a for _, a in items], self.identity.team, window)
        stored = imported.existing_surveys(conn, [a.envelope.id for _, a in items])
        writes = []
        for (number, answer), found in zip(items, matched, strict=True):
            if found is None:
                report.unmatched_rows.append(number)
            else:
                report.matched += 1
                answer = replace(answer, contact_id=found[0], agent=found[1])
            before = stored.get(answer.envelope.id)
            if before is None:
                report.new += 1
                writes.append(answer)
            elif before.writer != answer.envelope.writer:
                report.kept_others += 1
            elif before.deleted or before.content == imported.survey_content(answer):
                report.unchanged += 1
            else:
                report.updated += 1
                envelope = replace(answer.envelope, revision=before.revision + 1)
                writes.append(replace(answer, envelope=envelope))
        if not dry_run:
            imported.upsert_surveys(conn, writes)


def _match(
    conn, answers: list[SurveyRow], team: str, window_days: int
) -> list[tuple[str, str] | None]:
    """Each answer's (contact id, agent), or None: by contact id first, then by customer."""
    candidates: dict[str, list[str]] = {}
    for answer in answers:
        if answer.source_contact:
            source = answer.source_contact
            candidates[answer.envelope.id] = [source, history_contact_id(team, source)]
    by_id = imported.match_by_contact(conn, [c for ids in candidates.values() for c in ids])
    found: list[tuple[str, str] | None] = []
    for answer in answers:
        hit = next(
            ((c, by_id[c]) for c in candidates.get(answer.envelope.id, ()) if c in by_id), None
        )
        if hit is None and answer.customer_hash:
            hit = imported.match_by_customer(
                conn, answer.customer_hash, answer.answered_at, window_days
            )
        found.append(hit)
    return found


def rematch_unmatched(profile, conn, stamp: str, window_days: int | None = None) -> int:
    """Match this lead's unmatched answers again (their contacts may have arrived since);
    each newly matched one is a new revision, so it reaches its agent. Runs inside the
    caller's transaction."""
    waiting = imported.unmatched_surveys(conn, profile.device_id)
    if not waiting:
        return 0
    team = profile.identity.team
    window = window_days if window_days is not None else DEFAULT_MATCH_WINDOW_DAYS
    updates = []
    for answer, found in zip(waiting, _match(conn, waiting, team, window), strict=True):
        if found is not None:
            envelope = replace(
                answer.envelope, revision=answer.envelope.revision + 1, updated_at=stamp
            )
            updates.append(replace(answer, envelope=envelope, contact_id=found[0], agent=found[1]))
    imported.upsert_surveys(conn, updates)
    return len(updates)
