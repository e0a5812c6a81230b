"""Demo data: eight weeks of varied, realistic contacts for one agent or a whole team.

The content comes from fixed seeds, so every demo tells the same story: mostly resolved
contacts, customers coming back (sometimes to a colleague), a few cancellations (some
saved), ideas now and then, and agents who work differently. Only ids and times vary.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cxcompanion import resources
from cxcompanion.domain.enums import Channel, Outcome, Verdict
from cxcompanion.domain.taxonomy import Taxonomy
from cxcompanion.services.contacts import ContactService
from cxcompanion.services.profile import Profile, ProfileError

DEMO_SEED = 20261123
_CHANNEL_WEIGHTS = {
    Channel.PHONE: 45,
    Channel.CHAT: 25,
    Channel.EMAIL: 15,
    Channel.MESSAGING: 8,
    Channel.SOCIAL: 4,
    Channel.IN_PERSON: 3,
}
_OUTCOME_WEIGHTS = {
    Outcome.RESOLVED: 55,
    Outcome.PARTLY_RESOLVED: 10,
    Outcome.NOT_RESOLVED: 6,
    Outcome.ESCALATED: 7,
    Outcome.FOLLOW_UP: 8,
    Outcome.TRANSFERRED: 4,
    Outcome.INFO_ONLY: 10,
}


@dataclass(frozen=True)
class DemoAgent:
    """How one demo agent works: the story the team's views tell about them."""

    name: str
    seed: int
    per_day: tuple[int, int] = (9, 16)  # contacts on a working day
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0
    weeks: int | None = None  # on the team for this many weeks (None: the whole demo)
    resolve: tuple[float, float] = (1.0, 1.0)  # weight of "resolved": first day, last day
    asks: float = 1.0  # how readily they ask the customer whether the need was met
    focus: tuple[tuple[str, int], ...] = ()  # purpose groups routed to them more often
    save_rate: float = 0.4  # of customers who want to cancel, how many stay
    idea_rate: float = 0.08


