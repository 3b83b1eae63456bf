"""What a search returns: section hits, the matter ranking with confidence, a look-alike unlisted matter."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Mode = Literal["hybrid", "dense", "bm25"]


class SectionHit(BaseModel):
    chunk_id: str
    guide_id: str
    matter_code: str
    name: str
    region_code: str
    region_name: str
    section: str
    score: float
    dense: float
    bm25: float
    snippet: str
    updated_at: str = ""


class MatterScore(BaseModel):
    matter_code: str
    name: str
    guide_id: str = Field(..., description="the guide chosen for the user's region")
    region_code: str
    region_name: str
    score: float
    confidence: float
    name_match: bool = False
    regions: list[str] = Field(default_factory=list, description="regions that have this matter")
    region_fallback: bool = Field(
        False, description="no guide in the user's region; another region's is used"
    )


class OtherMatterHit(BaseModel):
    """A known matter that has no guide here, when the question looks like it."""

    name: str
    score: float
    margin: float = Field(..., description="its score minus the best guide section's score")


class SearchResult(BaseModel):
    query: str
    region_code: str | None = None
    region_name: str | None = None
    region_source: Literal["given", "query", "none"] = "none"
    mode: Mode = "hybrid"
    stage: Literal["lexical", "hybrid", "dense", "bm25"] = Field(
        "hybrid", description="lexical: the words decided and the encoder was skipped (cascade)"
    )
    stage_reason: str = ""
    hits: list[SectionHit]
    matters: list[MatterScore]
    confidence: float = Field(..., description="confidence that the top matter is what the user means (0–1)")
    margin: float = Field(0.0, description="confidence gap between the first and second matter")
    other_matter: OtherMatterHit | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
