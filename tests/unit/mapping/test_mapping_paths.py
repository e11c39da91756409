"""Dot paths with the original's semantics (behaviour reference §3.4)."""

from __future__ import annotations

from openconnector_core.mapping import paths


def test_whole_key_is_looked_up_before_the_nested_walk() -> None:
    data = {"a.b": "whole", "a": {"b": "nested"}}
    assert paths.lookup(data, "a.b") == "whole"
    assert paths.lookup({"a": {"b": "nested"}}, "a.b") == "nested"


def test_list_indexes_and_null_exist() -> None:
    data = {"items": [{"name": "a"}, {"name": "b"}], "z": None}
    assert paths.lookup(data, "items.1.name") == "b"
    assert paths.exists(data, "z")
    assert not paths.exists(data, "items.2")
    assert not paths.exists(data, "items.01")
    assert not paths.exists({"a": "scalar"}, "a.b")
    assert not paths.exists({}, "a")


def test_writes_create_objects_and_replace_scalars() -> None:
    output = paths.write({"x": "1"}, "x.y", "v")
    assert output == {"x": {"y": "v"}}
    assert paths.write({}, "a.b.c", 1) == {"a": {"b": {"c": 1}}}


def test_writes_into_lists_append_or_turn_the_list_into_an_object() -> None:
    assert paths.write({"l": [1]}, "l.1", 2) == {"l": [1, 2]}
    assert paths.write({"l": [1]}, "l.5", 2) == {"l": {"0": 1, "5": 2}}


def test_delete_whole_key_then_nested_and_ignores_missing() -> None:
    assert paths.delete({"a.b": 1, "a": {"b": 2}}, "a.b") == {"a": {"b": 2}}
    assert paths.delete({"a": {"b": 2, "c": 3}}, "a.b") == {"a": {"c": 3}}
    assert paths.delete({"a": 1}, "x.y.z") == {"a": 1}


def test_deleting_the_first_list_element_leaves_an_object() -> None:
    assert paths.delete({"l": ["a", "b", "c"]}, "l.0") == {"l": {"1": "b", "2": "c"}}


def test_key_encoding_shares_unchanged_subtrees_unless_copying() -> None:
    shared = {"k": [1, 2]}
    data = {"a.b": 1, "plain": shared}
    encoded = paths.encode_keys(data, copy=False)
    assert encoded == {"a&#46;b": 1, "plain": shared}
    assert encoded["plain"] is shared
    assert paths.encode_keys({"x": shared}, copy=False)["x"] is shared
    assert paths.encode_keys({"x": shared}, copy=True)["x"] is not shared


def test_finish_output_decodes_keys_and_lists_sequential_objects() -> None:
    assert paths.finish_output({"a&#46;b": {"0": "x", "1": "y"}, "o": {"1": "z"}}) == {
        "a.b": ["x", "y"],
        "o": {"1": "z"},
    }


def test_key_encoding_remembers_clean_containers_of_a_run() -> None:
    clean: dict[int, object] = {}
    shared = {"k": [1, 2]}
    assert paths.encode_keys({"x": shared}, copy=False, clean=clean)["x"] is shared
    assert id(shared) in clean
    dotted = {"a.b": shared}
    assert paths.encode_keys(dotted, copy=False, clean=clean) == {"a&#46;b": shared}
    assert id(dotted) not in clean
