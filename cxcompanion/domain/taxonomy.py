"""The team's vocabulary: contact purposes in groups, cancel reasons and product areas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CANCELLATION_GROUP = "cancellation"


class TaxonomyError(ValueError):
    """A taxonomy document that cannot be used; the message says which entry is wrong."""


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class Taxonomy:
    version: str
    groups: tuple[Term, ...]
    purposes: tuple[Term, ...]
    cancel_reasons: tuple[Term, ...]
    product_areas: tuple[Term, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        try:
            groups = _terms(data["groups"], "groups")
            purposes = _terms(data["purposes"], "purposes", need_group=True)
            cancel_reasons = _terms(data["cancel_reasons"], "cancel_reasons")
            product_areas = _terms(data["product_areas"], "product_areas")
            version = str(data["version"])
        except KeyError as exc:
            raise TaxonomyError(f"the taxonomy has no {exc.args[0]!r} list") from None
        group_codes = {g.code for g in groups}
        for purpose in purposes:
            if purpose.group not in group_codes:
                raise TaxonomyError(
                    f"purpose {purpose.code!r} names group {purpose.group!r}, "
                    f"which is not one of: {', '.join(sorted(group_codes))}"
                )
        return cls(version, groups, purposes, cancel_reasons, product_areas)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "groups": [{"code": t.code, "label": t.label} for t in self.groups],
            "purposes": [
                {"code": t.code, "group": t.group, "label": t.label} for t in self.purposes
            ],
            "cancel_reasons": [{"code": t.code, "label": t.label} for t in self.cancel_reasons],
            "product_areas": [{"code": t.code, "label": t.label} for t in self.product_areas],
        }

    def purpose(self, code: str) -> Term | None:
        return self._purpose_index.get(code)

    def group_label(self, code: str) -> str:
        return next((g.label for g in self.groups if g.code == code), code)

    def purpose_display(self, code: str) -> str:
        """`Billing › Charged twice`, or the bare code for one this taxonomy does not know."""
        term = self.purpose(code)
        if term is None:
            return code
        return f"{self.group_label(term.group)} › {term.label}"

    def is_cancellation(self, purpose_code: str) -> bool:
        term = self.purpose(purpose_code)
        return term is not None and term.group == CANCELLATION_GROUP

    def cancel_reason(self, code: str) -> Term | None:
        return next((t for t in self.cancel_reasons if t.code == code), None)

    def product_area(self, code: str) -> Term | None:
        return next((t for t in self.product_areas if t.code == code), None)

    def search_purposes(self, text: str) -> list[Term]:
        """Purposes whose label, group or code contain every word of `text` (type-ahead)."""
        words = text.casefold().split()
        found = []
        for term in self.purposes:
            haystack = f"{term.label} {self.group_label(term.group)} {term.code}".casefold()
            if all(word in haystack for word in words):
                found.append(term)
        return found

    @property
    def _purpose_index(self) -> dict[str, Term]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {t.code: t for t in self.purposes}
            object.__setattr__(self, "_index", index)
        return index


def _terms(items: Any, name: str, *, need_group: bool = False) -> tuple[Term, ...]:
    if not isinstance(items, list) or not items:
        raise TaxonomyError(f"the taxonomy's {name!r} must be a non-empty list")
    terms = []
    seen: set[str] = set()
    for position, item in enumerate(items, 1):
        if not isinstance(item, Mapping) or not item.get("code") or not item.get("label"):
            raise TaxonomyError(f"entry {position} of {name!r} needs a 'code' and a 'label'")
        code = str(item["code"])
        if code in seen:
            raise TaxonomyError(f"code {code!r} appears twice in {name!r}")
        seen.add(code)
        group = str(item.get("group", ""))
        if need_group and not group:
            raise TaxonomyError(f"purpose {code!r} needs a 'group'")
        terms.append(Term(code, str(item["label"]), group))
    return tuple(terms)
