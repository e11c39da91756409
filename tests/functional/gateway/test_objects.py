"""The register/schema target and the rules that work on its objects, through the handler."""

from __future__ import annotations

import base64
from typing import Any

import pytest

PET = {
    "title": "Pet",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "toys": {"type": "array", "items": {"type": "string"}},
        "photo": {"type": "string"},
        "fileParts": {"type": "array"},
    },
    "required": ["name"],
}
PART = {"title": "Part", "type": "object", "properties": {"order": {"type": "integer"}}}


@pytest.fixture
def zoo(gateway: Any) -> Any:
    gateway.create("schemas", dict(PET))
    gateway.create("schemas", dict(PART))
    gateway.create("registers", {"title": "Zoo", "schemas": ["pet", "part"]})
    return gateway


def pets(gateway: Any, method: str = "GET", rules: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    return gateway.endpoint(
        "pets/{{id}}", method, targetType="register/schema", targetId="zoo/pet", rules=rules or [], **fields
    )


def test_crud_with_statuses(zoo: Any) -> None:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        pets(zoo, method)

    created = zoo.post("pets", {"name": "Rex", "age": 3})
    assert created.status == 201
    pet_id = created.body["id"]
    fetched = zoo.get(f"pets/{pet_id}", headers={"Accept-Crs": "EPSG:28992"})
    assert fetched.body["name"] == "Rex"
    assert fetched.header("Content-Crs") == "EPSG:28992"
    assert fetched.header("ETag")

    replaced = zoo.request("PUT", f"pets/{pet_id}", body={"name": "Max"})
    assert replaced.status == 200
    assert "age" not in replaced.body
    patched = zoo.request("PATCH", f"pets/{pet_id}", body={"age": 4})
    assert (patched.status, patched.body["name"], patched.body["age"]) == (200, "Max", 4)

    deleted = zoo.request("DELETE", f"pets/{pet_id}")
    assert deleted.status == 204
    assert deleted.text == ""
    missing = zoo.get(f"pets/{pet_id}")
    assert missing.status == 404
    assert missing.body["detail"] == "not found"
    assert missing.body["title"] == f"the object with id {pet_id} does not exist"


def test_validation_errors_become_invalid_params(zoo: Any) -> None:
    pets(zoo, "POST")

    answer = zoo.post("pets", {"age": -1})

    assert answer.status == 400
    assert answer.body["title"] == "Validation failed"
    properties = {param["property"]: param["code"] for param in answer.body["invalidParams"]}
    assert properties.get("name") == "required"
    assert properties.get("age") == "invalid value"


def test_collection_pages_with_absolute_links(zoo: Any) -> None:
    pets(zoo)
    for index in range(5):
        zoo.container.objects.create("zoo/pet", {"name": f"pet-{index}", "age": index % 2})

    first = zoo.get("pets", query={"_limit": "2"})
    assert first.body["count"] == 5
    assert [pet["name"] for pet in first.body["results"]] == ["pet-0", "pet-1"]
    assert first.body["next"] == (
        "https://openconnector.execute-api.eu-west-1.amazonaws.com/api/endpoint/pets?_limit=2&page=2"
    )
    assert "previous" not in first.body
    last = zoo.get("pets", query={"_limit": "2", "page": "3"})
    assert [pet["name"] for pet in last.body["results"]] == ["pet-4"]
    assert "next" not in last.body
    assert last.body["previous"].endswith("/api/endpoint/pets?_limit=2&page=2")
    filtered = zoo.get("pets", query={"age": "1"})
    assert filtered.body["count"] == 2


def test_default_status_code_and_sub_collections(zoo: Any) -> None:
    pets(zoo, "POST", configurations={"defaultStatusCode": 202})
    zoo.endpoint("pets/{{id}}/toys/{{toy_id}}", targetType="register/schema", targetId="zoo/pet")
    created = zoo.post("pets", {"name": "Rex", "toys": ["ball", "bone"]})
    assert created.status == 202
    pet_id = created.body["id"]

    toys = zoo.get(f"pets/{pet_id}/toys")
    assert toys.body == {"count": 2, "results": ["ball", "bone"]}
    assert zoo.get(f"pets/{pet_id}/toys/bone").body == "bone"
    assert zoo.get(f"pets/{pet_id}/toys/kite").status == 404


def test_locking_refuses_writes_by_others_with_423(zoo: Any) -> None:
    keys = {"k-ann": "ann", "k-bob": "bob"}
    auth = zoo.rule("authentication", {"authentication": {"type": "apikey", "keys": keys}})
    lock = zoo.rule("locking", {"locking": {"action": "lock", "duration": 600}}, timing="after")
    unlock = zoo.rule("locking", {"locking": {"action": "unlock"}}, timing="after")
    for name, rule in (("lock", lock), ("unlock", unlock)):
        zoo.endpoint(
            f"pets/{{{{id}}}}/{name}",
            "PATCH",
            targetType="register/schema",
            targetId="zoo/pet",
            rules=[auth, rule],
        )
    pets(zoo, "PATCH", rules=[auth])
    pet_id = zoo.container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]
    ann, bob = {"Authorization": "k-ann"}, {"Authorization": "k-bob"}

    locked = zoo.request("PATCH", f"pets/{pet_id}/lock", body={}, headers=ann)
    assert locked.status == 200, locked.text
    assert locked.body["locked"]["user"] == "ann"

    refused = zoo.request("PATCH", f"pets/{pet_id}", body={"age": 1}, headers=bob)
    assert refused.status == 423
    assert refused.header("Content-Type") == "application/problem+json"
    assert zoo.request("PATCH", f"pets/{pet_id}", body={"age": 2}, headers=ann).status == 200
    assert zoo.request("PATCH", f"pets/{pet_id}/unlock", body={}, headers=bob).status == 423
    assert zoo.request("PATCH", f"pets/{pet_id}/unlock", body={}, headers=ann).status == 200
    assert zoo.request("PATCH", f"pets/{pet_id}", body={"age": 3}, headers=bob).status == 200


