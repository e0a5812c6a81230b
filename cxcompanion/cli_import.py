"""`cxcompanion import contacts|surveys FILE --mapping MAP`: the import command.

Its own module because the command line's main file is long enough; `cli` registers it and
turns its errors into the one line and exit status 1 every command gives.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

IMPORT_FORMATS = ("text", "json")


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "import", help="import contact history or survey results from a CSV or Excel file"
    )
    command.add_argument("what", metavar="contacts|surveys")
    command.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    command.add_argument("--mapping", metavar="MAP", help="the mapping file (JSON; see README)")
    command.add_argument(
        "--suggest",
        action="store_true",
        help="print a first mapping for FILE made from its column names, to save and edit",
    )
    command.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    command.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the good rows when some rows have problems (default: import nothing)",
    )
    command.add_argument("--sheet", metavar="NAME", help="the workbook's sheet (with --suggest)")
    command.add_argument("--format", default="text", metavar="|".join(IMPORT_FORMATS))


def run(profile: Any, args: argparse.Namespace, user_error: type[Exception]) -> int:
    from cxcompanion.domain.import_mapping import MappingError, mapping_to_dict
    from cxcompanion.services.file_import import ImportCancelled, load_mapping, preview
    from cxcompanion.services.table_readers import TableError

    if args.what not in ("contacts", "surveys"):
        raise user_error(
            f"import: {args.what!r} is not something to import; use contacts or surveys"
        )
    profile.identity  # noqa: B018  (raises NotSetUpError with the fix)
    try:
        if args.suggest:
            shown = preview(args.file, args.what, rows=0, sheet=args.sheet)
            print(json.dumps(mapping_to_dict(shown.suggested), ensure_ascii=False, indent=2))
            if shown.dropped_columns:
                names = ", ".join(repr(c) for c in shown.dropped_columns)
                print(f"Never imported (durations): {names}", file=sys.stderr)
            return 0
        if not args.mapping:
            raise user_error(
                "import: give --mapping MAP; `cxcompanion import "
                f"{args.what} FILE --suggest > map.json` writes a first one to edit"
            )
        mapping = load_mapping(args.mapping)
        report = _service(profile, args.what).run(
            args.file, mapping, dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows
        )
    except MappingError as exc:
        raise user_error(f"--mapping {args.mapping}: {exc}") from None
    except TableError as exc:
        raise user_error(str(exc)) from None
    except ImportCancelled:
        raise user_error("the import was stopped; nothing was written") from None
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report_text(report))
    if report.rejected and not args.dry_run and not report.written:
        print(
            f"cxcompanion: error: nothing was imported: {report.rejected} row(s) have problems "
            f"(listed above); fix them, or run again with --skip-bad-rows to import the "
            f"{report.good} good row(s)",
            file=sys.stderr,
        )
        return 1
    return 0


def _service(profile: Any, what: str):
    if what == "contacts":
        from cxcompanion.services.history_import import HistoryImport

        return HistoryImport(profile)
    from cxcompanion.services.survey_import import SurveyImport

    return SurveyImport(profile)


def report_text(report: Any) -> str:
    """The report for a person: counts first, then every listed problem."""
    noun = "contact" if report.kind == "contacts" else "survey answer"
    lines = [f"{report.file} ({report.source}): {report.rows:,} row(s) read"]
    lines.append(
        f"  {report.new:,} new {noun}(s), {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged"
    )
    if report.kept_others:
        lines.append(f"  {report.kept_others:,} already imported by someone else, left as they are")
    if report.kind == "surveys":
        lines.append(
            f"  {report.matched:,} matched to a contact, {len(report.unmatched_rows):,} unmatched "
            "(kept; matched again when contacts are imported)"
        )
        if report.unmatched_rows:
            lines.append("    unmatched rows: " + _rows(report.unmatched_rows))
    if report.rematched:
        lines.append(f"  {report.rematched:,} earlier survey answer(s) found their contact")
    if report.filtered:
        lines.append(f"  {report.filtered:,} row(s) left out by the mapping's filters")
    if report.not_yours:
        lines.append(
            f"  {report.not_yours:,} row(s) of colleagues left out (an agent imports their own)"
        )
    if report.empty_rows:
        lines.append(f"  {report.empty_rows:,} empty row(s) skipped")
    if report.duplicates:
        pairs = ", ".join(f"{r} (= row {s})" for r, s in report.duplicates[:10])
        more = " ..." if len(report.duplicates) > 10 else ""
        lines.append(f"  {len(report.duplicates):,} duplicate row(s) skipped: {pairs}{more}")
    if report.dropped_columns:
        names = ", ".join(repr(c) for c in report.dropped_columns)
        lines.append(f"  never imported (how long something took): {names}")
    if report.unused_columns:
        lines.append("  not mapped: " + ", ".join(repr(c) for c in report.unused_columns))
    if report.rejected:
        lines.append(f"  {report.rejected:,} row(s) rejected:")
        lines.extend(f"    {problem}" for problem in report.problems)
        if report.rejected > len({p.row for p in report.problems}):
            lines.append("    ... (the first 1,000 problems are listed)")
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
    elif report.written:
        lines.append("Imported." if report.new or report.updated else "Nothing new to import.")
    return "\n".join(lines)


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (f" ... ({len(numbers):,} in all)" if len(numbers) > 20 else "")
