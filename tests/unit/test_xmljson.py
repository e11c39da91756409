"""XML conversion beyond the corpus: security (XXE, entity bombs), edge cases, the response writer."""

from __future__ import annotations

import tracemalloc
from xml.parsers import expat

import pytest

from openconnector_core.xmljson import data_to_xml, request_body_to_data, source_response_to_data

CONVERTERS = [source_response_to_data, request_body_to_data]

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]><lolz>&lol9;</lolz>"
)


@pytest.mark.parametrize("convert", CONVERTERS)
def test_billion_laughs_is_refused_before_it_grows(convert) -> None:
    """Expanded, the document is 3 GB; refused early, a conversion never holds more than a few MB."""
    tracemalloc.start()
    try:
        assert convert(BILLION_LAUGHS) is None
        assert convert(BILLION_LAUGHS.replace("<lolz>&lol9;</lolz>", '<lolz a="&lol9;"/>')) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16_000_000


@pytest.mark.parametrize("convert", CONVERTERS)
def test_quadratic_blowup_is_refused(convert) -> None:
    document = '<!DOCTYPE r [<!ENTITY e "' + "x" * 20_000 + '">]><r>' + "<a>&e;</a>" * 5_000 + "</r>"
    assert convert(document) is None


def test_external_entities_are_never_loaded(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    document = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r><a>&x;</a></r>'
    assert "TOP-SECRET" not in repr(source_response_to_data(document))
    assert "TOP-SECRET" not in repr(request_body_to_data(document))
    assert source_response_to_data(document) == {"a": []}


def test_external_dtd_and_parameter_entities_are_not_loaded(tmp_path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "LEAKED">')
    document = f'<!DOCTYPE r SYSTEM "file://{dtd}"><r><a>1</a></r>'
    assert source_response_to_data(document) == {"a": {"#text": "1"}}
    pe = f'<!DOCTYPE r [<!ENTITY % p SYSTEM "file://{dtd}"> %p;]><r><a>&leak;</a></r>'
    assert "LEAKED" not in repr(source_response_to_data(pe))


def test_internal_entities_are_expanded_like_the_original() -> None:
    document = '<!DOCTYPE r [<!ENTITY e "x&amp;y"><!ENTITY f "a&e;b">]><r><a>&f;</a><c>q&f;</c></r>'
    assert source_response_to_data(document) == {"a": {"#text": "ax&yb"}, "c": {"#text": "qax&yb"}}
    # simplexml shows an entity reference that starts an element as a nested property.
    assert request_body_to_data(document) == {"a": {"f": {"f": "ax&yb"}}, "c": "qax&yb"}


@pytest.mark.parametrize("convert", CONVERTERS)
@pytest.mark.parametrize(
    "document", ["", "not xml", "<a>", "<a></b>", "<a/><b/>", "<a>&nope;</a>", "<a>\x01</a>"]
)
def test_not_well_formed_is_none(convert, document: str) -> None:
    assert convert(document) is None


def test_bytes_and_declared_encoding() -> None:
    latin1 = '<?xml version="1.0" encoding="ISO-8859-1"?><r><a>caf\xe9</a></r>'.encode("latin-1")
    assert source_response_to_data(latin1) == {"a": {"#text": "café"}}


def test_undeclared_prefix_keeps_the_qualified_name() -> None:
    assert source_response_to_data("<r><x:a>1</x:a></r>") == {"x:a": {"#text": "1"}}
    assert request_body_to_data("<r><x:a>1</x:a></r>") == {"x:a": "1"}


def test_request_body_shapes() -> None:
    assert request_body_to_data('<r id="1">txt</r>') == {"@attributes": {"id": "1"}, "0": "txt"}
    assert request_body_to_data("<r>txt</r>") == ["txt"]
    assert request_body_to_data("<r/>") == {}
    assert request_body_to_data("<r><!-- c --><!-- d --><a>1</a></r>") == {"comment": [[], []], "a": "1"}


def test_deep_documents_are_refused_not_crashing() -> None:
    document = "<a>" * 2_000 + "</a>" * 2_000
    assert source_response_to_data(document) is None
    assert request_body_to_data(document) is None


def test_expat_is_the_parser() -> None:
    assert expat.EXPAT_VERSION  # the stdlib parser; no network, no external DTD loading


def test_data_to_xml_default_wrapper() -> None:
    xml = data_to_xml({"a": 1, "b": [{"c": "x"}, {"c": "y"}], "tags": ["p", "q"], "0": None, "t": True})
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<response><value>')
    assert "<a>1</a>" in xml
    assert "<b><c>x</c></b><b><c>y</c></b>" in xml
    assert "<tags><item0>p</item0><item1>q</item1></tags>" in xml
    assert "<item0 />" in xml
    assert "<t>1</t>" in xml


def test_data_to_xml_root_attributes_text_and_escaping() -> None:
    xml = data_to_xml(
        {
            "@root": "zaak",
            "@attributes": {"v": "2"},
            "d": {"@attributes": {"id": "1"}, "#text": "T &amp;amp; <\r"},
            "@meta": "m",
            "e": [],
        }
    )
    assert '<zaak v="2">' in xml
    assert '<d id="1">T &amp; &lt;&#xD;</d>' in xml  # entities decoded twice, then escaped once
    assert "<meta>m</meta>" in xml
    assert "<e />" in xml
    assert source_response_to_data(xml) is not None  # what we write parses back
