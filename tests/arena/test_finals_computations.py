"""Finals computations without a database: judges' totals, aggregation, agreement, the formula and the ranking."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from arena.errors import InvalidInput
from arena.finals.aggregation import (
    Method,
    MissingRule,
    Scale,
    aggregate,
    judge_deviation,
    judge_total,
    kendall_w,
    parse_method,
    zscores,
)
from arena.finals.formula import Entry, final_ranking, normalize_online, parse_formula

SCALES = [Scale(1, 2.0, 0.0, 10.0), Scale(2, 1.0, 1.0, 5.0)]


def test_a_judges_total_is_the_weighted_mean_of_points_scaled_by_each_range() -> None:
    assert judge_total({1: 5, 2: 3}, SCALES) == pytest.approx(0.5)
    assert judge_total({1: 10, 2: 1}, SCALES) == pytest.approx(2 / 3)
    assert judge_total({1: 10}, SCALES) is None, "a partly marked form is no total"


def test_mean_trimmed_and_zscore_by_hand() -> None:
    totals = {10: {1: 0.8, 2: 0.4}, 20: {1: 0.6, 2: 0.6}}
    everyone = {10: {1, 2}, 20: {1, 2}}
    mean = aggregate(totals, [1, 2], everyone, method=Method.MEAN, missing_rule=MissingRule.EXCLUDE)
    assert mean.scores == pytest.approx({1: 0.7, 2: 0.5})
    z = aggregate(totals, [1, 2], everyone, method=Method.ZSCORE, missing_rule=MissingRule.EXCLUDE)
    assert z.scores == pytest.approx({1: 0.5, 2: -0.5})
    three = {10: {1: 0.2}, 20: {1: 0.5}, 30: {1: 0.9}}
    trimmed = aggregate(three, [1], {}, method=Method.TRIMMED, missing_rule=MissingRule.EXCLUDE, trim_min_judges=3)
    assert trimmed.scores == pytest.approx({1: 0.5}) and trimmed.judges_counted == {1: 1}
    untrimmed = aggregate(three, [1], {}, method=Method.TRIMMED, missing_rule=MissingRule.EXCLUDE, trim_min_judges=4)
    assert untrimmed.scores[1] == pytest.approx(1.6 / 3), "fewer judges than declared: nothing is dropped"


def test_a_missing_mark_is_excluded_or_blocks() -> None:
    totals = {10: {1: 0.8}, 20: {1: 0.6, 2: 0.2}}
    owed = {10: {1, 2}, 20: {1, 2}}
    excluded = aggregate(totals, [1, 2], owed, method=Method.MEAN, missing_rule=MissingRule.EXCLUDE)
    assert excluded.scores == pytest.approx({1: 0.7, 2: 0.2}) and excluded.missing == [(10, 2)]
    assert not excluded.blocked
    assert aggregate(totals, [1, 2], owed, method=Method.MEAN, missing_rule=MissingRule.BLOCK).blocked


def test_kendalls_w_by_hand_with_and_without_ties() -> None:
    agree = {j: {1: 0.9, 2: 0.5, 3: 0.1} for j in (1, 2, 3)}
    assert kendall_w(agree) == pytest.approx(1.0)
    assert kendall_w({1: {1: 1.0, 2: 0.0}, 2: {1: 0.0, 2: 1.0}}) == pytest.approx(0.0)
    # ranks (1,2,3), (1,3,2), (2,1,3): rank sums 4, 6, 8; S = 8; W = 12·8 / (3²·(27−3)) = 4/9
    mixed = {1: {1: 3, 2: 2, 3: 1}, 2: {1: 3, 2: 1, 3: 2}, 3: {1: 2, 2: 3, 3: 1}}
    assert kendall_w(mixed) == pytest.approx(4 / 9)
    # ranks (1.5,1.5,3) and (1,2,3): S = 6.5; ties T = 2³−2 = 6; W = 12·6.5 / (4·24 − 2·6) = 78/84
    tied = {1: {1: 1.0, 2: 1.0, 3: 0.0}, 2: {1: 1.0, 2: 0.5, 3: 0.0}}
    assert kendall_w(tied) == pytest.approx(78 / 84)
    assert kendall_w({1: {1: 0.5, 2: 0.4}}) is None


def test_each_judges_deviation_from_the_others() -> None:
    deviation = judge_deviation({1: {1: 0.8}, 2: {1: 0.6}, 3: {1: 0.4, 2: 0.9}})
    assert deviation == pytest.approx({1: 0.3, 2: 0.0, 3: 0.3})


def test_an_unknown_method_is_refused_with_its_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_method("median")
    assert raised.value.field == "aggregation" and raised.value.params == {"value": "median"}


unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(
    values=st.lists(unit, min_size=2, max_size=8),
    scale=st.floats(min_value=0.05, max_value=20.0),
    shift=st.floats(min_value=-5.0, max_value=5.0),
)
def test_z_normalized_marks_do_not_change_under_a_positive_linear_change_of_scale(
    values: list[float], scale: float, shift: float
) -> None:
    assume(max(values) - min(values) > 1e-3)
    marks = dict(enumerate(values))
    changed = {k: scale * v + shift for k, v in marks.items()}
    assert zscores(changed) == pytest.approx(zscores(marks), abs=1e-6)
    other = {k: (v * 7 % 1.0) for k, v in marks.items()}
    before = aggregate({1: marks, 2: other}, list(marks), {}, method=Method.ZSCORE, missing_rule=MissingRule.EXCLUDE)
    after = aggregate({1: changed, 2: other}, list(marks), {}, method=Method.ZSCORE, missing_rule=MissingRule.EXCLUDE)
    assert after.scores == pytest.approx(before.scores, abs=1e-6)


@given(st.dictionaries(st.integers(0, 20), unit, min_size=1, max_size=10))
def test_normalized_online_scores_lie_in_0_1_with_the_best_at_1(values: dict[int, float]) -> None:
    for method in ("rank", "minmax"):
        for higher in (True, False):
            normalized = normalize_online(values, normalization=method, higher_is_better=higher)
            assert all(0.0 <= v <= 1.0 for v in normalized.values())
            best = max(values, key=lambda k: values[k] if higher else -values[k])
            assert normalized[best] == pytest.approx(1.0)


# -- the formula -------------------------------------------------------------------------------------


def test_formula_weights_must_be_known_non_negative_and_sum_to_one() -> None:
    formula = parse_formula({"weights": {"online": 0.6, "judges": 0.3, "reproduction": 0.1}})
    assert formula.normalization == "rank" and formula.to_dict()["weights"]["online"] == 0.6
    cases = [
        ({"weights": {"online": 0.6, "judges": 0.3}}, "formula.weights"),
        ({"weights": {"online": 1.2, "judges": -0.2}}, "formula.weights.judges"),
        ({"weights": {"popularity": 1.0}}, "formula.weights"),
        ({"weights": {"online": 1.0}, "normalization": "zscore"}, "formula.normalization"),
        ({"weights": {"online": 1.0}, "gates": ["judges"]}, "formula.gates"),
        ({"weights": {"online": 1.0}, "tie_break": ["luck"]}, "formula.tie_break"),
        ({"online": 1.0}, "formula"),
    ]
    for spec, field in cases:
        with pytest.raises(InvalidInput) as raised:
            parse_formula(spec)
        assert raised.value.field == field, spec
        assert "%(" in raised.value.template or not raised.value.params
    assert parse_formula({"weights": {"online": 0.7 + 1e-10, "judges": 0.3}}).weights["judges"] == 0.3


def test_a_ranking_by_hand_in_both_directions() -> None:
    formula = parse_formula({"weights": {"online": 0.6, "judges": 0.4}})
    entries = [Entry(1, 0.9, 0.5, None), Entry(2, 0.8, 0.9, None), Entry(3, 0.7, 0.5, None)]
    rows = final_ranking(formula, entries, higher_is_better=True)
    assert [(r.finalist_id, r.rank) for r in rows] == [(1, 1), (2, 2), (3, 3)]
    assert [r.total for r in rows] == pytest.approx([0.8, 0.66, 0.2])
    assert rows[1].components == pytest.approx({"online": 0.5, "judges": 0.9})
    lower = final_ranking(formula, entries, higher_is_better=False)
    assert [r.finalist_id for r in lower] == [3, 2, 1]
    minmax = parse_formula({"weights": {"online": 1.0}, "normalization": "minmax"})
    rows = final_ranking(minmax, [Entry(1, 0.1, None, None), Entry(2, 0.2, None, None), Entry(3, 0.4, None, None)])
    assert [r.components["online"] for r in rows] == pytest.approx([1.0, 1 / 3, 0.0])


def test_equal_totals_are_ties_unless_the_tie_break_separates_them() -> None:
    entries = [Entry(1, 0.9, 0.0, None), Entry(2, 0.1, 1.0, None), Entry(3, 0.5, 0.1, None)]
    plain = final_ranking(parse_formula({"weights": {"online": 0.5, "judges": 0.5}}), entries[:2])
    assert [(r.rank, r.tied) for r in plain] == [(1, True), (1, True)]
    broken = final_ranking(parse_formula({"weights": {"online": 0.5, "judges": 0.5}, "tie_break": ["judges"]}), entries)
    assert [(r.finalist_id, r.rank, r.tied) for r in broken] == [(2, 1, False), (1, 2, False), (3, 3, False)]


def test_a_gate_keeps_a_finalist_out_and_says_why() -> None:
    formula = parse_formula({"weights": {"online": 0.9, "reproduction": 0.1}, "gates": ["reproduction"]})
    rows = final_ranking(formula, [Entry(1, 0.5, None, True), Entry(2, 0.9, None, False), Entry(3, 0.4, None, None)])
    assert [(r.finalist_id, r.rank) for r in rows] == [(1, 1), (2, None), (3, None)]
    assert rows[0].total == pytest.approx(1.0), "the online score is normalized over the finalists left in"
    assert rows[1].gated_out and rows[1].gate_reasons == ["reproduction did not pass"]


def test_online_scores_are_normalized_within_each_track_in_its_own_direction() -> None:
    formula = parse_formula({"weights": {"online": 1.0}, "normalization": "minmax"})
    entries = [
        Entry(1, 0.9, None, None, track=1),
        Entry(2, 0.5, None, None, track=1),
        Entry(3, 12.0, None, None, track=2),  # an error metric: lower is better
        Entry(4, 30.0, None, None, track=2),
    ]
    rows = final_ranking(formula, entries, higher_is_better={1: True, 2: False})
    assert {r.finalist_id: r.components["online"] for r in rows} == {1: 1.0, 2: 0.0, 3: 1.0, 4: 0.0}
    assert [(r.rank, r.tied) for r in rows] == [(1, True), (1, True), (3, True), (3, True)]