def test_two_clients_racing_for_a_lock_cannot_both_get_it(zoo: Any) -> None:
    import threading

    from openconnector_core.gateway.locks import LockedError

    locks = zoo.container.gateway.locks
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def contend(user: str) -> None:
        barrier.wait()
        try:
            locks.lock("object-1", user, 60)
            winners.append(user)
        except LockedError:
            pass

    threads = [threading.Thread(target=contend, args=(f"user-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1
    assert locks.current("object-1")["user"] == winners[0]


def test_audit_trail_rule(zoo: Any) -> None:
    trail = zoo.rule("audit_trail", {}, timing="after")
    zoo.endpoint(
        "pets/{{id}}/audittrail/{{audittrail-id}}",
        targetType="register/schema",
        targetId="zoo/pet",
        rules=[trail],
    )
    pet_id = zoo.container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]
    zoo.container.objects.patch("zoo/pet", pet_id, {"age": 5})

    entries = zoo.get(f"pets/{pet_id}/audittrail")
    assert entries.status == 200
    assert [entry["action"] for entry in entries.body] == ["updated", "created"]
    assert zoo.get(f"pets/{pet_id}/audittrail/nope").status == 404


def test_save_object_rule_saves_the_mapped_body(zoo: Any) -> None:
    mapping = zoo.create("mappings", {"name": "adoption", "mapping": {"name": "{{ pet }}"}})
    save = zoo.rule(
        "save_object", {"save_object": {"register": "zoo", "schema": "pet", "mapping": mapping["slug"]}}
    )
    done = zoo.rule("error", {"error": {"code": 200, "name": "saved"}}, order=2)
    zoo.endpoint("adopt", "POST", rules=[save, done])

    answer = zoo.post("adopt", {"pet": "Luna", "owner": "Ann"})

    assert answer.status == 200
    stored = zoo.container.objects.list("zoo/pet").items
    assert [(pet["name"], "owner" in pet) for pet in stored] == [("Luna", False)]
    assert zoo.post("adopt", {"owner": "nobody"}).status == 400  # the mapped body misses name


def test_extend_input_loads_the_referred_object(zoo: Any) -> None:
    friend = zoo.container.objects.create("zoo/pet", {"name": "Buddy"}).object["id"]
    settings = {"properties": ["body.friend"], "register": "zoo", "schema": "pet"}
    extend = zoo.rule("extend_input", {"extend_input": settings})
    show = zoo.rule(
        "error",
        {"error": {"code": 200, "name": "extended", "includeJsonLogicResult": True}},
        order=2,
        conditions={"var": "extendedParameters.body.friend.name"},
    )
    zoo.endpoint("friends", "POST", rules=[extend, show])

    for reference in (friend, f"https://elsewhere.example/pets/{friend}"):
        answer = zoo.post("friends", {"friend": reference})
        assert answer.status == 200
        assert answer.body["errors"] == "Buddy"
    assert zoo.post("friends", {"friend": "not-a-uuid"}).status == 400  # not extended: the condition fails


def test_override_rule_writes_the_mapped_body_back(zoo: Any) -> None:
    mapping = zoo.create("mappings", {"name": "rename", "mapping": {"name": "renamed"}})
    rename = zoo.rule("mapping", {"mapping": mapping["id"]}, timing="after", order=1)
    override = zoo.rule("override", {}, timing="after", order=2)
    pets(zoo, "PATCH", rules=[rename, override])
    pet_id = zoo.container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]

    patched = zoo.request("PATCH", f"pets/{pet_id}", body={"age": 1})

    assert patched.body["name"] == "renamed"
    assert zoo.container.objects.get("zoo/pet", pet_id).object["name"] == "renamed"
    assert "age" not in zoo.container.objects.get("zoo/pet", pet_id).object


def test_write_file_then_download(zoo: Any) -> None:
    write = zoo.rule(
        "write_file",
        {"write_file": {"filePath": "body.photo", "fileNamePath": "body.photoName"}},
        timing="after",
    )
    download = zoo.rule("download", {}, timing="after")
    pets(zoo, "PATCH", rules=[write])
    zoo.endpoint("pets/{{id}}/download", targetType="register/schema", targetId="zoo/pet", rules=[download])
    pet_id = zoo.container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]
    content = b"\x89PNG binary \x00\xff"

    written = zoo.request(
        "PATCH", f"pets/{pet_id}", body={"photo": base64.b64encode(content).decode(), "photoName": "rex.png"}
    )
    assert written.status == 200, written.text
    assert written.body["photo"] == f"files/{pet_id}/rex.png"

    served = zoo.get(f"pets/{pet_id}/download")
    assert served.status == 200
    assert served.header("Content-Type") == "image/png"
    assert base64.b64decode(served.raw["body"]) == content
    assert served.raw["isBase64Encoded"] is True


