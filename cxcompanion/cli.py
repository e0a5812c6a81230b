"""The command line: the same services as the window, for headless use and scripting.

Bad input ends with exit status 1 and one line on stderr saying what is wrong and how to
fix it; a traceback is only ever shown for a bug.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from cxcompanion import __version__
from cxcompanion.domain.enums import Role
from cxcompanion.domain.errors import ValidationError
from cxcompanion.store.errors import StoreError

if TYPE_CHECKING:
    from cxcompanion.domain.records import Contact

# Modules only the subcommands need are imported inside them: opening the window goes
# through this file, and start-up time is a feature.

PROG = "cxcompanion"


class UserError(Exception):
    """Bad input from the command line; the message is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse's default prints the whole usage and exits 2; we promise one line and 1.
        hint = f"; see `{self.prog} --help`"
        raise UserError(message + hint)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="CX Companion: log why customers contact you and whether their need was "
        "met. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="profile folder (default: $CXCOMPANION_PROFILE or the platform's app-data folder)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="use a throw-away profile filled with demo contacts"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    init = commands.add_parser("init", help="set up this profile (name, team, role, share)")
    init.add_argument("--name", required=True)
    init.add_argument("--team", required=True)
    init.add_argument("--role", required=True, metavar="|".join(Role.codes()))
    init.add_argument("--share", metavar="DIR", help="the team's shared folder (optional)")

    taxonomy = commands.add_parser("taxonomy", help="purpose codes, cancel reasons, areas")
    taxonomy.add_argument("--format", default="table", metavar="table|json")

    log = commands.add_parser("log", help="log a contact; prints its id")
    log.add_argument("--channel", required=True, metavar="CH")
    log.add_argument("--purpose", required=True, metavar="CODE")
    log.add_argument("--outcome", required=True, metavar="OUT")
    log.add_argument("--verdict", required=True, metavar="V")
    log.add_argument("--detail", default="")
    log.add_argument("--prior", default="0", metavar="N", help="earlier contacts reported")
    log.add_argument("--prior-channel", action="append", default=[], metavar="CH")
    log.add_argument("--customer", default="", metavar="REF", help="stored only as a hash")
    log.add_argument("--idea", action="append", default=[], metavar="TEXT")
    log.add_argument(
        "--idea-area", action="append", default=[], metavar="AREA", help="one per --idea"
    )
    log.add_argument("--cancel-reason", metavar="CODE")
    log.add_argument("--stayed", metavar="yes|no")
    log.add_argument("--mood-start", metavar="M", help="-2 (very upset) .. 2 (delighted)")
    log.add_argument("--mood-end", metavar="M")
    log.add_argument("--notes", default="")
    log.add_argument("--at", metavar="ISO-8601", help="when it happened (default: now)")

    feedback = commands.add_parser("feedback", help="your quality feedback (never timed)")
    feedback.add_argument("--weeks", default="12", metavar="N", help="period (default 12)")
    feedback.add_argument("--format", default="text", metavar="text|json")

    contacts = commands.add_parser(
        "contacts", help="list or search your contacts (a lead: the team's)"
    )
    contacts.add_argument("--search", default="", metavar="TEXT")
    contacts.add_argument(
        "--agent", metavar="NAME", help="a lead's profile: only this agent's contacts"
    )
    contacts.add_argument("--format", default="table", metavar="table|csv|jsonl|json")

    sync = commands.add_parser(
        "sync", help="publish your changes to the shared folder and import the team's"
    )
    sync.add_argument("--format", default="text", metavar="text|json")

    team = commands.add_parser("team", help="the team's devices and people (lead)")
    team.add_argument(
        "action", nargs="?", metavar="approve|settings", choices=["approve", "settings"]
    )
    team.add_argument("device", nargs="?", metavar="DEVICE", help="the device to approve")
    team.add_argument("--all", action="store_true", help="approve every device asking to join")
    team.add_argument("--repeat-window", metavar="DAYS", help="settings: the repeat window")
    team.add_argument("--sync-minutes", metavar="N", help="settings: minutes between syncs")
    team.add_argument("--format", default="table", metavar="table|json")

    from cxcompanion import cli_import  # small; its work is imported only when it runs

    cli_import.add_parser(commands)
    from cxcompanion import cli_team

    cli_team.add_parsers(commands)
    from cxcompanion import cli_export

    cli_export.add_parser(commands)

    demo = commands.add_parser(
        "demo", help="build a demo team under DIR: a share, a lead and agents, synced"
    )
    demo.add_argument("dir", metavar="DIR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        window_args = _window_only(args_list)
        if window_args is not None:
            return _open_app(window_args)
        args = build_parser().parse_args(args_list)
        if args.command is None:
            return _open_app(args)
        return _run(args)
    except UserError as exc:
        return _fail(str(exc))
    except ValidationError as exc:
        return _fail(_one_line_errors(exc))
    except StoreError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


def _window_only(args: list[str]) -> argparse.Namespace | None:
    """The arguments of a plain start of the window, or None for anything else.

    Opening the app is the common case and building the whole parser with every
    subcommand costs a few milliseconds of start-up; anything unusual goes to argparse.
    """
    found = argparse.Namespace(profile=None, demo=False, command=None)
    position = 0
    while position < len(args):
        arg = args[position]
        if arg == "--demo":
            found.demo = True
        elif arg == "--profile" and position + 1 < len(args):
            position += 1
            found.profile = args[position]
        elif arg.startswith("--profile=") and len(arg) > len("--profile="):
            found.profile = arg.partition("=")[2]
        else:
            return None
        position += 1
    return found


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


_OPTION_OF_FIELD = {
    "prior_contacts": "--prior",
    "prior_channels": "--prior-channel",
    "customer_ref": "--customer",
    "cancel_reason": "--cancel-reason",
    "mood_start": "--mood-start",
    "mood_end": "--mood-end",
}


def _one_line_errors(exc: ValidationError) -> str:
    parts = []
    for field, message in exc.errors.items():
        if field.startswith("ideas."):
            option = f"--idea #{int(field.split('.')[1]) + 1}"
        else:
            option = _OPTION_OF_FIELD.get(field, f"--{field.replace('_', '-')}")
        parts.append(f"{option}: {message}")
    return " ".join(parts)


def _open_app(args: argparse.Namespace) -> int:
    from cxcompanion.ui.app import run_app

    return run_app(profile_dir=_profile_dir(args), demo=args.demo)


def _profile_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.profile).expanduser() if args.profile else None


def _open_profile(args: argparse.Namespace):
    from cxcompanion.appdirs import default_profile_dir
    from cxcompanion.services.profile import Profile

    if args.demo:
        from cxcompanion.services.demo import open_demo_profile

        # An agent of a demo team built in a temporary folder; closing it deletes the team.
        return open_demo_profile()
    return Profile(_profile_dir(args) or default_profile_dir())


def _run(args: argparse.Namespace) -> int:
    fmt = getattr(args, "format", None)
    allowed = {
        "taxonomy": ("table", "json"),
        "contacts": ("table", "csv", "jsonl", "json"),
        "feedback": ("text", "json"),
        "sync": ("text", "json"),
        "team": ("table", "json"),
        "import": ("text", "json"),
        "export": ("text", "json"),
    }
    if fmt is not None and args.command in allowed and fmt not in allowed[args.command]:
        raise UserError(
            f"--format {fmt!r} is not available; choose one of {', '.join(allowed[args.command])}"
        )
    if args.command == "demo":
        return _demo_team(args)
    profile = _open_profile(args)
    try:
        handler = {
            "init": _init,
            "taxonomy": _taxonomy,
            "log": _log,
            "contacts": _contacts,
            "feedback": _feedback,
            "sync": _sync,
            "team": _team,
            "import": _import,
            "export": _export,
            **dict.fromkeys(("coach", "ideas", "evaluate", "scorecard"), _team_workspace),
        }
        return handler[args.command](profile, args)
    finally:
        profile.close()
        if args.demo:
            import shutil

            shutil.rmtree(profile.folder, ignore_errors=True)


def _team_workspace(profile, args: argparse.Namespace) -> int:
    from cxcompanion import cli_team

    return cli_team.run(profile, args, UserError)


def _export(profile, args: argparse.Namespace) -> int:
    from cxcompanion import cli_export

    return cli_export.run(profile, args, UserError)


def _import(profile, args: argparse.Namespace) -> int:
    from cxcompanion import cli_import

    return cli_import.run(profile, args, UserError)


def _init(profile, args: argparse.Namespace) -> int:
    identity = profile.set_up(args.name, args.team, args.role, args.share)
    print(
        f"Profile {profile.folder} set up for {identity.name} ({identity.role.label}, "
        f"team {identity.team}, {identity.share_label}); device {identity.device_id}"
    )
    if identity.share and not _in_roster(profile, identity.device_id):
        print(
            "Asked to join the team: your team lead approves this device "
            f"(`cxcompanion team approve {identity.device_id}`); run `cxcompanion sync` after."
        )
    for notice in profile.notices:
        print(f"Note: {notice}")
    return 0


def _in_roster(profile, device: str) -> bool:
    import json

    roster = json.loads(profile.store.meta("roster") or "{}")
    return device in roster.get("devices", {})


def _taxonomy(profile, args: argparse.Namespace) -> int:
    import json

    taxonomy = profile.taxonomy
    if args.format == "json":
        print(json.dumps(taxonomy.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"Purposes (taxonomy {taxonomy.version}):")
    for group in taxonomy.groups:
        print(f"  {group.label}")
        for term in taxonomy.purposes:
            if term.group == group.code:
                print(f"    {term.code:<36} {term.label}")
    print("Cancel reasons:")
    for term in taxonomy.cancel_reasons:
        print(f"    {term.code:<36} {term.label}")
    print("Product areas (for ideas):")
    for term in taxonomy.product_areas:
        print(f"    {term.code:<36} {term.label}")
    return 0


def _log(profile, args: argparse.Namespace) -> int:
    from cxcompanion.services.contacts import ContactService

    profile.identity  # noqa: B018  (raises NotSetUpError with the fix, before any parsing)
    if len(args.idea_area) > len(args.idea):
        raise UserError("--idea-area: each --idea-area belongs to the --idea before it")
    areas = args.idea_area + ["other"] * (len(args.idea) - len(args.idea_area))
    raw: dict[str, Any] = {
        "at": args.at,
        "channel": args.channel,
        "purpose": args.purpose,
        "outcome": args.outcome,
        "verdict": args.verdict,
        "detail": args.detail,
        "prior_contacts": args.prior,
        "prior_channels": args.prior_channel,
        "customer_ref": args.customer,
        "ideas": [{"text": t, "area": a} for t, a in zip(args.idea, areas, strict=True)],
        "cancel_reason": args.cancel_reason,
        "stayed": args.stayed,
        "mood_start": args.mood_start,
        "mood_end": args.mood_end,
        "notes": args.notes,
    }
    contact = ContactService(profile).log(raw)
    print(contact.id)
    return 0


def _feedback(profile, args: argparse.Namespace) -> int:
    import json

    from cxcompanion.services.feedback import MAX_WEEKS, FeedbackService

    try:
        weeks = int(args.weeks)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= MAX_WEEKS:
        raise UserError(f"--weeks: {args.weeks!r} is not a number of weeks from 1 to {MAX_WEEKS}")
    profile.identity  # noqa: B018  (raises NotSetUpError with the fix)
    feedback = FeedbackService(profile).compute(weeks)
    if args.format == "json":
        from cxcompanion.domain.metrics import to_json

        data = to_json(feedback, profile.taxonomy.purpose_display)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    from cxcompanion.domain.metric_texts import feedback_text

    print(feedback_text(feedback, profile.taxonomy))
    return 0


CONTACT_FIELDS = (
    "id",
    "at",
    "agent",
    "channel",
    "purpose",
    "detail",
    "outcome",
    "verdict",
    "prior_contacts",
    "prior_channels",
    "customer_hash",
    "cancel_intent",
    "cancel_reason",
    "stayed",
    "mood_start",
    "mood_end",
    "notes",
    "ideas",
    "writer",
    "revision",
    "updated_at",
)


def contact_record(contact: Contact) -> dict[str, Any]:
    """A contact as plain data for JSON and CSV (ideas as a list of {id, text, area})."""
    from cxcompanion.domain.records import contact_fields

    e = contact.envelope
    record = {"id": contact.id, "agent": contact.agent, **contact_fields(contact)}
    record.update(writer=e.writer, revision=e.revision, updated_at=e.updated_at)
    return {field: record[field] for field in CONTACT_FIELDS}


def _contacts(profile, args: argparse.Namespace) -> int:
    import csv
    import json

    from cxcompanion.store.contacts import iter_contacts

    identity = profile.identity
    if identity.role is Role.LEAD:
        agent = args.agent.strip() if args.agent else None  # the team's contacts
        if agent is not None and not _has_contacts_of(profile, agent):
            raise UserError(f"--agent: no contacts of {agent!r} here; {_agents_hint(profile)}")
    elif args.agent and args.agent.strip() != identity.name:
        raise UserError(
            "--agent: an agent's profile lists only your own contacts; leave --agent out"
        )
    else:
        agent = identity.name
    contacts = iter_contacts(profile.store, args.search, agent=agent)
    records = (contact_record(c) for c in contacts)
    out = sys.stdout
    if args.format == "json":
        json.dump(list(records), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=CONTACT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow(_flat(record))
    else:
        _table(out, records, profile.taxonomy, show_agent=identity.role is Role.LEAD)
    return 0


def _has_contacts_of(profile, agent: str) -> bool:
    row = profile.store.conn.execute("SELECT 1 FROM contacts WHERE agent = ? LIMIT 1", (agent,))
    return row.fetchone() is not None


def _agents_hint(profile) -> str:
    names = [
        r[0]
        for r in profile.store.conn.execute(
            "SELECT DISTINCT agent FROM contacts WHERE agent <> '' ORDER BY agent"
        )
    ]
    return f"agents with contacts: {', '.join(names)}" if names else "no contacts synced yet"


def _sync(profile, args: argparse.Namespace) -> int:
    import json

    from cxcompanion.services.sync import SyncService

    profile.identity  # noqa: B018  (raises NotSetUpError with the fix)
    report = SyncService(profile).sync()
    if report.share == "offline" and args.format != "json":
        # Nothing could be done: one line on stderr and status 1, like any error.
        return _fail(f"{report.message} ({report.waiting} change(s) wait on this PC.)")
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from cxcompanion.domain.sync_texts import report_text

        print(report_text(report.to_dict()))
    # Problems are reported, not failures: the sync did what could be done. Only a share
    # that cannot be reached at all is an error the command line must signal.
    return 1 if report.share == "offline" else 0


def _team(profile, args: argparse.Namespace) -> int:
    import json

    from cxcompanion.services.sync import SyncService

    profile.identity  # noqa: B018  (raises NotSetUpError with the fix)
    service = SyncService(profile)
    if args.action == "approve":
        if bool(args.device) == bool(args.all):
            raise UserError("team approve: name one DEVICE or give --all")
        approved = service.approve(None if args.all else args.device)
        if not approved:
            print("No device is waiting for approval.")
        for device in approved:
            print(f"Approved {device.device} as {device.person} ({device.role.label}).")
        return 0
    if args.action == "settings":
        changes = {}
        for option, key, value in (
            ("--repeat-window", "repeat_window_days", args.repeat_window),
            ("--sync-minutes", "sync_minutes", args.sync_minutes),
        ):
            if value is not None:
                if not value.strip().isdigit():
                    raise UserError(f"{option}: {value!r} is not a whole number")
                changes[key] = int(value)
        if changes:
            roster = service.change_settings(**changes)
        else:
            roster = service.roster() or service.change_settings()
        settings = roster.settings
        print(
            f"Team {roster.team}: repeat window {settings.repeat_window_days} days, "
            f"sync every {settings.sync_minutes} minutes"
        )
        return 0
    if args.device or args.all:
        raise UserError("team: DEVICE and --all belong to `team approve`")
    if args.repeat_window or args.sync_minutes:
        raise UserError("team: --repeat-window and --sync-minutes belong to `team settings`")
    devices = service.devices()
    if args.format == "json":
        print(json.dumps([d.to_dict() for d in devices], ensure_ascii=False, indent=2))
        return 0
    print(f"{'device':<28}  {'person':<24}  {'role':<10}  status")
    for d in devices:
        status = (
            "approved" if d.approved else f"asks to join ({d.waiting_segments} segment(s) held)"
        )
        print(f"{d.device:<28}  {d.person[:24]:<24}  {d.role.label:<10}  {status}")
    waiting = [d for d in devices if not d.approved]
    if waiting:
        print(f"{len(waiting)} waiting: `cxcompanion team approve DEVICE` (or --all) adds them.")
    return 0


def _demo_team(args: argparse.Namespace) -> int:
    from cxcompanion.services.demo import build_demo_team

    team = build_demo_team(Path(args.dir).expanduser())
    print(f"Demo team {team.team} built in {team.root}:")
    print(f"  shared folder  {team.share}")
    for name, role, folder in team.profiles:
        print(f"  {role:<5} {name:<16} cxcompanion --profile {folder}")
    return 0


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    flat = dict(record)
    flat["prior_channels"] = " ".join(record["prior_channels"])
    flat["ideas"] = " | ".join(f"{i['text']} [{i['area']}]" for i in record["ideas"])
    for key in ("cancel_intent", "stayed"):
        if isinstance(flat[key], bool):
            flat[key] = "yes" if flat[key] else "no"
    return flat


def _table(out, records: Iterable[dict[str, Any]], taxonomy, *, show_agent: bool) -> None:
    header = f"{'id':<26}  {'when (local)':<16}  "
    header += f"{'agent':<16}  " if show_agent else ""
    header += f"{'channel':<9}  {'purpose':<34}  {'outcome':<15}  {'customer says':<13}  detail"
    count = 0
    for record in records:
        if count == 0:
            out.write(header + "\n")
        when = _local(record["at"])
        purpose = taxonomy.purpose(record["purpose"])
        label = purpose.label if purpose else record["purpose"]
        agent = f"{record['agent'][:16]:<16}  " if show_agent else ""
        out.write(
            f"{record['id']:<26}  {when:<16}  {agent}{record['channel']:<9}  {label[:34]:<34}  "
            f"{record['outcome']:<15}  {record['verdict']:<13}  {record['detail'][:60]}\n"
        )
        count += 1
    if count == 0:
        out.write("No contacts found.\n")
    else:
        print(f"{count} contact{'s' if count != 1 else ''}", file=out)


def _local(iso: str) -> str:
    from cxcompanion.domain.records import parse_utc_iso

    try:
        return parse_utc_iso(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


__all__ = ["contact_record", "main"]
