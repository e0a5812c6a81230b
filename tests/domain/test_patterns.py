"""The team lead's Patterns on the domain level: hand-made counts in, the arithmetic in the
comments, exact numbers out."""

from __future__ import annotations

import pytest

from cxcompanion.domain.metrics import Period
from cxcompanion.domain.patterns import (
    CancelCounts,
    CellCounts,
    PatternCounts,
    TeamCounts,
    anonymous_labels,
    build_patterns,
    cancel_pareto,
    funnel_plot,
    heat_map,
    repeats_by_purpose,
)

SALT = bytes.fromhex("5a" * 32)


def agents(*rows: tuple[str, int, int]) -> list[TeamCounts]:
    """(name, confirmed, asked) per agent."""
    return [TeamCounts(name, contacts=n, asked=n, confirmed=k) for name, k, n in rows]


# -- heat map ---------------------------------------------------------------------------------


def test_heat_map_counts_and_row_shares():
    cells = [
        CellCounts("billing.refund", "resolved", 9),
        CellCounts("billing.refund", "not_resolved", 4),
        CellCounts("orders.return", "resolved", 3),
        CellCounts("billing.refund", "escalated", 4),
        CellCounts("billing.refund", "resolved", 3),  # the same cell twice is added up
        CellCounts("orders.return", "follow_up", 2),
    ]
    heat = heat_map(cells)
    assert heat.outcomes[:3] == ("resolved", "partly_resolved", "not_resolved")
    assert [(r.purpose, r.contacts) for r in heat.rows] == [
        ("billing.refund", 20),  # 9 + 3 + 4 + 4, the busiest first
        ("orders.return", 5),  # 3 + 2
    ]
    refund = {c.outcome: (c.count, c.share.value) for c in heat.rows[0].cells}
    # 12/20 = 0.6, 4/20 = 0.2, 4/20 = 0.2; every other outcome 0/20 = 0.0
    assert refund["resolved"] == (12, 0.6)
    assert refund["not_resolved"] == (4, 0.2)
    assert refund["escalated"] == (4, 0.2)
    assert refund["info_only"] == (0, 0.0)
    assert len(refund) == 7
    share = heat.cell("billing.refund", "resolved").share
    assert share.n == 20 and share.low < 0.6 < share.high
    # five contacts: the counts stay, the shares are "not enough contacts yet"
    returns = heat.cell("orders.return", "follow_up")
    assert (returns.count, returns.share.value, returns.share.n) == (2, None, 5)


# -- funnel plot ------------------------------------------------------------------------------

# p̄ = (85 + 18 + 58 + 185 + 4) / (100 + 25 + 100 + 270 + 5) = 350 / 500 = 0.7.
# n = 25:  √(0.7·0.3/25)  = √0.0084 = 0.0916515
#          95%:   1.959964 · 0.0916515 = 0.1796337 -> 0.7 ± 0.1796 = [0.5203663, 0.8796337]
#          99.8%: 3.090232 · 0.0916515 = 0.2832245 -> [0.4167755, 0.9832245]
# n = 100: √(0.7·0.3/100) = √0.0021 = 0.0458258
#          95%:   1.959964 · 0.0458258 = 0.0898168 -> [0.6101832, 0.7898168]
#          99.8%: 3.090232 · 0.0458258 = 0.1416122 -> [0.5583878, 0.8416122]
# Ana 85/100 = 0.85 > 0.8416: above both. Ben 18/25 = 0.72: inside both.
# Cem 58/100 = 0.58: below 0.6102 (95%) but above 0.5584 (inside 99.8%).
# Dee 185/270 = 0.685, n = 270: [0.6453, 0.7547] inside. Eva 4/5: too few to place.
TEAM = agents(("Ana", 85, 100), ("Ben", 18, 25), ("Cem", 58, 100), ("Dee", 185, 270), ("Eva", 4, 5))


def test_funnel_limits_worked_by_hand():
    plot = funnel_plot("confirmed_resolution", TEAM, salt=SALT, reveal=True)
    assert plot.centre == pytest.approx(0.7, abs=1e-15)
    assert (plot.successes, plot.n, plot.higher_is_better) == (350, 500, True)
    by = {p.label: p for p in plot.points}
    assert by["Ben"].limits_95 == pytest.approx((0.5203663, 0.8796337), abs=1e-7)
    assert by["Ben"].limits_998 == pytest.approx((0.4167755, 0.9832245), abs=1e-7)
    assert by["Ana"].limits_95 == pytest.approx((0.6101832, 0.7898168), abs=1e-7)
    assert by["Ana"].limits_998 == pytest.approx((0.5583878, 0.8416122), abs=1e-7)
    assert by["Cem"].limits_95 == by["Ana"].limits_95  # the same n, the same funnel


