"""The limits of a mapping run end in a 400 that names them, through ``POST /api/mappings/test``."""

from __future__ import annotations

from tests.functional.conftest import Management

# One item maps to 4 M characters (four templates of 1 M, each within one run's limits).
_MILLION = "{{ range(1, 10000)|join('" + "x" * 100 + "') }}"


def test_list_mode_output_over_the_cap_is_a_400_naming_it(management: Management) -> None:
    response = management.post(
        "/api/mappings/test",
        {
            "inputObject": [{"n": index} for index in range(6)],
            "mapping": {"mapping": {"a": _MILLION, "b": _MILLION, "c": _MILLION, "d": _MILLION}},
            "list": True,
        },
    )

    assert response.status == 400, response.body
    assert response.body["error"] == "Mapping error"
    assert "list-mode output exceeds 20000000 characters" in response.body["message"]


def test_the_time_budget_is_a_400_naming_it(management: Management) -> None:
    # 60 searches of a 300,000-element array: far beyond the run's second
    response = management.post(
        "/api/mappings/test",
        {
            "inputObject": {"big": [f"{index:09d}" for index in range(300_000)]},
            "mapping": {
                "mapping": {
                    "x": "{% for i in range(1, 60) %}{% if 'absent' in big %}x{% endif %}{% endfor %}"
                }
            },
        },
    )

    assert response.status == 400, response.body
    assert "exceeded its time budget of 1.0 s" in response.body["message"]
