"""Every mapping shipped in the original's configuration bundles runs through the engine on a
realistic input. The xxllnc-zgw mappings call each other by numeric database id; the id → file
table is the one the conformance corpus documents (``real-*`` case notes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine, validate_mapping
from tests.support.upstream_mappings import (
    ALL_MAPPING_FILES,
    FAILS_UPSTREAM_TOO,
    INPUTS,
    ZGW_MAPPINGS,
    load,
    xxllnc_case,
    zgw_resolver,
)


def test_every_upstream_mapping_file_has_an_input() -> None:
    assert {path.stem for path in ALL_MAPPING_FILES} == set(INPUTS)


@pytest.mark.parametrize("path", ALL_MAPPING_FILES, ids=lambda path: path.stem)
def test_upstream_mapping_runs(path: Path) -> None:
    # Given a mapping file from an upstream configuration bundle and a realistic input
    mapping = load(path)
    data, list_mode = INPUTS[path.stem]
    engine = MappingEngine(resolver=zgw_resolver())

    # When it runs / Then it produces an object (or fails exactly where upstream fails)
    if path.stem in FAILS_UPSTREAM_TOO:
        with pytest.raises(MappingError, match=f"key: {FAILS_UPSTREAM_TOO[path.stem]}, .*strip_tags"):
            engine.run(mapping, data, list_mode=list_mode)
        with pytest.raises(Exception, match="link"):
            validate_mapping(mapping)
        return
    result = engine.run(mapping, data, list_mode=list_mode)
    assert isinstance(result, dict)
    assert result


def test_xxllnc_case_to_zaak_uses_all_sub_mappings() -> None:
    # Given the real case → zaak mapping with its sub-mappings resolved by numeric id
    engine = MappingEngine(resolver=zgw_resolver())

    # When a full case is mapped
    zaak = engine.run(load(ZGW_MAPPINGS / "xxllnc-v1-case-to-zgw-zaak.json"), xxllnc_case())

    # Then the nested objects come from the sub-mappings
    assert zaak["identificatie"] == "7c1a0b1e-0000-4000-8000-000000000001"
    assert zaak["betalingsindicatie"] == "geheel"
    assert zaak["resultaat"] == {"toelichting": "Verleend", "resultaattype": "rt-1"}
    assert zaak["status"]["statustype"] == "st-2"
    assert zaak["status"]["indicatieLaatstGezetteStatus"] is True
    assert zaak["rollen"][0]["omschrijving"] == "Behandelaar"
    assert zaak["zaaktype"]["onderwerp"] == "Omgevingsvergunning"
    assert zaak["zaaktype"]["doorlooptijd"] == "P8W"
    assert {e["naam"] for e in zaak["eigenschappen"] if isinstance(e, dict)} == {"bouwkosten", "adres"}
    assert zaak["zaakinformatieobjecten"][0]["informatieobject"]["bestandsomvang"] == 2048
    assert "opschorting" not in zaak


def test_upstream_mappings_validate_except_known_broken() -> None:
    for path in ALL_MAPPING_FILES:
        if path.stem not in FAILS_UPSTREAM_TOO:
            validate_mapping(load(path))
