"""The fixed vocabularies of a contact (DESIGN §7): their codes are part of the file formats."""

from __future__ import annotations

from enum import Enum

_CODES: dict[type, tuple[str, ...]] = {}


class _Coded(str, Enum):
    """An enum whose value is the stable code used in the store, exports and command line."""

    label: str

    def __new__(cls, code: str, label: str) -> _Coded:
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label = label
        return obj

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        # Asked for on every validated field (an import checks millions): made once.
        found = _CODES.get(cls)
        if found is None:
            found = _CODES[cls] = tuple(member.value for member in cls)
        return found

    def __str__(self) -> str:
        return self.value


class Channel(_Coded):
    PHONE = ("phone", "Phone")
    CHAT = ("chat", "Chat")
    EMAIL = ("email", "Email")
    MESSAGING = ("messaging", "Messaging")
    SOCIAL = ("social", "Social")
    IN_PERSON = ("in_person", "In person")


class Outcome(_Coded):
    RESOLVED = ("resolved", "Resolved")
    PARTLY_RESOLVED = ("partly_resolved", "Partly resolved")
    NOT_RESOLVED = ("not_resolved", "Not resolved")
    ESCALATED = ("escalated", "Escalated")
    FOLLOW_UP = ("follow_up", "Follow-up booked")
    TRANSFERRED = ("transferred", "Transferred")
    INFO_ONLY = ("info_only", "Information only")


class Verdict(_Coded):
    """The customer's own answer to "did we take care of what you needed?"."""

    YES = ("yes", "Yes")
    NO = ("no", "No")
    UNSURE = ("unsure", "Unsure")
    NOT_ASKED = ("not_asked", "Didn't ask")


class Role(_Coded):
    AGENT = ("agent", "Agent")
    LEAD = ("lead", "Team lead")


MOOD_MIN = -2
MOOD_MAX = 2
MOOD_LABELS = {
    -2: "Very upset",
    -1: "Unhappy",
    0: "Neutral",
    1: "Pleased",
    2: "Delighted",
}
# The customer may report up to this many earlier contacts about the same need; more than
# that is a typing slip, not a customer.
PRIOR_MAX = 50
DETAIL_MAX = 300
NOTES_MAX = 4000
IDEA_MAX = 1000
CUSTOMER_REF_MAX = 100
