"""The demo team's survey results: a CSV as a survey tool exports it, and its mapping.

The lead imports them through the real survey import while the demo is built, and both
files stay in the demo folder, to look at or import again (which changes nothing).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from cxcompanion.domain.import_mapping import mapping_from_dict
from cxcompanion.services.file_import import ImportReport
from cxcompanion.services.profile import Profile
from cxcompanion.services.survey_import import SurveyImport

SURVEY_SEED = 20261201
SURVEY_FILE = "survey-results.csv"
MAPPING_FILE = "survey-results.cxmap.json"
ANSWER_RATE = 0.3  # of contacts whose customer answered the survey
HEADER = ["Response ID", "Submitted", "Interaction ID", "Satisfaction (1-5)",
          "Likely to recommend (0-10)", "Issue resolved?", "Comment", "Survey duration (s)",
          "Status"]  # fmt: skip
MAPPING = {
    "format": "cxcompanion-mapping",
    "version": 1,
    "kind": "surveys",
    "id_column": "Response ID",
    "timezone": "UTC",
    "fields": {
        "answered_at": {"column": "Submitted", "format": "%Y-%m-%d %H:%M"},
        "contact_id": "Interaction ID",
        "csat": "Satisfaction (1-5)",
        "nps": "Likely to recommend (0-10)",
        "resolved": {"column": "Issue resolved?", "values": {"Yes": "yes", "No": "no", "": ""}},
        "comment": "Comment",
    },
    "skip": [{"column": "Status", "values": ["Partial"]}],
}
_COMMENTS = {
    True: ["Quick and friendly, thank you.", "Sorted first time.", "She really listened.",
           "Clear explanation, no more questions.", ""],
    False: ["Still waiting for the refund.", "I had to explain everything again.",
            "Not fixed yet.", ""],
}  # fmt: skip


def write_demo_survey(lead: Profile, folder: Path, now: datetime) -> Path:
    """A survey export answering about a third of the team's contacts, in `folder`."""
    rng = random.Random(SURVEY_SEED)
    rows = []
    contacts = lead.store.conn.execute(
        "SELECT id, at, verdict, outcome FROM contacts WHERE deleted = 0 AND agent <> '' "
        "ORDER BY at, id"
    ).fetchall()
    for number, (contact_id, at, verdict, outcome) in enumerate(contacts, start=1):
        if rng.random() >= ANSWER_RATE:
            continue
        answered = datetime.fromisoformat(at.replace("Z", "+00:00")) + timedelta(
            hours=rng.randint(1, 48)
        )
        if answered > now:
            continue
        met = verdict == "yes" or (verdict != "no" and outcome == "resolved")
        if rng.random() < 0.1:
            met = not met  # customers do not always agree with the call
        csat = rng.choice([4, 5, 5, 5, 4, 3]) if met else rng.choice([1, 2, 2, 3, 3, 4])
        nps = rng.choice([9, 10, 10, 8, 7, 9]) if met else rng.choice([0, 3, 5, 6, 6, 7, 8])
        rows.append(
            [
                f"R{number:06d}",
                answered.strftime("%Y-%m-%d %H:%M"),
                contact_id,
                csat,
                nps if rng.random() < 0.8 else "",
                ("Yes" if met else "No") if rng.random() < 0.9 else "",
                rng.choice(_COMMENTS[met]),
                rng.randint(20, 200),  # never imported: how long the survey took
                "Complete" if rng.random() < 0.95 else "Partial",
            ]
        )
    path = folder / SURVEY_FILE
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    (folder / MAPPING_FILE).write_text(json.dumps(MAPPING, indent=2) + "\n", encoding="utf-8")
    return path


def import_demo_survey(lead: Profile, folder: Path, clock: Callable[[], datetime]) -> ImportReport:
    path = write_demo_survey(lead, folder, clock())
    return SurveyImport(lead, clock=clock).run(path, mapping_from_dict(MAPPING))