DEMO_TEAM = "Demo Team"
DEMO_LEAD = "Lena Novak"
# Different volumes and habits, so the lead's team views show real variation. The first
# agent is the one `cxcompanion --demo` opens: the fullest history of the four.
DEMO_AGENTS = (
    DemoAgent("Ana Silva", DEMO_SEED),
    # Part-time (three days a week), mostly technical calls, often forgets to ask.
    DemoAgent(
        "Ben Carter",
        DEMO_SEED + 1,
        per_day=(8, 13),
        workdays=(0, 1, 3),
        resolve=(0.7, 0.7),
        asks=0.35,
        focus=(("technical", 4),),
    ),
    # Joined three weeks ago: fewer contacts, resolving more each week, fresh-eyed ideas.
    DemoAgent(
        "Mira Kowalski",
        DEMO_SEED + 2,
        per_day=(6, 11),
        weeks=3,
        resolve=(0.35, 1.1),
        idea_rate=0.16,
    ),
    # The retention desk, four days a week: cancellations and complaints, many saved.
    DemoAgent(
        "Tom Okafor",
        DEMO_SEED + 3,
        per_day=(6, 10),
        workdays=(0, 1, 2, 3),
        resolve=(1.15, 1.15),
        focus=(("cancellation", 7), ("complaints", 3)),
        save_rate=0.62,
    ),
)


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_contacts(
    profile: Profile, *, weeks: int = 8, seed: int = DEMO_SEED, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The raw contacts of a demo agent, oldest first (each as the form would give it)."""
    agent = DemoAgent("", seed)
    histories = _histories(profile.taxonomy, (agent,), weeks=weeks, seed=seed, now=now)
    return histories[agent.name]


def demo_team_contacts(
    taxonomy: Taxonomy,
    agents: Sequence[DemoAgent] = DEMO_AGENTS,
    *,
    weeks: int = 8,
    now: datetime | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Each demo agent's raw contacts, oldest first, from one shared stream of customers:
    a customer coming back about the same need often reaches a colleague."""
    return _histories(taxonomy, tuple(agents), weeks=weeks, seed=DEMO_SEED, now=now)


def _histories(
    taxonomy: Taxonomy,
    agents: tuple[DemoAgent, ...],
    *,
    weeks: int,
    seed: int,
    now: datetime | None,
) -> dict[str, list[dict[str, Any]]]:
    phrases = json.loads(resources.path("demo/phrases.json").read_text(encoding="utf-8"))
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    start = (now - timedelta(weeks=weeks)).replace(hour=0, minute=0, second=0)
    customers_rng = random.Random(seed)
    customers = [
        f"CUST-{customers_rng.randint(100000, 999999)}" for _ in range(130 + 130 * len(agents))
    ]
    rngs = [random.Random(agent.seed) for agent in agents]
    joined = [
        start
        if agent.weeks is None
        else max(start, (now - timedelta(weeks=agent.weeks)).replace(hour=0, minute=0, second=0))
        for agent in agents
    ]
    recent: list[tuple[str, str]] = []  # the team's recent (customer, purpose)
    histories: dict[str, list[dict[str, Any]]] = {agent.name: [] for agent in agents}
    day = start
    while day < now:
        # The day's contacts of everyone, in time order: a repeat follows what came before.
        slots: list[tuple[datetime, int]] = []
        for index, agent in enumerate(agents):
            if day < joined[index] or day.weekday() not in agent.workdays:
                continue
            rng = rngs[index]
            for _ in range(rng.randint(*agent.per_day)):
                at = day + timedelta(hours=8, minutes=rng.randint(0, 9 * 60))
                if at < now - timedelta(minutes=10):
                    slots.append((at, index))
        slots.sort()
        for at, index in slots:
            agent = agents[index]
            progress = (at - joined[index]) / (now - joined[index])
            raw = _one(rngs[index], agent, progress, taxonomy, phrases, customers, recent, at)
            histories[agent.name].append(raw)
        day += timedelta(days=1)
    return histories


def _purpose(rng: random.Random, agent: DemoAgent, taxonomy: Taxonomy) -> str:
    if not agent.focus:
        return rng.choice(taxonomy.purposes).code
    extra = dict(agent.focus)
    weights = {term.code: extra.get(term.group, 1) for term in taxonomy.purposes}
    return _pick(rng, weights)


def _one(rng, agent, progress, taxonomy, phrases, customers, recent, at) -> dict[str, Any]:
    # About one contact in eight is the same customer coming back about the same need, to
    # whoever on the team answers: in a team, often not the agent who had the first contact.
    if recent and rng.random() < 0.12:
        customer, purpose = rng.choice(recent[-40:])
        prior = rng.choice([1, 1, 2])
    else:
        customer = rng.choice(customers) if rng.random() < 0.85 else ""
        purpose = _purpose(rng, agent, taxonomy)
        prior = rng.choices([0, 1, 2, 3], weights=[78, 14, 6, 2])[0]
    group = taxonomy.purpose(purpose).group
    first, last = agent.resolve
    outcomes = dict(_OUTCOME_WEIGHTS)
    outcomes[Outcome.RESOLVED] *= first + (last - first) * progress
    outcome = _pick(rng, outcomes)
    if group == "information" and rng.random() < 0.6:
        outcome = Outcome.INFO_ONLY
    if outcome in (Outcome.RESOLVED, Outcome.INFO_ONLY):
        yes, no, unsure, not_asked = 78, 6, 8, 8
    else:
        yes, no, unsure, not_asked = 15, 45, 25, 15
    weights = [yes * agent.asks, no * agent.asks, unsure * agent.asks, not_asked]
    verdict = rng.choices(list(Verdict), weights=weights)[0]
    start_mood = rng.choices([-2, -1, 0, 1], weights=[12, 30, 45, 13])[0]
    if group == "complaints":
        start_mood = min(start_mood, rng.choice([-2, -1]))
    lift = rng.choices([-1, 0, 1, 2], weights=[6, 38, 40, 16])[0]
    raw: dict[str, Any] = {
        "at": at.isoformat(),
        "channel": _pick(rng, _CHANNEL_WEIGHTS).value,
        "purpose": purpose,
        "detail": rng.choice(phrases["details"][purpose]),
        "outcome": outcome.value,
        "verdict": verdict.value,
        "prior_contacts": prior,
        "prior_channels": sorted({rng.choice(Channel.codes()) for _ in range(prior)}),
        "customer_ref": customer,
        "mood_start": start_mood if rng.random() < 0.9 else None,
        "mood_end": max(-2, min(2, start_mood + lift)) if rng.random() < 0.9 else None,
        "notes": rng.choice(phrases["notes"]),
        "ideas": [],
    }
    if rng.random() < agent.idea_rate:
        text, area = rng.choice(phrases["ideas"])
        raw["ideas"].append({"text": text, "area": area})
    if group == "cancellation" or rng.random() < 0.02:
        raw["cancel_intent"] = True
        raw["cancel_reason"] = rng.choice(taxonomy.cancel_reasons).code
        raw["stayed"] = rng.random() < agent.save_rate
    if customer:
        recent.append((customer, purpose))
    return raw


def fill_demo_profile(profile: Profile, *, now: datetime | None = None) -> int:
    """Set up `profile` as a demo agent and log the demo history; returns how many."""
    if not profile.is_set_up:
        profile.set_up("Demo Agent", "Demo Team", "agent")
    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    raws = demo_contacts(profile, now=moment)
    service = ContactService(profile, clock=lambda: moment)
    service.log_many(raws)
    return len(raws)


# -- a whole team --------------------------------------------------------------------------


class DemoTeamError(ProfileError):
    """The demo team cannot be built where asked; the message says what to do."""


@dataclass(frozen=True)
class DemoTeam:
    team: str
    root: Path
    share: Path
    profiles: tuple[tuple[str, str, Path], ...]  # (name, role, folder): the lead first
    contacts: Mapping[str, int] = field(default_factory=dict)  # logged, per agent

    def folder(self, name: str) -> Path:
        """The profile folder of the person called `name` (KeyError if nobody is)."""
        return {person: folder for person, _role, folder in self.profiles}[name]


def build_demo_team(root: Path, *, now: datetime | None = None) -> DemoTeam:
    """Under `root` (new or empty): a share, a lead and four agents with eight weeks of
    history, every device approved and every profile synced with the others."""
    root = Path(root).expanduser().absolute()
    created = _prepare(root)
    try:
        return _build(root, now)
    except BaseException:
        # Everything in root is ours (it was empty): leave it as it was found.
        if created:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for child in root.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise


def _prepare(root: Path) -> bool:
    """Check that `root` is a new or empty folder and make it; True if it was made."""
    try:
        if root.exists() and not root.is_dir():
            raise DemoTeamError(
                f"{root} is a file; name a new or empty folder for the demo team.", "dir"
            )
        if root.is_dir():
            if any(root.iterdir()):
                raise DemoTeamError(
                    f"{root} already holds files; name a new or empty folder for the demo "
                    "team (nothing is ever overwritten).",
                    "dir",
                )
            return False
        root.mkdir(parents=True)
        return True
    except OSError as exc:
        raise DemoTeamError(
            f"Cannot use {root} for the demo team ({exc.strerror or exc}); "
            "name a folder you can write to.",
            "dir",
        ) from None


def _build(root: Path, now: datetime | None) -> DemoTeam:
    from cxcompanion.services.sync import SyncReport, SyncService

    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)

    def clock() -> datetime:
        return moment

    def synced(profile: Profile) -> None:
        report: SyncReport = SyncService(profile, clock=clock).sync()
        trouble = report.problems + [p["message"] for p in report.quarantined + report.stopped]
        if report.share != "online" or trouble:
            raise DemoTeamError(
                f"Syncing the demo team failed: {report.message or trouble[0]}", "dir"
            )

    share = root / "share"
    share.mkdir()
    with ExitStack() as closing:
        lead = Profile(root / _slug(DEMO_LEAD))
        closing.callback(lead.close)
        lead.set_up(DEMO_LEAD, DEMO_TEAM, "lead", str(share))
        agents: list[Profile] = []
        for agent in DEMO_AGENTS:
            profile = Profile(root / _slug(agent.name))
            closing.callback(profile.close)
            profile.set_up(agent.name, DEMO_TEAM, "agent", str(share))
            agents.append(profile)
        SyncService(lead, clock=clock).approve(None)
        # Logged after joining: customer references are hashed with the team's key, so a
        # customer who reaches two agents is the same pseudonym in both histories.
        histories = demo_team_contacts(lead.taxonomy, now=moment)
        for agent, profile in zip(DEMO_AGENTS, agents, strict=True):
            ContactService(profile, clock=clock).log_many(histories[agent.name])
            synced(profile)  # publishes, and imports the colleagues published before
        synced(lead)
        # The customers' verdicts from the survey tool, imported by the lead as a lead would.
        from cxcompanion.services.demo_surveys import import_demo_survey

        import_demo_survey(lead, root, clock)
        synced(lead)
        for profile in agents:
            synced(profile)  # the colleagues published after this agent's first sync
        from cxcompanion.services.demo_workspace import fill_demo_workspace

        fill_demo_workspace(lead, agents, clock, synced)
        synced(lead)  # the agents' answers
        for profile in agents:
            synced(profile)  # and what colleagues published since: every PC is up to date
        members = [(DEMO_LEAD, "lead", lead.folder)]
        members += [(a.name, "agent", p.folder) for a, p in zip(DEMO_AGENTS, agents, strict=True)]
    return DemoTeam(
        team=DEMO_TEAM,
        root=root,
        share=share,
        profiles=tuple(members),
        contacts={agent.name: len(histories[agent.name]) for agent in DEMO_AGENTS},
    )


def _slug(name: str) -> str:
    return name.split()[0].lower()


class ThrowawayDemoProfile(Profile):
    """One agent's profile in a demo team built in a temporary folder.

    Closing it deletes the whole team (share, lead and colleagues too), so the code that
    opens a profile and closes it when done needs nothing demo-specific.
    """

    def __init__(self, folder: Path, team_root: Path):
        super().__init__(folder)
        self.team_root = team_root

    def close(self) -> None:
        super().close()
        shutil.rmtree(self.team_root, ignore_errors=True)


def open_demo_profile(*, now: datetime | None = None) -> ThrowawayDemoProfile:
    """A demo team in a new temporary folder, opened as its first agent (`--demo`)."""
    import atexit
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="cxcompanion-demo-"))
    # Should the process end without closing the profile, the folder still goes.
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    try:
        team = build_demo_team(root, now=now)
        return ThrowawayDemoProfile(team.folder(DEMO_AGENTS[0].name), root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
