"""``openconnector objects list``: arguments, paging through ``next``, the table."""

from __future__ import annotations

import httpx
import pytest

from openconnector_local import cli, objects_cli
from openconnector_local.client import EXIT_USAGE, CliError, ManagementClient

REX = {"id": "1", "name": "Rex", "address": {"city": "Utrecht"}, "@self": {}}
PAGES = {
    None: {"results": [REX], "next": "t1"},
    "t1": {"results": [{"id": "2", "name": "Kit", "age": 5, "@self": {}}], "next": None},
}


def _client(seen: list[httpx.Request]) -> ManagementClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=PAGES[request.url.params.get("_next")])

    return ManagementClient("http://server", "tok", transport=httpx.MockTransport(handler))


def test_list_follows_next_and_sends_filters() -> None:
    arguments = cli.build_parser().parse_args(
        ["objects", "list", "zoo/pet", "--filter", "address.city=Utrecht", "--json"]
    )
    seen: list[httpx.Request] = []
    objects = objects_cli.fetch(_client(seen), arguments)
    assert [obj["id"] for obj in objects] == ["1", "2"]
    assert seen[0].url.path == "/api/objects/zoo/pet"
    assert seen[0].url.params["address.city"] == "Utrecht"
    assert seen[1].url.params["_next"] == "t1"


def test_the_table_has_id_and_top_level_fields() -> None:
    text = objects_cli.table([*PAGES[None]["results"], *PAGES["t1"]["results"]])  # type: ignore[list-item]
    header, _rule, first, second = text.splitlines()
    assert header.split() == ["id", "name", "address", "age"]
    assert first.split()[:3] == ["1", "Rex", '{"city":']
    assert second.split() == ["2", "Kit", "5"]
    assert objects_cli.table([]) == "(no objects)"


@pytest.mark.parametrize(("reference", "filters"), [("zoo", []), ("zoo/pet", ["novalue"])])
def test_bad_arguments_are_usage_errors(reference: str, filters: list[str]) -> None:
    argv = ["objects", "list", reference, *[part for f in filters for part in ("--filter", f)]]
    arguments = cli.build_parser().parse_args(argv)
    with pytest.raises(CliError) as caught:
        objects_cli.fetch(_client([]), arguments)
    assert caught.value.exit_code == EXIT_USAGE
