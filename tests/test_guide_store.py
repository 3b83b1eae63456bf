"""The compact guide store a searcher answers from: every guide comes back equal to the one loaded, unknown
ids are a KeyError, routing's heads need no parsing, and only a bounded number of guides stay parsed."""

from __future__ import annotations

import pytest


def test_guides_come_back_equal_and_heads_match():
    from assistant.config import get_settings
    from assistant.guides.loader import load_guides
    from assistant.guides.store import GuideStore

    guides = load_guides(get_settings().guides_dir)[0]
    store = GuideStore(guides, cache_size=4)
    assert len(store) == len(guides) and set(store) == {g.id for g in guides}
    for g in guides:
        assert store[g.id] == g
        head = store.heads[g.id]
        assert (head.matter_code, head.name, head.region_name) == (g.matter_code, g.name, g.region_name)
    assert store._parsed.cache_info().currsize == 4  # bounded: the rest are parsed again when asked
    with pytest.raises(KeyError):
        store["no-such-guide"]
    assert store.get("no-such-guide") is None
