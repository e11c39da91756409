"""Issue 3 acceptance: every mapping file of the original's configurations is created through the
management API and run through ``POST /api/mappings/test`` on a realistic input; hostile templates
end in a 400 mapping error quickly and the service keeps answering."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.functional.conftest import Management
from tests.support.upstream_mappings import (
    ALL_MAPPING_FILES,
    FAILS_UPSTREAM_TOO,
    INPUTS,
    numeric_ids_from_corpus,
)


def with_slug_references(mapping: dict[str, Any]) -> dict[str, Any]:
    """The original's files name sub-mappings by database id (``executeMapping(4, …)``); ids do not
    travel between installations, so (as the conformance corpus does) they become slugs."""
    slugs = numeric_ids_from_corpus()
    text = re.sub(
        r"executeMapping\((\d+)",
        lambda match: f"executeMapping('{slugs[match.group(1)]}'",
        json.dumps(mapping),
    )
    return json.loads(text)


@pytest.fixture
def stored_mappings(management: Management) -> dict[str, dict[str, Any]]:
    created = {}
    for path in ALL_MAPPING_FILES:
        body = with_slug_references(json.loads(path.read_text(encoding="utf-8")))
        body["slug"] = path.stem if re.fullmatch(r"[a-z0-9-]+", path.stem) else None
        if path.stem in FAILS_UPSTREAM_TOO:
            # The original cannot run it either (filters Twig lacks); saving it names the key.
            response = management.post("/api/mappings", body)
            assert response.status == 400, response.text
            assert FAILS_UPSTREAM_TOO[path.stem] in response.body["message"]
            continue
        response = management.post("/api/mappings", body)
        assert response.status == 201, f"{path.name}: {response.text}"
        created[path.stem] = response.body
    return created


def test_every_upstream_mapping_is_created_and_runs_through_the_test_api(
    management: Management, stored_mappings: dict[str, dict[str, Any]]
) -> None:
    for stem, entity in stored_mappings.items():
        data, list_mode = INPUTS[stem]
        # By slug, as the original's references and our CLI use it …
        by_slug = management.post(
            "/api/mappings/test", {"inputObject": data, "mapping": entity["slug"], "list": list_mode}
        )
        assert by_slug.status == 200, f"{stem}: {by_slug.text}"
        assert by_slug.body["isValid"] is True
        assert by_slug.body["resultObject"], stem
        # … and inline, as the UI sends it: the same result.
        inline = management.post(
            "/api/mappings/test", {"inputObject": data, "mapping": entity, "list": list_mode}
        )
        assert inline.status == 200, f"{stem}: {inline.text}"
        assert inline.body["resultObject"].keys() == by_slug.body["resultObject"].keys(), stem


def test_the_case_to_zaak_mapping_resolves_its_stored_sub_mappings(
    management: Management, stored_mappings: dict[str, dict[str, Any]]
) -> None:
    data, _ = INPUTS["xxllnc-v1-case-to-zgw-zaak"]
    response = management.post(
        "/api/mappings/test", {"inputObject": data, "mapping": "xxllnc-v1-case-to-zgw-zaak"}
    )
    assert response.status == 200, response.text
    zaak = response.body["resultObject"]
    assert zaak["resultaat"]["toelichting"] == "Verleend"
    assert zaak["zaaktype"]["onderwerp"] == "Omgevingsvergunning"
    assert zaak["status"]["indicatieLaatstGezetteStatus"] is True


# Each hostile template with the bound that must stop it before it does the work it asks for
# (no wall-clock assertion: the bound on work is what keeps a run short on any machine).
HOSTILE = {
    "mro": ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' is unsafe"),
    "globals": ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__' is unsafe"),
    "huge-loop": (
        "{% for i in range(0, 10**9) %}x{% endfor %}",
        "range of 1000000001 elements exceeds the limit of 100000",
    ),
}


@pytest.mark.parametrize(("template", "bound"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_templates_are_stopped_by_their_bound_with_a_mapping_error(
    management: Management, template: str, bound: str
) -> None:
    response = management.post(
        "/api/mappings/test",
        {"inputObject": {"a": 1}, "mapping": {"name": "evil", "mapping": {"x": template}}},
    )

    assert response.status == 400
    assert response.body["error"] == "Mapping error"
    assert "evil" in response.body["message"] and "key: x" in response.body["message"]
    assert bound in response.body["message"]
    assert "Traceback" not in response.text
    assert management.get("/api/health").status == 200


def test_a_self_recursive_stored_mapping_stops_at_the_depth_bound(management: Management) -> None:
    created = management.post(
        "/api/mappings",
        {
            "name": "loop",
            "slug": "loop",
            "mapping": {"x": "{{ executeMapping('loop', _context)|json_encode }}"},
        },
    )
    assert created.status == 201, created.text

    response = management.post("/api/mappings/test", {"inputObject": {"a": 1}, "mapping": "loop"})

    assert response.status == 400
    assert response.body["error"] == "Mapping error"
    assert response.body["message"].endswith("executeMapping nested deeper than 16 levels")
    assert response.body["message"].count("Error for mapping: loop") == 17  # the run itself + 16 levels
    assert management.get("/api/health").status == 200


def test_saving_a_broken_mapping_is_a_400_naming_the_key(management: Management) -> None:
    for mapping, key in (
        ({"good": "a", "bad": "{% if %}"}, "bad"),
        ({"n": None}, "n"),
        ({"0": "a"}, "0"),
    ):
        response = management.post("/api/mappings", {"name": "broken", "mapping": mapping})
        assert response.status == 400, response.text
        assert key in json.dumps(response.body.get("fields")), response.text
    unknown_cast = management.post(
        "/api/mappings", {"name": "c", "mapping": {"a": "a"}, "cast": {"a": "nosuch"}}
    )
    assert unknown_cast.status == 400
    assert "nosuch" in unknown_cast.body["message"]
    assert management.get("/api/mappings").body["results"] == []  # nothing half-written


def test_the_upstream_mapping_files_are_there_and_are_mappings() -> None:
    """The acceptance above runs over every file; an empty or foreign corpus must not pass it."""
    assert len(ALL_MAPPING_FILES) >= 20
    not_mappings = [
        path.name
        for path in ALL_MAPPING_FILES
        if not isinstance(json.loads(path.read_text(encoding="utf-8")).get("mapping"), dict)
    ]
    assert not_mappings == []