def test_funnel_flags_each_agent_against_each_band():
    plot = funnel_plot("confirmed_resolution", TEAM, salt=SALT, reveal=True)
    bands = {p.label: (p.band_95, p.band_998) for p in plot.points}
    assert bands == {
        "Ana": ("above", "above"),
        "Ben": ("inside", "inside"),
        "Cem": ("below", "inside"),
        "Dee": ("inside", "inside"),
        "Eva": (None, None),
    }
    eva = next(p for p in plot.points if p.label == "Eva")
    assert (eva.n, eva.rate.value, eva.rate.successes) == (5, None, 4)


def test_funnel_limits_are_clipped_and_the_curve_spans_the_volumes():
    # p̄ = 19/20 = 0.95; at n = 1 the 99.8% band 0.95 ± 3.09·0.218 would leave [0, 1]
    plot = funnel_plot("confirmed_resolution", agents(("A", 19, 20)), salt=SALT)
    first, last = plot.curve[0], plot.curve[-1]
    assert first[0] == 1 and last[0] == 20
    assert first[4] == 1.0 and first[3] == pytest.approx(0.95 - 3.090232306167813 * 0.2179449)
    for n, low95, high95, low998, high998 in plot.curve:
        assert 0.0 <= low998 <= low95 <= 0.95 <= high95 <= high998 <= 1.0, n


def test_funnel_repeat_rate_is_the_lower_the_better_and_empty_agents_are_left_out():
    rows = [
        TeamCounts("Ana", repeat_n=40, repeats=4),
        TeamCounts("Ben", repeat_n=0, repeats=0),  # no settled contact with a reference
    ]
    plot = funnel_plot("repeat_rate", rows, salt=SALT, reveal=True)
    assert plot.higher_is_better is False
    assert [(p.label, p.rate.successes, p.n) for p in plot.points] == [("Ana", 4, 40)]
    assert plot.centre == pytest.approx(0.1)
    empty = funnel_plot("fcr", [], salt=SALT)
    assert (empty.centre, empty.points, empty.curve) == (None, (), ())
    with pytest.raises(ValueError, match="funnel compares"):
        funnel_plot("csat", rows, salt=SALT)


# -- anonymous labels -------------------------------------------------------------------------

# Six agents whose names, alphabetically, are also their rate order (Ada lowest, Fay highest).
RANKED = agents(
    ("Ada", 20, 100), ("Bo", 35, 100), ("Cy", 50, 100), ("Di", 65, 100), ("Ed", 80, 100),
    ("Fay", 95, 100),
)  # fmt: skip


def test_agents_are_anonymised_by_default_in_an_order_that_is_not_rank():
    plot = funnel_plot("confirmed_resolution", RANKED, salt=SALT)
    labels = [p.label for p in plot.points]
    assert labels == ["Agent A", "Agent B", "Agent C", "Agent D", "Agent E", "Agent F"]
    assert not {"Ada", "Bo", "Cy", "Di", "Ed", "Fay"} & set(labels)
    values = [p.rate.value for p in plot.points]
    # in label order the rates are neither ascending nor descending: no league table
    assert values != sorted(values) and values != sorted(values, reverse=True)
    assert values == [0.2, 0.8, 0.95, 0.65, 0.35, 0.5]  # this salt's order, pinned


def test_labels_follow_names_and_salt_only():
    names = [a.key for a in RANKED]
    labels = anonymous_labels(names, SALT)
    assert labels == anonymous_labels(list(reversed(names)), SALT)  # stable
    # the same agents with the opposite rates keep their labels: a label carries no rate
    flipped = agents(*[(a.key, 100 - a.confirmed, 100) for a in RANKED])
    plot = funnel_plot("confirmed_resolution", flipped, salt=SALT)
    assert {p.label: p.rate.successes for p in plot.points} == {
        labels[a.key]: 100 - a.confirmed for a in RANKED
    }
    assert anonymous_labels(names, b"another team") != labels  # per-team salt
    # ...and not the alphabet either (Ada, Ed, Fay, Di, Bo, Cy with this salt)
    assert [name for name, _ in sorted(labels.items(), key=lambda kv: kv[1])] == [
        "Ada", "Ed", "Fay", "Di", "Bo", "Cy",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="salt"):
        anonymous_labels(names, b"")


def test_a_label_never_equals_a_real_name_and_many_agents_get_letters():
    names = ["Agent A", "Agent B", "Zoe"]
    labels = anonymous_labels(names, SALT)
    assert not set(labels.values()) & set(names)
    assert len(set(labels.values())) == 3
    many = anonymous_labels([f"person {i}" for i in range(30)], SALT)
    assert sorted(many.values(), key=lambda s: (len(s), s))[-4:] == [
        "Agent AA", "Agent AB", "Agent AC", "Agent AD",
    ]  # fmt: skip


