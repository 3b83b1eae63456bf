"""Calibration rows for guides imported without curation. Each in-scope calibration question is also read the way
the assistant meets a newly imported guide: its own matter re-imported from the portal with no aliases and no
summary (the rest of the knowledge base as it is). Fitted on both readings, the scope model does not count on
hand-written aliases to know a question is about a guide (issue 16, item 4)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.config import Settings


def uncurated_rows(
    settings: Settings, questions: dict[str, list[str]], progress: Callable[[str], None] | None = None
) -> list[np.ndarray]:
    """Scope feature vectors of the questions (matter code → in-scope questions about it), each read with
    its matter uncurated; one index build per matter."""
    from assistant.answer.scope import ScopeModel, ScopeParams
    from assistant.retrieval.uncurated import uncurated_searcher

    rows = []
    for code, texts in sorted(questions.items()):
        if progress:
            progress(code)
        with uncurated_searcher(settings, code) as (searcher, _how):
            model = ScopeModel(searcher, ScopeParams())
            rows += [model.features(t, searcher.search(t, k=8)).vector() for t in texts]
    return rows
