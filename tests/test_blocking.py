from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from goldenrec import (
    Blocker,
    BlockingLimitError,
    SortedNeighbourhood,
    TokenBlocking,
    block_on,
    phonetic,
    prefix,
)
from goldenrec._blocking import blocking_from_dict
from goldenrec.errors import ConfigError


def records(last: list[str | None], first: list[str | None] | None = None) -> pd.DataFrame:
    n = len(last)
    first = first or ["x"] * n
    frame = pd.DataFrame({
        "source": ["s"] * n, "record_key": [f"k{i}" for i in range(n)],
        "last_name_key": last, "first_name_key": first,
    })
    for field in ("last_name", "first_name"):
        frame[f"{field}_status"] = np.where(frame[f"{field}_key"].isna(), "missing", "valid")
    return frame


def brute_force(keys: list[str | None]) -> set[tuple[int, int]]:
    return {(i, j) for i, j in itertools.combinations(range(len(keys)), 2)
            if keys[i] is not None and keys[i] == keys[j]}


@pytest.mark.parametrize("seed", range(5))
def test_exact_blocking_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys: list[str | None] = [str(v) if v >= 0 else None
                              for v in rng.integers(-1, 6, size=40)]
    pairs = Blocker([block_on("last_name")]).block(records(keys))
    assert set(zip(pairs["row_l"], pairs["row_r"])) == brute_force(keys)
    assert (pairs["row_l"] < pairs["row_r"]).all()


def test_union_keeps_first_rule_and_counts() -> None:
    frame = records(["smith", "smith", "smyth", "jones"], ["ann", "ann", "ann", "bo"])
    blocker = Blocker([block_on("last_name"), block_on("first_name")])
    pairs = blocker.block(frame)
    got = {(a, b): r for a, b, r in zip(pairs["row_l"], pairs["row_r"], pairs["rule"])}
    assert got == {(0, 1): "last_name", (0, 2): "first_name", (1, 2): "first_name"}
    stats = blocker.stats_.set_index("rule")
    assert stats.loc["first_name", "pairs"] == 3
    assert stats.loc["first_name", "new_pairs"] == 2


def test_phonetic_and_prefix_keys() -> None:
    frame = records(["smith", "smyth", "jones", None])
    pairs = Blocker([block_on(phonetic("last_name", "soundex"))]).block(frame)
    assert set(zip(pairs["row_l"], pairs["row_r"])) == {(0, 1)}
    pairs = Blocker([block_on(prefix("last_name", 2))]).block(frame)
    assert set(zip(pairs["row_l"], pairs["row_r"])) == {(0, 1)}


def test_limit_is_checked_before_pairs_are_built() -> None:
    frame = records(["same"] * 300)
    with pytest.raises(BlockingLimitError, match="would produce 44,850 pairs") as caught:
        Blocker([block_on("last_name")], max_pairs=1000).block(frame)
    assert "same" not in str(caught.value)
    capped = Blocker([block_on("last_name")], max_pairs=1000, max_block_size=100)
    assert len(capped.block(frame)) == 0
    assert capped.stats_.loc[0, "skipped_blocks"] == 1


def test_invalid_values_never_block() -> None:
    frame = records(["a", "a"])
    frame["last_name_status"] = ["placeholder", "placeholder"]
    assert len(Blocker([block_on("last_name")]).block(frame)) == 0


def test_unknown_field_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="email"):
        Blocker([block_on("email")]).block(records(["a"]))


def test_sorted_neighbourhood_and_tokens() -> None:
    frame = records(["smith", "smiht", "smyth", "jones", None])
    pairs = Blocker([SortedNeighbourhood("last_name", window=2)]).block(frame)
    got = set(zip(pairs["row_l"], pairs["row_r"]))
    # sorted: jones, smiht, smith, smyth -> neighbours only
    assert got == {(1, 3), (0, 1), (0, 2)}
    frame = records(["acme trading", "acme", "trading post", "zeta", "acme"])
    blocker = Blocker([TokenBlocking("last_name", max_token_frequency=2)])
    got = set(zip(*(blocker.block(frame)[c] for c in ("row_l", "row_r"))))
    assert got == {(0, 2)}  # "acme" is in 3 records: skipped
    qgrams = Blocker([TokenBlocking("last_name", qgram=3)]).block(records(["abcd", "xbcd"]))
    assert len(qgrams) == 1
    for spec in (SortedNeighbourhood("x", 4), TokenBlocking("y", 2, 50), block_on("z")):
        assert blocking_from_dict(spec.to_dict()) == spec
    assert 0 < blocker.reduction_ratio_ <= 1
    assert "reduction_ratio" in blocker.stats_.columns


def test_canonical_key_pairs_a_nickname_with_its_full_name() -> None:
    import goldenrec as gr  # noqa: PLC0415

    frame = pd.DataFrame({"id": ["1", "2", "3", "4"],
                          "first_name": ["Bob", "Robert", "Roberta", "Rob"],
                          "last_name": ["Allen", "Allen", "Allen", "Baker"]})
    records = gr.Pipeline().normalise({"people": frame}).frame
    rule = gr.block_on(gr.canonical("first_name"), "last_name")
    pairs = gr.Blocker([rule]).block(records)
    assert list(zip(pairs["record_key_l"], pairs["record_key_r"])) == [("1", "2")]
    assert rule.name == "canonical(first_name) & last_name"
    assert blocking_from_dict(rule.to_dict()) == rule
