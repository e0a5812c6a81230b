"""The words of a sync report (command line and Sync page), from its plain-data form."""

from __future__ import annotations

from typing import Any

# What a lead can do about each reason a segment was set aside.
ADVICE = {
    "truncated": "The file is incomplete; it is often still being copied. It is read again "
    "when it changes; if it stays, ask its owner to run a sync.",
    "checksum": "The file was changed or damaged after it was written. Ask its owner to run a "
    "sync; if it stays, keep the file for support.",
    "count": "The file does not hold what its header says. Ask its owner to run a sync.",
    "header": "The file does not start like a CX Companion segment; it may be a stray file.",
    "encoding": "The file is not text as written by CX Companion; it may be a stray file.",
    "decompression": "The compressed file cannot be unpacked safely; it was not read.",
    "too_large": "The file is far larger than any segment CX Companion writes; it was not read.",
    "seq": "The file's name and its content disagree; it may have been renamed by hand.",
    "writer": "The file sits in another device's folder; nobody may write there.",
    "record": "A record in the file is not valid.",
    "owner": "The file holds records its device may not write (check the roster's roles).",
    "duplicate": "Two different files claim the same numbers; neither was imported.",
    "newer_format": "Update CX Companion on this PC to import this device's changes.",
}


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report_text(report: dict[str, Any]) -> str:
    """Several lines: what happened, then each problem with what to do about it."""
    share = report["share"]
    lines = []
    if share["state"] == "local":
        lines.append(share["message"] or "This profile works locally.")
    elif share["state"] == "offline":
        lines.append(f"Share offline: {share['message']}")
    else:
        published = report["published"]
        imported = report["imported"]
        lines.append(
            f"Published {plural(published['records'], 'change')} "
            f"in {plural(published['segments'], 'segment')}; "
            f"imported {plural(imported['records'], 'change')} "
            f"from {plural(imported['segments'], 'segment')}."
        )
    lines.append(f"{plural(report['waiting'], 'change')} waiting to be published.")
    if share["state"] == "online" and not report["approved"]:
        lines.append(
            "Your team lead has not approved this device yet: your changes are on the share "
            "and reach the team once approved."
        )
    for problem in report["problems"]:
        lines.append(f"Problem: {problem}")
    for held in report["held"]:
        lines.append(
            f"Held: {plural(held['segments'], 'segment')} from {held['person']} "
            f"(device {held['device']}) wait for approval: "
            f"`cxcompanion team approve {held['device']}`."
        )
    for entry in report["stopped"]:
        lines.append(f"Stopped: {entry['message']} {ADVICE['newer_format']}")
    for entry in report["quarantined"]:
        advice = ADVICE.get(entry["reason"], "")
        lines.append(f"Set aside ({entry['reason']}): {entry['message']} {advice}".rstrip())
    return "\n".join(lines)
