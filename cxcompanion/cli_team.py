"""The lead workspace on the command line: `coach`, `ideas`, `evaluate` and `scorecard`.

Its own module (the main command-line file is long enough); `cli` registers the commands
and turns errors into the one line and exit status 1 every command gives.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

FORMATS = ("table", "json")


def add_parsers(commands: Any) -> None:
    coach = commands.add_parser("coach", help="coaching notes: write (lead), list, answer (agent)")
    actions = coach.add_subparsers(dest="action", metavar="note|list|ack|reply|done")
    note = actions.add_parser("note", help="write a coaching note to an agent (lead)")
    note.add_argument("--agent", required=True, metavar="NAME")
    note.add_argument("--contact", metavar="ID", help="the contact the note is about")
    note.add_argument("--theme", default="", metavar="TEXT", help="or the theme it is about")
    note.add_argument("--strengths", default="", metavar="TEXT")
    note.add_argument("--growth", required=True, metavar="TEXT", help="the one growth area")
    note.add_argument("--commitment", default="", metavar="TEXT", help="what was agreed")
    note.add_argument("--follow-up", metavar="DATE", help="when to look at it again")
    listing = actions.add_parser("list", help="the notes (an agent's own; a lead's team)")
    listing.add_argument("--agent", metavar="NAME")
    listing.add_argument("--due", action="store_true", help="only follow-ups due by today")
    listing.add_argument("--format", default="table", metavar="|".join(FORMATS))
    for name, text in (("ack", "acknowledge"), ("done", "mark the commitment done")):
        answer = actions.add_parser(name, help=f"{text} (agent)")
        answer.add_argument("note", metavar="NOTE")
    reply = actions.add_parser("reply", help="answer a note (agent)")
    reply.add_argument("note", metavar="NOTE")
    reply.add_argument("text", metavar="TEXT")

    ideas = commands.add_parser("ideas", help="the idea board: list, decide (lead)")
    idea_actions = ideas.add_subparsers(dest="action", metavar="list|decide|merge")
    listing = idea_actions.add_parser("list", help="ideas with their status")
    listing.add_argument("--status", metavar="STATUS")
    listing.add_argument("--agent", metavar="NAME")
    listing.add_argument("--format", default="table", metavar="|".join(FORMATS))
    decide = idea_actions.add_parser("decide", help="move an idea on the board (lead)")
    decide.add_argument("idea", metavar="IDEA")
    decide.add_argument("--status", required=True, metavar="STATUS")
    decide.add_argument("--note", default="", metavar="TEXT", help="goes back to the agent")
    merge = idea_actions.add_parser("merge", help="merge a duplicate into another idea (lead)")
    merge.add_argument("idea", metavar="IDEA")
    merge.add_argument("--into", required=True, metavar="IDEA")
    merge.add_argument("--note", default="", metavar="TEXT")

    evaluate = commands.add_parser("evaluate", help="score a contact on the scorecard (lead)")
    evaluate.add_argument("contact", metavar="CONTACT")
    evaluate.add_argument(
        "--score", action="append", default=[], metavar="CRITERION=POINTS|na",
        help="one per criterion (see `cxcompanion scorecard`)",
    )  # fmt: skip
    evaluate.add_argument("--comment", default="", metavar="TEXT")
    evaluate.add_argument(
        "--calibration", action="store_true", help="show how the leads' scores differ"
    )
    evaluate.add_argument("--format", default="table", metavar="|".join(FORMATS))

    scorecard = commands.add_parser("scorecard", help="the team's scorecard criteria")
    scorecard.add_argument("action", nargs="?", choices=["set"], help="set: a new version (lead)")
    scorecard.add_argument("file", nargs="?", metavar="FILE", help="with set: a scorecard JSON")
    scorecard.add_argument("--format", default="table", metavar="|".join(FORMATS))


COMMANDS = ("coach", "ideas", "evaluate", "scorecard")


def run(profile: Any, args: argparse.Namespace, user_error: type[Exception]) -> int:
    profile.identity  # noqa: B018  (raises NotSetUpError with the fix)
    fmt = getattr(args, "format", "table")
    if fmt not in FORMATS:
        raise user_error(f"--format {fmt!r} is not available; choose one of {', '.join(FORMATS)}")
    if args.command == "coach":
        return _coach(profile, args, user_error)
    if args.command == "ideas":
        return _ideas(profile, args, user_error)
    if args.command == "evaluate":
        return _evaluate(profile, args, user_error)
    return _scorecard(profile, args, user_error)


def _coach(profile: Any, args: argparse.Namespace, user_error: type[Exception]) -> int:
    from cxcompanion.services.coaching import CoachingService

    service = CoachingService(profile)
    if args.action is None:
        raise user_error("coach: say note, list, ack, reply or done; see `cxcompanion coach -h`")
    if args.action == "note":
        note = service.write_note(
            args.agent, contact_id=args.contact, theme=args.theme, strengths=args.strengths,
            growth_area=args.growth, commitment=args.commitment, follow_up=args.follow_up,
        )  # fmt: skip
        print(note.id)
        return 0
    if args.action == "list":
        notes = service.due_follow_ups() if args.due else service.notes(args.agent)
        if args.format == "json":
            print(json.dumps([n.to_dict() for n in notes], ensure_ascii=False, indent=2))
            return 0
        if not notes:
            print("No coaching notes yet." if not args.due else "No follow-ups are due.")
        for n in notes:
            state = "done" if n.done else ("acknowledged" if n.acknowledged else "not yet read")
            about = f"contact {n.contact_id}" if n.contact_id else n.theme
            follow = f" · follow up {n.follow_up}" if n.follow_up else ""
            when = n.written_at[:10]
            print(f"{n.id}  {when}  to {n.agent} from {n.lead}: {about} ({state}{follow})")
            if n.strengths:
                print(f"    strengths:  {n.strengths}")
            print(f"    growth:     {n.growth_area}")
            if n.commitment:
                print(f"    commitment: {n.commitment}")
            for r in n.replies:
                if r.kind == "reply":
                    print(f"    {n.agent} replied {r.at[:10]}: {r.text}")
        return 0
    handler = {"ack": service.acknowledge, "done": service.mark_done}.get(args.action)
    note = handler(args.note) if handler else service.reply(args.note, args.text)
    state = "done" if note.done else "acknowledged" if note.acknowledged else "answered"
    print(f"Note {note.id}: {state}.")
    return 0


def _ideas(profile: Any, args: argparse.Namespace, user_error: type[Exception]) -> int:
    from cxcompanion.services.ideas_board import STATUS_LABELS, IdeasService

    service = IdeasService(profile)
    if args.action is None:
        raise user_error("ideas: say list, decide or merge; see `cxcompanion ideas -h`")
    if args.action == "decide":
        idea = service.decide(args.idea, args.status, args.note)
        print(f"Idea {idea.id} is now {STATUS_LABELS[idea.status].lower()}.")
        return 0
    if args.action == "merge":
        idea = service.merge(args.idea, args.into, args.note)
        print(f"Idea {args.idea} merged into {idea.id} ({STATUS_LABELS[idea.status].lower()}).")
        return 0
    ideas = service.ideas(status=args.status, agent=args.agent)
    if args.format == "json":
        print(json.dumps([i.to_dict() for i in ideas], ensure_ascii=False, indent=2))
        return 0
    if not ideas:
        print("No ideas here yet.")
    for i in ideas:
        credit = f" (also {', '.join(i.also_captured_by)})" if i.also_captured_by else ""
        print(f"{i.id}  {STATUS_LABELS[i.status]:<13} {i.agent}{credit}: {i.text} [{i.area}]")
        if i.note:
            print(f"    note: {i.note}")
    return 0


def _evaluate(profile: Any, args: argparse.Namespace, user_error: type[Exception]) -> int:
    from cxcompanion.services.evaluations import EvaluationService

    service = EvaluationService(profile)
    if args.calibration:
        rows = service.calibration(args.contact)
        if args.format == "json":
            data = [{"criterion": r.criterion.id, "differs": r.differs, "spread": r.spread,
                     "scores": dict(r.scores)} for r in rows]  # fmt: skip
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        for r in rows:
            marks = ", ".join(f"{who} {'N/A' if v is None else v}" for who, v in r.scores.items())
            flag = "differs" if r.differs else "agrees "
            print(f"{flag}  {r.criterion.label} (of {r.criterion.points}): {marks}")
        return 0
    if not args.score:
        raise user_error(
            "evaluate: give --score CRITERION=POINTS for every criterion "
            "(`cxcompanion scorecard` lists them), or --calibration"
        )
    scores: dict[str, str] = {}
    for item in args.score:
        criterion, sep, value = item.partition("=")
        if not sep or not criterion.strip():
            raise user_error(f"--score {item!r}: write it as CRITERION=POINTS or CRITERION=na")
        scores[criterion.strip()] = value.strip()
    evaluation = service.evaluate(args.contact, scores, args.comment)
    if args.format == "json":
        print(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
    else:
        t, e = evaluation.technical, evaluation.emotional
        print(f"{evaluation.id}: technical {t[0]} of {t[1]}, emotional connection {e[0]} of {e[1]}")
    return 0


def _scorecard(profile: Any, args: argparse.Namespace, user_error: type[Exception]) -> int:
    from cxcompanion.domain.scorecard import DIMENSION_LABELS
    from cxcompanion.services.evaluations import load_scorecard

    if args.action == "set":
        from pathlib import Path

        from cxcompanion.services.evaluations import EvaluationService

        if not args.file:
            raise user_error("scorecard set: name the scorecard file (JSON; see the README)")
        try:
            data = json.loads(Path(args.file).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise user_error(f"scorecard set: there is no file {args.file}") from None
        except (OSError, ValueError) as exc:
            raise user_error(f"scorecard set: {args.file} is not readable JSON ({exc})") from None
        card = EvaluationService(profile).set_scorecard(data)
        print(f"The team's scorecard is now {card.id} version {card.version}.")
        return 0
    card = load_scorecard(profile)
    if args.format == "json":
        print(json.dumps(card.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{card.title} (scorecard {card.id}, version {card.version})")
    for dimension, label in DIMENSION_LABELS.items():
        print(f"  {label}")
        for c in card.criteria:
            if c.dimension == dimension:
                na = ", or na" if c.na_allowed else ""
                print(f"    {c.id:<20} 0-{c.points}{na:<8} {c.label}")
    return 0
