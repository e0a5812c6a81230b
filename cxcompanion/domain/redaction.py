"""Keeps personal data out of what is stored: masks cards, e-mails and phones in free text
and turns customer references into keyed pseudonyms. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import re

MASK_TOKENS = ("[card]", "[email]", "[phone]")
_CARD, _EMAIL, _PHONE = MASK_TOKENS

# ISO/IEC 7812 card numbers are 13 to 19 digits long.
_CARD_MIN, _CARD_MAX = 13, 19
_INTL_MIN, _INTL_MAX = 7, 15  # E.164 allows at most 15 digits after the prefix
_NATIONAL_MIN, _NATIONAL_MAX = 10, 11

# Luhn doubles every second digit from the right; a doubled digit above 9 counts its digit sum.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)

# Every pattern is written so that no text can be matched in two ways (a separator is
# mandatory between digit groups), and phone patterns bound their repetitions: a long run of
# digits then costs linear time instead of catastrophic backtracking.  Each pattern starts
# with a plain character so `re` can skip ahead quickly, and checks what comes before it with
# a look-behind just after.
# `[0-9]` rather than `\d` because only ASCII digits make a card or phone number; `\w` stays
# Unicode so "é4111…" counts as one word.
_DIGITS = re.compile(r"[0-9]+")

# A maximal run of digit groups joined by one space or dash, not glued to a letter or digit.
# If the last group is glued to a letter, backtracking drops just that group.
_DIGIT_RUN = re.compile(r"[0-9](?<!\w[0-9])[0-9]*(?:[ -][0-9]+)*(?!\w)")

# Addresses are found from each "@", so text without one costs nothing.  The local part is
# matched leftwards (on the reversed text before the "@") and may start right after an
# earlier address, which keeps masking idempotent.  64/63 are the RFC 5321 limits.
_LOCAL_PART_REVERSED = re.compile(r"[\w.%+-]{1,64}")
_DOMAIN = re.compile(
    r"""
    [^\W_][\w-]{0,62}(?:\.[^\W_][\w-]{0,62})*
    \.[^\W\d_][\w-]*   # the top-level domain starts with a letter: "3@4.99" is no address
    """,
    re.VERBOSE,
)

# A phone starts a token (no word character before it; for "+", no letter or "+"), is not
# the part after the separator of a decimal, time or date ("1.0044…", "2026-0123…"), and is
# not the number of an identifier joined to a word by a dash ("ORD-0012345678").
# Every rule that looks at a digit before the separator also refuses "[phone]" there: that
# digit may end a phone masked later (or cut off earlier in the same pass), and on a second
# call the rule must decide the same way, or masking would not be idempotent.
_INTL_PHONE = re.compile(
    r"""
    (?:
        \+ (?<![^\W\d]\+) (?<!\+\+)
      | 00 (?<![\w+]00) (?<![0-9][.,:/-]00) (?<!\[phone\][.,:/-]00) (?<![^\W\d]-00)
    )
    (?P<digits>
        (?:[0-9]+|\([0-9]+\))
        (?:[ .-]?\([0-9]+\)|[ .-][0-9]+|(?<=\))[0-9]+){0,16}
    )
    """,
    re.VERBOSE,
)

# The end check keeps "555.123.4567.8" (not the front of a longer dotted/dashed number) out.
_NA_PHONE_PAREN = re.compile(r"\([0-9]{3}\) ?[0-9]{3}[-. ][0-9]{4}(?![0-9])(?![-.][0-9])")
_NA_PHONE_PLAIN = re.compile(
    r"""
    [0-9] (?<!\w[0-9]) (?<![0-9][.,:/][0-9]) (?<!\[phone\][.,:/][0-9]) (?<![^\W\d]-[0-9])
    [0-9]{2} (?P<sep>[-. ]) [0-9]{3} (?P=sep) [0-9]{4}
    (?![0-9])(?![-.][0-9])
    """,
    re.VERBOSE,
)

# Mixed separators are allowed because "030 12345-67" (DIN 5008 extension) is common.
_NATIONAL_PHONE = re.compile(
    r"""
    (?P<digits>
        0 (?<![\w+]0) (?<![0-9][.,:/-]0) (?<!\[phone\][.,:/-]0) (?<![^\W\d]-0)
        [0-9]*(?:[ -][0-9]+){0,10}
    )
    """,
    re.VERBOSE,
)

_REFERENCE_NOISE = re.compile(r"[\s\-./]+")

# What every pattern above needs somewhere in the text: a card, a phone or "00" is made of
# ASCII digits, an address has an "@". Text without any has nothing to mask (most notes).
_MAYBE_PII = re.compile(r"[0-9@]")


def luhn_valid(digits: str) -> bool:
    """Whether `digits` (ASCII digits only, at least one) passes the Luhn checksum.

    Raises ValueError for anything else, because a caller passing "4111 1111…" would
    otherwise get a silent, misleading False.
    """
    if not _DIGITS.fullmatch(digits):
        raise ValueError(f"luhn_valid takes ASCII digits only, not {digits!r}")
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        total += _DOUBLED[digit] if position % 2 else digit
    return total % 10 == 0


def mask_pii(text: str) -> str:
    """`text` with payment cards, e-mail addresses and phone numbers replaced by MASK_TOKENS.

    Cards go first so a card is never taken for a phone, e-mails before phones so the digits
    of "0201234567@example.com" stay part of the address.  Where a card could be read from
    several overlapping groups of digits, all of them are masked together: masking a
    neighbouring number too is the lesser harm than leaving card digits in a note.
    Applying it twice changes nothing more.
    """
    if _MAYBE_PII.search(text) is None:
        return text
    return _mask_all(text)


def _mask_all(text: str) -> str:
    text = _mask_emails(_mask_cards(text))
    text = _mask_counted(text, _INTL_PHONE, _INTL_MIN, _INTL_MAX)
    text = _NA_PHONE_PAREN.sub(_PHONE, text)
    text = _NA_PHONE_PLAIN.sub(_PHONE, text)
    return _mask_counted(text, _NATIONAL_PHONE, _NATIONAL_MIN, _NATIONAL_MAX)


def pseudonymise(secret: bytes, reference: str) -> str:
    """A 32-hex-character keyed hash of a customer reference, the same for every spelling.

    Spellings are unified (case, whitespace, "-", ".", "/") so "AB-123 45" and "ab12345"
    link to the same customer.  HMAC rather than a plain hash because references are short
    and guessable: without the secret, nobody can recompute a pseudonym from a reference.
    """
    if not secret:
        raise ValueError("pseudonymise needs a non-empty secret")
    normalised = _REFERENCE_NOISE.sub("", reference.strip().casefold())
    if not normalised:
        raise ValueError(f"customer reference {reference!r} is empty once normalised")
    return hmac.new(secret, normalised.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _mask_cards(text: str) -> str:
    pieces: list[str] = []
    done = 0
    for run in _DIGIT_RUN.finditer(text):
        if run.end() - run.start() < _CARD_MIN:  # most runs: amounts, dates, short numbers
            continue
        after_plus = run.start() > 0 and text[run.start() - 1] == "+"
        for start, end in _card_spans(run.group(), after_plus):
            pieces += (text[done : run.start() + start], _CARD)
            done = run.start() + end
    pieces.append(text[done:])
    return "".join(pieces)


def _card_spans(run: str, after_plus: bool) -> list[tuple[int, int]]:
    """Spans (within `run`) of every Luhn-valid window of whole groups, overlaps merged.

    Trying every window, not just the longest from the first group, is what finds the card
    in "ref 12 4111 1111 1111 1111" and never leaves part of it visible.
    """
    if len(run) - run.count(" ") - run.count("-") < _CARD_MIN:
        return []
    groups = [(m.start(), m.end()) for m in _DIGITS.finditer(run)]
    digits = [ord(c) - 48 for c in run if c not in " -"]

    # Which digits Luhn doubles depends on where a window ends, so keep prefix sums for both
    # parities; each window is then checked in constant time however long the run is.
    sums = ([0], [0])
    for position, digit in enumerate(digits):
        for parity in (0, 1):
            value = _DOUBLED[digit] if position % 2 == parity else digit
            sums[parity].append(sums[parity][-1] + value)
    offsets = [0]
    for start, end in groups:
        offsets.append(offsets[-1] + end - start)

    spans: list[tuple[int, int]] = []
    # No card number starts with 0 (MII 0 is not a card industry) and a group right after
    # "+" is a country code: both are how phone numbers start, which the phone passes handle.
    first = 1 if after_plus else 0
    for i in range(first, len(groups)):
        if run[groups[i][0]] == "0":
            continue
        for j in range(i, len(groups)):
            begin, stop = offsets[i], offsets[j + 1]
            if stop - begin > _CARD_MAX:
                break
            parity = stop % 2
            if stop - begin >= _CARD_MIN and (sums[parity][stop] - sums[parity][begin]) % 10 == 0:
                spans.append((groups[i][0], groups[j][1]))

    merged: list[tuple[int, int]] = []
    for start, end in spans:  # already sorted by start
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _mask_emails(text: str) -> str:
    pieces: list[str] = []
    done = 0
    at = text.find("@")
    while at != -1:
        domain = _DOMAIN.match(text, at + 1)
        local = None
        if domain is not None:
            local = _LOCAL_PART_REVERSED.match(text[max(done, at - 64) : at][::-1])
        if domain is not None and local is not None:
            pieces += (text[done : at - local.end()], _EMAIL)
            done = domain.end()
            at = text.find("@", done)
        else:
            at = text.find("@", at + 1)
    pieces.append(text[done:])
    return "".join(pieces)


def _mask_counted(text: str, pattern: re.Pattern[str], fewest: int, most: int) -> str:
    """Replace matches of `pattern` holding `fewest`..`most` digits (group "digits") by [phone].

    A match with too many digits is cut back to its longest prefix of whole groups that
    fits, and the search goes on after the cut, so a phone followed by other numbers (or by
    a second phone) is still found.
    """
    pieces: list[str] = []
    done = pos = 0
    while (match := pattern.search(text, pos)) is not None:
        end = _fitting_end(text, match.start("digits"), match.end("digits"), fewest, most)
        if end is None:
            # Look-behinds stop a retry inside the same token, so this moves to the next one.
            pos = match.start() + 1
            continue
        pieces += (text[done : match.start()], _PHONE)
        done = pos = end
    pieces.append(text[done:])
    return "".join(pieces)


def _fitting_end(text: str, start: int, stop: int, fewest: int, most: int) -> int | None:
    """End of the longest prefix of whole digit groups of text[start:stop] that holds
    `fewest`..`most` digits, or None if no prefix does."""
    count = 0
    fitting = None
    for group in _DIGITS.finditer(text, start, stop):
        count += group.end() - group.start()
        if count > most:
            break
        if count >= fewest:
            fitting = group.end()
    return fitting