def test_large_download_is_a_presigned_redirect(zoo: Any) -> None:
    download = zoo.rule("download", {}, timing="after")
    zoo.endpoint("pets/{{id}}/download", targetType="register/schema", targetId="zoo/pet", rules=[download])
    pet_id = zoo.container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]
    zoo.container.files.put(f"files/{pet_id}/big.bin", b"x" * (5 * 1024 * 1024))

    served = zoo.get(f"pets/{pet_id}/download")

    assert served.status == 302
    assert served.header("Location").startswith(f"memory://files/files/{pet_id}/big.bin")


DOCUMENT = {
    "title": "Document",
    "type": "object",
    "properties": {
        "filename": {"type": "string"},
        "size": {"type": "integer"},
        "fileParts": {"type": "array"},
    },
}


def test_chunked_upload_of_twelve_parts_assembles_in_numeric_order(zoo: Any) -> None:
    zoo.create("schemas", dict(DOCUMENT))
    zoo.create("registers", {"title": "Docs", "schemas": ["document", "part"]})
    setup = zoo.rule(
        "fileparts_create",
        {"fileparts_create": {"sizeLocation": "body.size", "schemaId": "part", "partSize": 3}},
        timing="after",
    )
    upload = zoo.rule("filepart_upload", {}, timing="after")
    download = zoo.rule("download", {}, timing="after")
    zoo.endpoint("documents", "POST", targetType="register/schema", targetId="docs/document", rules=[setup])
    zoo.endpoint("parts/{{id}}", "PATCH", targetType="register/schema", targetId="docs/part", rules=[upload])
    zoo.endpoint(
        "documents/{{id}}/download", targetType="register/schema", targetId="docs/document", rules=[download]
    )
    content = bytes(range(65, 65 + 34))  # 34 bytes → 12 parts of 3 (the last one 1 byte)

    created = zoo.post("documents", {"filename": "doc.bin", "size": 34})
    assert created.status == 201, created.text
    parts = created.body["fileParts"]
    assert [part["order"] for part in parts] == list(range(1, 13))
    document_id = created.body["id"]
    assert zoo.container.objects.get("docs/document", document_id).object["fileParts"] == [
        p["id"] for p in parts
    ]

    for part in reversed(parts):  # any arrival order
        start = (part["order"] - 1) * 3
        chunk = content[start : start + 3]
        answer = zoo.request("PATCH", f"parts/{part['id']}", body={"data": base64.b64encode(chunk).decode()})
        assert answer.status == 200, answer.text
        assert answer.body["successful"] is True
        assert "data" not in zoo.container.objects.get("docs/part", part["id"]).object

    served = zoo.get(f"documents/{document_id}/download")
    assert served.status == 200
    assert base64.b64decode(served.raw["body"]) == content


