"""A separate process for the store tests: it is killed mid-work or runs as another user.

    _child.py open FOLDER           open the profile, log one contact; print the outcome as JSON
    _child.py contacts FOLDER TAG   log contacts forever, printing "saved <id>" after each
    _child.py draft FOLDER JSON     save one draft, print "draft", wait to be killed
    _child.py drafts FOLDER COUNT   save COUNT growing drafts, printing "draft <n>" after each
    _child.py form FOLDER TAG       forever: save contact n's form as a draft ("draft <n>"),
                                    then log it from the form ("saved <n> <id>")

Each line is written only after the call that saved it has returned, so every line the parent
reads names something that was committed.
"""

from __future__ import annotations

import json
import sys

from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile
from cxcompanion.store.errors import StoreError


def contact(tag: str, number: int) -> dict:
    return {
        "channel": "chat",
        "purpose": "billing.refund",
        "outcome": "resolved",
        "verdict": "yes",
        "detail": f"crashtest {tag}x{number} charged twice",
        "prior_contacts": 1,
        "prior_channels": ["email"],
        "ideas": [
            {"text": f"first idea {tag}x{number}", "area": "mobile_app"},
            {"text": f"second idea {tag}x{number}", "area": "billing"},
        ],
        "mood_start": -1,
        "mood_end": 1,
        "notes": f"notes {tag}x{number}",
    }


def growing_draft(number: int) -> dict:
    """The form as it looks after `number` keystrokes."""
    text = "the customer wants to pause the plan from the app, not cancel it"
    return {
        "n": number,
        "channel": "phone",
        "detail": text[:number],
        "ideas": [{"text": "pause från appen", "area": "mobile_app"}] if number > 20 else [],
        "stayed": None,
    }


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def wait_for_parent() -> None:
    # Block until the parent kills us (or closes our stdin by going away): never linger.
    sys.stdin.read()


def main(mode: str, folder: str, arg: str = "") -> None:
    if mode == "open":
        outcome = {"opened": False, "logged": False, "error": None, "message": ""}
        try:
            profile = Profile(folder)
            outcome["opened"] = True
            try:
                ContactService(profile).log(contact("open", 0))
                outcome["logged"] = True
            finally:
                profile.close()
        except StoreError as exc:
            outcome["error"], outcome["message"] = type(exc).__name__, str(exc)
        except Exception as exc:  # reported to the parent, which fails the test
            outcome["error"], outcome["message"] = f"unexpected {type(exc).__name__}", str(exc)
        say(json.dumps(outcome))
        return

    profile = Profile(folder)
    service = ContactService(profile)
    say("ready")
    if mode == "contacts":
        number = 0
        while True:
            saved = service.log(contact(arg, number))
            say(f"saved {saved.id}")
            number += 1
    elif mode == "draft":
        service.save_draft(json.loads(arg))
        say("draft")
        wait_for_parent()
    elif mode == "form":
        number = 0
        while True:
            service.save_draft(contact(arg, number))
            say(f"draft {number}")
            saved = service.log(contact(arg, number), clear_draft=True)
            say(f"saved {number} {saved.id}")
            number += 1
    elif mode == "drafts":
        for number in range(1, int(arg) + 1):
            service.save_draft(growing_draft(number))
            say(f"draft {number}")
        wait_for_parent()
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
