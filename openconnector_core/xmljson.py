"""XML ⇄ JSON-like data, the three conventions of the original.

* ``source_response_to_data`` — XML pages of sources during synchronization (root dropped,
  ``@attributes``, ``#text`` always an object key, repeated siblings → list, text trimmed).
* ``request_body_to_data`` — XML bodies of gateway requests: PHP's ``json_encode(simplexml_load_string())``
  convention (text-only elements are plain strings, mixed content keeps only leading text, ...).
* ``data_to_xml`` — XML responses of the gateway (``Accept: application/xml``).

Parsing uses the standard library's expat on a private tree. External entities and external DTDs
are never loaded; internal entities are expanded by this module under a size budget, so entity
bombs are refused (the document counts as unparseable). Empty elements are ``[]`` as in the
original's JSON; an empty document root is ``{}``.
"""

from __future__ import annotations

import html
import re
from typing import Any
from xml.parsers import expat

__all__ = ["data_to_xml", "request_body_to_data", "source_response_to_data"]

MAX_DEPTH = 500
_MIN_BUDGET = 64 * 1024  # characters entity expansion may add, at least; else 10x the document
_BLANK = " \t\n\r"
_ENTITY_TOKEN = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[^\s&;<]+);|[&<]")
_PREDEFINED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class _Refused(Exception):
    """The document is not well-formed, or is refused (entity bomb, too deep)."""


# --------------------------------------------------------------------------- private tree


class _Text:
    __slots__ = ("cdata", "chunks")

    def __init__(self, cdata: bool = False) -> None:
        self.chunks: list[str] = []
        self.cdata = cdata

    @property
    def value(self) -> str:
        return "".join(self.chunks)


class _Entity:
    """An entity declaration: its replacement text parsed into text and entity references."""

    __slots__ = ("children", "name")

    def __init__(self, name: str, children: list[Any]) -> None:
        self.name = name
        self.children = children


class _EntityRef:
    __slots__ = ("entity",)

    def __init__(self, entity: _Entity) -> None:
        self.entity = entity