def test_references_become_gateway_urls_when_a_get_endpoint_serves_them(zoo: Any) -> None:
    friendly = {
        "title": "Friendly",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "friend": {"type": "string", "objectConfiguration": {"handling": "uri"}},
            "pals": {
                "type": "array",
                "items": {"type": "string"},
                "objectConfiguration": {"handling": "uri"},
            },
        },
    }
    zoo.create("schemas", friendly)
    zoo.create("registers", {"title": "Park", "schemas": ["friendly"]})
    store = zoo.container.objects
    buddy = store.create("park/friendly", {"name": "Buddy"}).object["id"]
    rex = store.create(
        "park/friendly", {"name": "Rex", "friend": buddy, "pals": [buddy, "not-a-uuid"]}
    ).object["id"]
    zoo.endpoint("friendly/{{id}}", "PATCH", targetType="register/schema", targetId="park/friendly")
    assert zoo.request("PATCH", f"friendly/{rex}", body={}).body["friend"] == buddy  # no GET endpoint yet

    zoo.endpoint("friends/{{id}}", targetType="register/schema", targetId="park/friendly")
    base = "https://openconnector.execute-api.eu-west-1.amazonaws.com/api/endpoint"

    item = zoo.get(f"friends/{rex}").body
    assert item["friend"] == f"{base}/friends/{buddy}"
    assert item["pals"] == [f"{base}/friends/{buddy}", "not-a-uuid"]
    assert item["id"] == rex
    listed = zoo.get("friends").body["results"]
    assert [pet.get("friend") for pet in listed] == [None, f"{base}/friends/{buddy}"]

    extended = zoo.get(f"friends/{rex}", query={"extend": "friend"}).body
    assert extended["friend"]["name"] == "Buddy"
    assert extended["pals"][0] == f"{base}/friends/{buddy}"


def test_paging_parameters_survive_a_before_rule(zoo: Any) -> None:
    auth = zoo.rule("authentication", {"authentication": {"type": "apikey", "keys": {"k": "u"}}})
    pets(zoo, rules=[auth])
    for index in range(3):
        zoo.container.objects.create("zoo/pet", {"name": f"pet-{index}"})

    page = zoo.get("pets", query={"_limit": "1", "_page": "2"}, headers={"Authorization": "k"}).body

    assert [pet["name"] for pet in page["results"]] == ["pet-1"]
    assert page["count"] == 3 and "next" in page and "previous" in page


def test_write_file_with_a_list_of_files(zoo: Any) -> None:
    write = zoo.rule("write_file", {"write_file": {"filePath": "photos"}}, timing="after")
    pets(zoo, "PATCH", rules=[write])
    pet_id = zoo.container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]
    photos = [
        {"filename": "a.txt", "label": "first", "content": base64.b64encode(b"one").decode()},
        {
            "filename": "b.txt",
            "label": "second",
            "content": "data:text/plain;base64," + base64.b64encode(b"two").decode(),
        },
    ]

    written = zoo.request("PATCH", f"pets/{pet_id}", body={"photos": photos})

    assert written.status == 200, written.text
    assert [photo["content"] for photo in written.body["photos"]] == [
        f"files/{pet_id}/a.txt",
        f"files/{pet_id}/b.txt",
    ]
    assert zoo.container.files.get(f"files/{pet_id}/b.txt") == b"two"
    assert zoo.container.objects.get("zoo/pet", pet_id).object["photos"][1]["label"] == "second"
    bad = zoo.request("PATCH", f"pets/{pet_id}", body={"photos": [{"filename": "c.txt", "content": "%%%"}]})
    assert bad.status == 400


def test_a_target_that_names_no_register_is_a_clear_500(zoo: Any) -> None:
    zoo.endpoint("ghosts/{{id}}", targetType="register/schema", targetId="nowhere/pet")

    answer = zoo.get("ghosts")

    assert answer.status == 500
    assert answer.body["detail"].startswith("Endpoint misconfigured: Unknown register 'nowhere'")


def test_a_warm_object_get_reads_no_register_or_schema(zoo: Any) -> None:
    pets(zoo)
    pet_id = zoo.container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]
    zoo.get(f"pets/{pet_id}")
    store = zoo.container.entity_store
    reads: list[str] = []
    original = store.get

    def counting(resource: str, key: str) -> Any:
        reads.append(resource)
        return original(resource, key)

    store.get = counting  # type: ignore[method-assign]

    assert zoo.get(f"pets/{pet_id}").body["name"] == "Rex"
    assert [r for r in reads if r in ("registers", "schemas")] == []