# -- repeats and cancellations ---------------------------------------------------------------


def test_purposes_with_the_most_repeats():
    cells = [
        CellCounts("billing.refund", "resolved", 12, repeat_n=10, repeats=1),
        CellCounts("billing.refund", "not_resolved", 5, repeat_n=4, repeats=3),
        CellCounts("orders.return", "resolved", 40, repeat_n=30, repeats=4),
        CellCounts("technical.cannot_log_in", "resolved", 6, repeat_n=3, repeats=0),
        CellCounts("account.update", "resolved", 8, repeat_n=0, repeats=0),  # no reference
    ]
    found = [(p.purpose, p.repeats, p.rate.n, p.rate.value) for p in repeats_by_purpose(cells)]
    # refund: 1 + 3 = 4 repeats of 10 + 4 = 14; return: 4 of 30. Tied on 4: the larger n first.
    assert found == [
        ("orders.return", 4, 30, pytest.approx(4 / 30)),
        ("billing.refund", 4, 14, pytest.approx(4 / 14)),
        ("technical.cannot_log_in", 0, 3, None),  # 3 contacts: not enough for a rate
    ]
    refund = repeats_by_purpose(cells)[1].rate
    assert refund.low < 4 / 14 < refund.high


def test_cancellation_reasons_as_a_pareto():
    pareto = cancel_pareto(
        [
            CancelCounts("moving", 5, 1),
            CancelCounts("price", 12, 3),
            CancelCounts(None, 2, 0),
            CancelCounts("competitor", 5, 4),
        ]
    )
    # total 24: price 12 (12/24 = 0.5), then the tie competitor/moving by code (17/24, 22/24),
    # the contacts without a reason last (24/24)
    assert [(r.reason, r.count, r.stayed) for r in pareto] == [
        ("price", 12, 3),
        ("competitor", 5, 4),
        ("moving", 5, 1),
        (None, 2, 0),
    ]
    assert [r.cumulative_share for r in pareto] == pytest.approx([0.5, 17 / 24, 22 / 24, 1.0])
    assert [r.share for r in pareto] == pytest.approx([0.5, 5 / 24, 5 / 24, 2 / 24])
    assert pareto[0].save_rate.value == 0.25 and pareto[0].save_rate.n == 12
    assert pareto[1].save_rate.value is None  # 5 contacts
    assert cancel_pareto([]) == ()


# -- all of it --------------------------------------------------------------------------------


def test_build_patterns_keeps_every_week_and_adds_up_the_team():
    period = Period(
        3, "2026-11-02", "2026-11-20T12:00:00Z", 7, ("2026-11-02", "2026-11-09", "2026-11-16")
    )
    counts = PatternCounts(
        agents=tuple(TEAM),
        weeks=(
            TeamCounts("2026-11-02", contacts=300, asked=300, confirmed=200, cancel_n=4, saved=1),
            TeamCounts("2026-11-16", contacts=200, asked=200, confirmed=150, cancel_n=6, saved=2),
        ),
        cells=(CellCounts("billing.refund", "resolved", 500),),
        cancels=(CancelCounts("price", 10, 3),),
    )
    patterns = build_patterns(period, counts, salt=SALT)
    assert [(w.key, w.contacts) for w in patterns.weekly] == [
        ("2026-11-02", 300),
        ("2026-11-09", 0),  # an empty week is kept
        ("2026-11-16", 200),
    ]
    assert (patterns.totals.asked, patterns.totals.confirmed) == (500, 350)
    assert patterns.rates["confirmed_resolution"].value == 0.7
    assert patterns.rates["save_rate"].value == 0.3  # 3 of 10
    assert patterns.rates["fcr"].n == 0 and patterns.rates["fcr"].value is None
    trend = patterns.trends["confirmed_resolution"]
    assert [p.centre for p in trend] == [0.7, 0.7, 0.7]
    # 200/300 = 0.667 within 0.7 ± 3·√(0.21/300) = ±0.0794; 150/200 = 0.75 within ±0.0972
    assert [(p.key, p.value, p.signal) for p in trend] == [
        ("2026-11-02", pytest.approx(2 / 3), None),
        ("2026-11-09", None, None),
        ("2026-11-16", 0.75, None),
    ]
    assert set(patterns.trends) == {"confirmed_resolution", "fcr", "repeat_rate"}
    assert patterns.funnel.metric == "confirmed_resolution" and not patterns.funnel.revealed
    assert all(p.label.startswith("Agent ") for p in patterns.funnel.points)
    assert patterns.heat_map.rows[0].contacts == 500
    assert patterns.cancel_reasons[0].cumulative_share == 1.0
