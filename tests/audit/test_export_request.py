"""One request object for the three exporters: the same file from a request or keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgso4.audit.export import ExportRequest, export_csv, export_fhir, export_xlsx


@pytest.mark.parametrize("exporter", [export_csv, export_xlsx, export_fhir])
def test_a_request_and_its_keywords_make_the_same_export(
    exporter, small_demo: Path, key: bytes, tmp_path: Path
) -> None:
    request = ExportRequest(key=key, level="pseudonymised")
    by_request = exporter(small_demo, tmp_path / "a.out", request)
    by_keywords = exporter(small_demo, tmp_path / "b.out", key=key, level="pseudonymised")
    assert by_request.rows == by_keywords.rows
    assert by_request.level == by_keywords.level


def test_keywords_are_laid_over_the_request(small_demo: Path, key: bytes, tmp_path: Path) -> None:
    request = ExportRequest(key=key)
    result = export_csv(small_demo, tmp_path / "p.csv", request, level="pseudonymised")
    assert result.level.value == "pseudonymised"


def test_an_unknown_option_is_refused(small_demo: Path, key: bytes, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        export_csv(small_demo, tmp_path / "x.csv", key=key, levle="pseudonymised")
    assert not (tmp_path / "x.csv").exists()
