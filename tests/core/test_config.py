"""The typed configuration of the lower layers validates where it is made."""
from __future__ import annotations

import pytest

from core.config import IngestConfig, SearchConfig
from core.enums import FileStatus, SearchMode
from core.errors import ConfigError
from core.types import FileOutcome, IngestSummary


def test_defaults_are_valid_and_bad_values_say_which_field():
    assert SearchConfig().top_k == 5 and IngestConfig().chunk_size == 400
    with pytest.raises(ConfigError, match="top_k must be at least 1"):
        SearchConfig(top_k=0)
    with pytest.raises(ConfigError, match="score_threshold"):
        SearchConfig(score_threshold=5)
    with pytest.raises(ConfigError, match=r"chunk_overlap \(400\) must be smaller than chunk_size \(400\)"):
        IngestConfig(chunk_size=400, chunk_overlap=400)


def test_statuses_are_enums_that_compare_as_their_stored_strings():
    assert FileStatus.ADDED == "added" and SearchMode("dense") is SearchMode.DENSE
    summary = IngestSummary([FileOutcome("a.md", FileStatus.ADDED, chunks=3, pages=1),
                             FileOutcome("b.pdf", FileStatus.FAILED, "file is empty", code="unreadable"),
                             FileOutcome("c.md", FileStatus.SKIPPED, chunks=9)])
    assert summary.count(FileStatus.FAILED) == 1 and summary.chunks == 3  # skipped files add nothing
    assert [o.path for o in summary.failures] == ["b.pdf"]
