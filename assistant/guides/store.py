"""The guides a serving process answers from, held compactly: each guide as zlib-compressed JSON, parsed when
an answer needs it (about 0.1 ms), with the most recently used ones kept parsed. At 10k guides the parsed
objects took about 410 MB per process; compressed JSON takes about a tenth. Routing needs only each guide's
head (id, matter, name, region), which stays parsed.

Hand-written: a read-only mapping over pydantic's own JSON round trip; the standard library's lru_cache is the
cache (an explicit, bounded cache owned by the store)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from assistant.guides.schema import MatterGuide

PARSED_GUIDES = 256  # guides kept parsed per process: far more than one conversation or answer touches


class GuideHead(BaseModel):
    """What routing reads of every guide on every search."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    matter_code: str
    name: str
    region_code: str
    region_name: str
    updated_at: str


class GuideStore(Mapping[str, MatterGuide]):
    """Guide id → guide, read-only; guides are parsed on access (the same values each time)."""

    def __init__(self, guides: Iterable[MatterGuide], cache_size: int = PARSED_GUIDES):
        self._packed: dict[str, bytes] = {}
        self.heads: dict[str, GuideHead] = {}
        for g in guides:
            self._packed[g.id] = zlib.compress(g.model_dump_json().encode("utf-8"), 1)
            self.heads[g.id] = GuideHead.model_validate(g)
        self._parsed = lru_cache(maxsize=cache_size)(self._parse)

    def _parse(self, guide_id: str) -> MatterGuide:
        return MatterGuide.model_validate_json(zlib.decompress(self._packed[guide_id]))

    def __getitem__(self, guide_id: str) -> MatterGuide:
        if guide_id not in self._packed:
            raise KeyError(guide_id)
        return self._parsed(guide_id)

    def __contains__(self, guide_id: object) -> bool:
        return guide_id in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)