class _Other:
    """A comment or processing instruction (simplexml shows them as empty children)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _Element:
    __slots__ = ("attributes", "children", "name", "prefixes")

    def __init__(self, name: str, attributes: list[tuple[str, str]], prefixes: frozenset[str]) -> None:
        self.name = name
        self.attributes = attributes
        self.prefixes = prefixes  # namespace prefixes declared in scope
        self.children: list[Any] = []


def _prefix(name: str, prefixes: frozenset[str]) -> str | None:
    """The declared namespace prefix of a qualified name; an undeclared prefix is part of the name."""
    prefix, colon, _ = name.partition(":")
    return prefix if colon and prefix in prefixes else None


class _Builder:
    def __init__(self, size: int) -> None:
        self.budget = max(_MIN_BUDGET, 10 * size)
        self.entities: dict[str, _Entity] = {}
        self.raw_entities: dict[str, str | None] = {}
        self.stack: list[_Element] = []
        self.root: _Element | None = None
        self.in_cdata = False

    def parse(self, text: str | bytes) -> _Element:
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartCdataSectionHandler = self.start_cdata
        parser.EndCdataSectionHandler = self.end_cdata
        parser.CommentHandler = lambda _data: self.add_child(_Other("comment"))
        parser.ProcessingInstructionHandler = lambda target, _data: self.add_child(_Other(target))
        parser.EntityDeclHandler = self.entity_decl
        # With a default handler expat leaves internal entity references in content to us.
        parser.DefaultHandler = self.default
        try:
            parser.Parse(text.encode() if isinstance(text, str) else text, True)
        except expat.ExpatError as error:
            raise _Refused(str(error)) from error
        if self.root is None:
            raise _Refused("no root element")
        return self.root

    def add_child(self, node: Any) -> None:
        if self.stack:
            self.stack[-1].children.append(node)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused("document nested too deeply")
        scope = self.stack[-1].prefixes if self.stack else frozenset({"xml"})
        declared = {key[6:] for key in attrs if key.startswith("xmlns:")}
        attributes = [(k, v) for k, v in attrs.items() if k != "xmlns" and not k.startswith("xmlns:")]
        self.spend(sum(len(v) for _, v in attributes))
        element = _Element(name, attributes, scope | declared if declared else scope)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, _name: str) -> None:
        self.stack.pop()

    def characters(self, data: str) -> None:
        if not self.stack:
            return
        children = self.stack[-1].children
        last = children[-1] if children else None
        if isinstance(last, _Text) and last.cdata == self.in_cdata:
            last.chunks.append(data)
        else:
            node = _Text(cdata=self.in_cdata)
            node.chunks.append(data)
            children.append(node)

    def start_cdata(self) -> None:
        self.in_cdata = True
        self.add_child(_Text(cdata=True))  # an empty CDATA section is still a node

    def end_cdata(self) -> None:
        self.in_cdata = False

    def entity_decl(
        self, name: str, is_parameter: int, value: str | None, _base: Any, system_id: Any, *_: Any
    ) -> None:
        if is_parameter or name in self.raw_entities:
            return  # the first declaration wins, as in XML
        # External entities are never fetched: they expand to nothing.
        self.raw_entities[name] = value if value is not None and system_id is None else ""

    def default(self, data: str) -> None:
        if self.stack and len(data) > 2 and data[0] == "&" and data[-1] == ";":
            self.add_child(_EntityRef(self.entity(data[1:-1], ())))

    def entity(self, name: str, active: tuple[str, ...]) -> _Entity:
        if name in self.entities:
            return self.entities[name]
        raw = self.raw_entities.get(name)
        if raw is None or name in active:
            raise _Refused(f"undefined or recursive entity {name}")
        children: list[Any] = []
        position = 0
        for match in _ENTITY_TOKEN.finditer(raw):
            if match.group(1) is None:  # markup inside an entity: not supported, refused
                raise _Refused(f"markup in entity {name}")
            self.text_into(children, raw[position : match.start()])
            token = match.group(1)
            if token in _PREDEFINED:
                self.text_into(children, _PREDEFINED[token])
            elif token.startswith("#"):
                self.text_into(children, chr(int(token[2:], 16) if token[1] == "x" else int(token[1:])))
            else:
                children.append(_EntityRef(self.entity(token, (*active, name))))
            position = match.end()
        self.text_into(children, raw[position:])
        entity = _Entity(name, children)
        self.entities[name] = entity
        return entity

    def text_into(self, children: list[Any], text: str) -> None:
        if not text:
            return
        self.spend(len(text))
        if children and isinstance(children[-1], _Text):
            children[-1].chunks.append(text)
        else:
            node = _Text()
            node.chunks.append(text)
            children.append(node)

    def spend(self, size: int) -> None:
        self.budget -= size
        if self.budget < 0:
            raise _Refused("entity expansion too large")


def _parse(text: str | bytes) -> _Element | None:
    if not text:
        return None
    try:
        return _Builder(len(text)).parse(text)
    except _Refused:
        return None


def _string_value(children: list[Any], budget: list[int], inside: bool = False) -> str:
    """xmlNodeListGetString: text, CDATA and expanded entities directly in ``children``.

    Text that comes out of entities is charged to ``budget`` as it is produced, so nested
    entities ("billion laughs") are refused before they can grow.
    """
    parts: list[str] = []
    for node in children:
        if isinstance(node, _Text):
            if inside:
                budget[0] -= len(node.value) + 1
                if budget[0] < 0:
                    raise _Refused("entity expansion too large")
            parts.append(node.value)
        elif isinstance(node, _EntityRef):
            parts.append(_string_value(node.entity.children, budget, inside=True))
    return "".join(parts)


def _group(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Repeated names become a list at the position of the first occurrence."""
    grouped: dict[str, list[Any]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


# --------------------------------------------------------------------------- source responses


def source_response_to_data(text: str | bytes) -> dict[str, Any] | None:
    """A source's XML page as data (upstream ``SynchronizationService::xmlToArray``); ``None`` if not XML."""
    root = _parse(text)
    if root is None:
        return None
    try:
        result = _source_element(root, [max(_MIN_BUDGET, 10 * len(text))])
    except _Refused:
        return None
    return result if isinstance(result, dict) else {}


def _source_element(element: _Element, budget: list[int]) -> dict[str, Any] | list[Any]:
    result: dict[str, Any] = {}
    plain = {n: v for n, v in element.attributes if _prefix(n, element.prefixes) is None}
    prefixed = {n: v for n, v in element.attributes if _prefix(n, element.prefixes) is not None}
    if plain or prefixed:
        result["@attributes"] = {**plain, **prefixed}
    children = [
        (child.name, _source_element(child, budget))
        for child in element.children
        if isinstance(child, _Element) and _prefix(child.name, child.prefixes) is None
    ]
    result.update(_group(children))
    text = _string_value(element.children, budget).strip(" \t\n\r\0\x0b")
    if text:
        result["#text"] = text
    return result or []


# --------------------------------------------------------------------------- request bodies


def request_body_to_data(text: str | bytes) -> dict[str, Any] | list[Any] | None:
    """An XML request body as PHP's ``json_decode(json_encode(simplexml_load_string($body)), true)``.

    Returns ``None`` when the body is not XML. A root with only text gives ``["text"]``.
    """
    root = _parse(text)
    if root is None:
        return None
    try:
        result = _simplexml_object(root, [max(_MIN_BUDGET, 10 * len(text))])
    except _Refused:
        return None
    return result if result else {}


def _is_blank_text(node: Any) -> bool:
    return isinstance(node, _Text) and not node.cdata and not node.value.strip(_BLANK)


def _simplexml_value(node: Any, budget: list[int]) -> Any:
    """simplexml's ``_get_base_node_value``: the text when the first child is non-blank text."""
    children = node.children if isinstance(node, (_Element, _Entity)) else []
    first = children[0] if children else None
    if isinstance(first, _Text) and not first.cdata and not _is_blank_text(first):
        return _string_value(children, budget, inside=isinstance(node, _Entity))
    return _simplexml_object(node, budget)


def _simplexml_object(node: Any, budget: list[int]) -> dict[str, Any] | list[Any]:
    """The JSON form of a SimpleXMLElement (its property table); ``[]`` when it has none."""
    budget[0] -= 1  # entity references can repeat a subtree: count every object made
    if budget[0] < 0:
        raise _Refused("entity expansion too large")
    if isinstance(node, _EntityRef):
        return {node.entity.name: _simplexml_value(node.entity, budget)}
    if not isinstance(node, (_Element, _Entity)):
        return []
    properties: dict[str, Any] = {}
    if isinstance(node, _Element):
        attributes = {n: v for n, v in node.attributes if _prefix(n, node.prefixes) is None}
        if attributes:
            properties["@attributes"] = attributes
    texts: list[str] = []
    pairs: list[tuple[str, Any]] = []
    children = node.children
    for child in children:
        if isinstance(child, _Text):
            # Only a lone, non-blank text node is kept (as the value at index 0); CDATA never is.
            if len(children) == 1 and not child.cdata and not _is_blank_text(child):
                texts.append(child.value)
            continue
        if isinstance(child, _Element):
            if _prefix(child.name, child.prefixes) is None:
                pairs.append((child.name, _simplexml_value(child, budget)))
        elif isinstance(child, _EntityRef):
            pairs.append((child.entity.name, _simplexml_object(child, budget)))
        elif isinstance(child, _Other):
            pairs.append((child.name, []))
    properties.update(_group(pairs))
    if texts and len(properties) == 0:
        return texts
    for index, value in enumerate(texts):
        properties[str(index)] = value
    return properties or []


# --------------------------------------------------------------------------- gateway responses


def data_to_xml(data: Any) -> str:
    """Render response data as XML like the original's ``XMLResponse``.

    ``@root`` names the root element (otherwise ``<response><value>…</value></response>``);
    ``@attributes`` become attributes, ``#text`` the text, other ``@x`` keys element ``x``, numeric
    keys ``item{n}``, and a list under key ``k`` repeated ``<k>`` elements.
    """
    if isinstance(data, dict) and "@root" in data:
        root = _element_name(str(data["@root"]))
        body = {k: v for k, v in data.items() if k != "@root"}
        inner = _render_children(body)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{_wrap(root, body, inner)}\n'
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<response>{_render_node("value", data)}</response>\n'


def _element_name(key: str) -> str:
    if key.startswith("@"):
        key = key[1:]
    if key.isdigit():
        return f"item{key}"
    name = re.sub(r"[^\w.\-:]", "_", key) or "item"
    return name if re.match(r"[A-Za-z_:]", name) else f"_{name}"


def _escape_text(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "1" if value else ""  # PHP's (string) of a boolean
    else:
        text = str(value)
    # The original decodes HTML entities twice before writing text nodes.
    text = html.unescape(html.unescape(text))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#xD;")
        .replace('"', "&quot;")
    )


def _attributes(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    return "".join(f' {_element_name(str(k))}="{_escape_text(v)}"' for k, v in value.items())


def _wrap(name: str, value: Any, inner: str) -> str:
    attributes = _attributes(value.get("@attributes")) if isinstance(value, dict) else ""
    if not inner:
        return f"<{name}{attributes} />"
    return f"<{name}{attributes}>{inner}</{name}>"


def _render_children(value: dict[str, Any]) -> str:
    parts: list[str] = []
    for key, item in value.items():
        if key == "@attributes":
            continue
        if key == "#text":
            parts.append(_escape_text(item))
        elif isinstance(item, list) and any(isinstance(element, (dict, list)) for element in item):
            parts.extend(_render_node(key, element) for element in item)
        else:
            parts.append(_render_node(key, item))
    return "".join(parts)


def _render_node(key: str | int, value: Any) -> str:
    name = _element_name(str(key))
    if isinstance(value, dict):
        return _wrap(name, value, _render_children(value))
    if isinstance(value, list):
        inner = "".join(_render_node(index, item) for index, item in enumerate(value))
        return _wrap(name, None, inner)
    return _wrap(name, None, _escape_text(value))
