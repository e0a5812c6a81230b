"""`cxcompanion export report DIR`: the report as CSV files and one SQLite file, in a folder.

Its own module like `cli_import`; `cli` registers it and turns its errors into the one line
and exit status 1 every command gives.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

EXPORT_FORMATS = ("text", "json")


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "export",
        help="write a report (CSV files and one SQLite file) into a folder: a lead's holds "
        "the team's records, an agent's their own",
    )
    command.add_argument("what", metavar="report")
    command.add_argument(
        "dir",
        metavar="DIR",
        help="the folder to write into: created if missing; empty, or an earlier report's",
    )
    command.add_argument("--format", default="text", metavar="|".join(EXPORT_FORMATS))


def run(profile: Any, args: argparse.Namespace, user_error: type[Exception]) -> int:
    from cxcompanion.services.report_export import ExportError, export_report

    if args.what != "report":
        raise user_error(f"export: {args.what!r} is not something to export; use report")
    if args.format not in EXPORT_FORMATS:
        raise user_error(
            f"--format {args.format!r} is not available; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    profile.identity  # noqa: B018  (raises NotSetUpError with the fix)
    try:
        summary = export_report(profile, args.dir)
    except ExportError as exc:
        raise user_error(str(exc)) from None
    if args.format == "json":
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(summary_text(summary))
    return 0


def summary_text(summary: Any) -> str:
    """What was written, for a person: one line per file with its rows."""
    whose = "the whole team" if summary.scope == "team" else f"{summary.scope}'s own records"
    lines = [f"Report of team {summary.team} ({whose}) written to {summary.folder}:"]
    for table, rows in summary.rows:
        lines.append(f"  {table + '.csv':<20} {rows:>10,} row{'' if rows == 1 else 's'}")
    lines.append(f"  {'report.sqlite3':<20} the same {len(summary.rows)} tables, and report_info")
    if summary.period_start:
        lines.append(f"Contacts from {summary.period_start} to {summary.period_end} (local dates).")
    else:
        lines.append("No contacts to report yet (the files hold their header rows).")
    return "\n".join(lines)
