"""A profile: one folder with the store, this installation's identity and the taxonomy."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cxcompanion import resources
from cxcompanion.domain.enums import Role
from cxcompanion.domain.ids import new_device_id
from cxcompanion.domain.taxonomy import Taxonomy, TaxonomyError
from cxcompanion.store.database import DATABASE_NAME, Store
from cxcompanion.store.errors import StoreError, StoreNotWritableError


class ProfileError(StoreError):
    """A profile that cannot be used as asked; the message says how to fix it.

    `field` names the setting at fault (name, team, role, share), for a form to mark it.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotSetUpError(ProfileError):
    pass


@dataclass(frozen=True)
class Identity:
    device_id: str
    name: str
    team: str
    role: Role
    share: str | None

    @property
    def share_label(self) -> str:
        return self.share or "local only"


class Profile:
    """An open profile folder. Use on the thread that opened it; close() when done."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder).expanduser()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreNotWritableError(
                f"Cannot create the profile folder {self.folder} ({exc.strerror}); "
                "choose a writable folder with --profile DIR."
            ) from None
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise StoreNotWritableError(
                f"The profile folder {self.folder} is not writable; "
                "choose a writable folder with --profile DIR."
            )
        self.store = Store(self.folder / DATABASE_NAME)
        self._ensure_device()
        self._taxonomy: Taxonomy | None = None
        self.notices: list[str] = []  # things setup wants the person to know

    def _ensure_device(self) -> None:
        # The device id and the team secret are made once, at first run, and never change:
        # the id names this installation's folder on the share, the secret keys the hashes.
        if self.store.meta("device_id") is None:
            import secrets  # first run only

            self.store.set_meta(
                {"device_id": new_device_id(), "team_secret": secrets.token_hex(32)}
            )

    @property
    def device_id(self) -> str:
        return self.store.meta("device_id") or ""

    @property
    def team_secret(self) -> bytes:
        return bytes.fromhex(self.store.meta("team_secret") or "")

    @property
    def is_set_up(self) -> bool:
        return self.store.meta("name") is not None

    @property
    def identity(self) -> Identity:
        values = dict(self.store.conn.execute("SELECT key, value FROM meta"))
        if "name" not in values:
            raise NotSetUpError(
                f"The profile {self.folder} is not set up yet; run "
                "`cxcompanion init --name NAME --team TEAM --role agent` or open the app."
            )
        return Identity(
            device_id=values["device_id"],
            name=values["name"],
            team=values["team"],
            role=Role(values["role"]),
            share=values.get("share") or None,
        )

    def set_up(self, name: str, team: str, role: str, share: str | None = None) -> Identity:
        """First-run setup (also used to change it). Raises ProfileError with the reason."""
        name, team = name.strip(), team.strip()
        if not name:
            raise ProfileError("Give your name as your team lead knows it.", "name")
        if not team:
            raise ProfileError("Give the name of your team.", "team")
        try:
            role_value = Role(role)
        except ValueError:
            raise ProfileError(
                f"{role!r} is not a role; choose one of {', '.join(Role.codes())}.", "role"
            ) from None
        share_value = ""
        roster = None
        if share:
            share_path = Path(share).expanduser()
            if not share_path.is_dir():
                raise ProfileError(
                    f"The shared folder {share_path} does not exist or is not reachable; "
                    "connect it first or leave it out to work locally.",
                    "share",
                )
            share_value = str(share_path.resolve())
            from cxcompanion.services.sync import connect_share  # only with a share

            roster = connect_share(self, name, team, role_value, Path(share_value))
        if roster is not None:
            from cxcompanion.services.sync import store_roster

            self._warn_if_rekeyed(roster.customer_key)
            store_roster(self, roster)
            team = roster.team
        self.store.set_meta(
            {"name": name, "team": team, "role": role_value.value, "share": share_value}
        )
        with self.store.transaction() as conn:  # the count of the person's own contacts
            conn.execute(
                "UPDATE contact_count SET live = (SELECT count(*) FROM contacts "
                "WHERE deleted = 0 AND agent = ?)",
                (name,),
            )
        return self.identity

    def _warn_if_rekeyed(self, customer_key: str) -> None:
        """Joining a team changes the key customer references are hashed with; contacts
        logged before keep their old pseudonyms (the typed references were never kept)."""
        if self.store.meta("team_secret") == customer_key:
            return
        earlier = self.store.conn.execute(
            "SELECT count(*) FROM contacts WHERE customer_hash IS NOT NULL"
        ).fetchone()[0]
        if earlier:
            self.notices.append(
                f"{earlier} contact(s) logged before joining keep their earlier customer "
                "pseudonyms: repeats between them and the team's contacts are not seen."
            )

    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            self._taxonomy = load_default_taxonomy()
        return self._taxonomy

    def close(self) -> None:
        self.store.close()


def load_default_taxonomy() -> Taxonomy:
    source = resources.path("taxonomy/default.json")
    try:
        return Taxonomy.from_dict(json.loads(source.read_text(encoding="utf-8")))
    except (ValueError, TaxonomyError) as exc:
        raise ProfileError(f"The taxonomy {source} cannot be read: {exc}") from None
