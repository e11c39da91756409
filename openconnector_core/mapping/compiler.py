"""Mappings compiled to one Python function each (what runs in production).

A mapping definition is turned into Python source once: constant paths become pre-split walks,
casts are bound to their functions (the common ones inlined), literal results are computed once,
and templates become Python functions (:mod:`openconnector_core.twig.compiler`) or, for the few
constructs only the sandboxed Jinja renderer takes, a call to it. The generated code does exactly
what :class:`~.interpreter.MappingInterpreter` does, step by step, including its errors; the
differential tests hold the two together.

Every string of the definition reaches the generated source only as a ``repr`` literal.
Compiled mappings are cached in a bounded LRU keyed by id, version, update time and revision for what
the store returned, by the definition's text for anything else: an updated mapping is never served
stale.
"""

from __future__ import annotations

import contextlib
import copy
import json
import marshal
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from openconnector_core import php
from openconnector_core.mapping import REVISION_KEY
from openconnector_core.twig import compiler as twig
from openconnector_core.twig import rendering
from openconnector_core.twig.environment import TemplateRenderer
from openconnector_core.twig.inline import Inliner, InlineTemplate, inline_template

from . import rules
from .casts import (
    CASTS,
    PREFIXED_CASTS,
    cast_names,
    resolve_cast,
)
from .generated import GLOBALS
from .memo import RenderMemo

CACHE_SIZE = 256
_LOOP = re.compile(r"^\s+for ", re.MULTILINE)  # a loop in a compiled template's source


@dataclass(frozen=True)
class Runtime:
    """What a compiled mapping needs from the engine running it."""

    functions: Mapping[str, Callable[..., Any]]  # the template functions, executeMapping included
    names: frozenset[str]
    renderer: TemplateRenderer  # for the templates only the Jinja renderer takes
    memo: RenderMemo  # renders kept for data seen before


@dataclass(frozen=True)
class CompiledMapping:
    single: Callable[[Any, Runtime], dict[str, Any] | list[Any]]  # one object, before finish_output
    source: str


# ---------------------------------------------------------------------- code generation


class _Generator:
    def __init__(self, mapping: Mapping[str, Any], inline: bool = True) -> None:
        self.mapping = mapping
        self.inliner = Inliner(GLOBALS["__builtins__"]) if inline else None
        self.running = False  # an inlined template checks the run's time: the budget is read once
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self.decoded: frozenset[str] = frozenset()  # targets whose text only jsonToArray reads
        self.fused: dict[str, tuple[str, Any]] = {}  # target → (unsetIfValue== argument, cast spec)
        self.memoized = False  # a template's render goes through the memo (needs the data's key)
        self.start = 0  # where the function body starts

    def constant(self, value: Any) -> str:
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return name

    def emit(self, text: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + text)

    def generate(self) -> CompiledMapping:
        mapping = self.mapping
        pass_through = php.truthy(mapping.get("passThrough"))
        definitions = mapping.get("mapping") or {}
        if type(definitions) is not dict and not isinstance(definitions, Mapping):
            definitions = {}
        definitions = dict(definitions)
        # Without passThrough the input's keys need no encoding when no spec names an encoded key
        # (``&#46;``) or checks literal arrays against the input: lookups walk the input itself.
        raw = not pass_through and not any(
            isinstance(spec, php.ARRAYS)
            or type(spec) is bool
            or type(spec) is float
            or (isinstance(spec, str) and "&#46;" in spec)
            for spec in definitions.values()
        )
        # Snapshots: the cached function must not change when the caller later changes its dict.
        self.constants["_MAPPING"] = {"name": copy.deepcopy(mapping["name"])} if "name" in mapping else {}
        self.emit("def single(data, rt):", 0)
        self.start = len(self.lines)
        self.emit("if not isinstance(data, _ARRAYS):")
        self.emit("    raise _input_error(_MAPPING, data)")
        if pass_through:
            # the output starts from a copy of its own: rules read the input, not what rules wrote
            self.emit("encoded = _encode(data, False, _budget().clean_containers)")
            self.emit("out = _encode(data, True, None)")
            self.emit("if isinstance(out, list):")
            self.emit("    out = {str(index): item for index, item in enumerate(out)}")
        elif raw:
            self.emit("out = {}")
        else:
            self.emit("encoded = _encode(data, False, _budget().clean_containers)")
            self.emit("out = {}")
        self.decoded = _decoded_targets(definitions, mapping.get("unset"), mapping.get("cast"))
        if not pass_through:
            self.fused = _fused_casts(definitions, mapping.get("unset"), mapping.get("cast"))
        for target, spec in definitions.items():
            self.rule(str(target), spec, raw)
        unset = mapping.get("unset")
        if isinstance(unset, list):
            for path in unset:
                self.emit(f"out = _delete(out, {php.to_string(path)!r})")
        cast_rules = mapping.get("cast") or {}
        if type(cast_rules) is dict or isinstance(cast_rules, Mapping):
            for path, spec in cast_rules.items():
                if str(path) not in self.fused:
                    self.casts(str(path), spec)
        self.emit("return _root(out) if type(out) is dict else out")
        source = "\n".join(self.lines) + "\n"
        namespace = {**GLOBALS, **self.constants, **(self.inliner.namespace if self.inliner else {})}
        try:
            code = compile(source, "<mapping>", "exec")
        except (SyntaxError, RecursionError, MemoryError):
            if self.inliner is None:
                raise
            return _Generator(mapping, inline=False).generate()  # too big or deep with templates inlined
        exec(code, namespace)  # noqa: S102 — every value is a literal, every inlined template checked
        return CompiledMapping(namespace["single"], source)

    # ------------------------------------------------------------------ the mapping pass

    def rule(self, target: str, spec: Any, raw: bool) -> None:
        prefix = rules.error_prefix(self.mapping, target, spec)
        if rules.is_number_key(target):
            self.emit(f"raise _fail({prefix!r}, {rules.NUMBER_KEY_CAUSE!r})")
            return
        if spec is None:
            self.emit(f"raise _fail({prefix!r}, {rules.NULL_SPEC_CAUSE!r})")
            return
        if isinstance(spec, php.ARRAYS):
            literal = self.constant(copy.deepcopy(spec))
            self.emit(f"value = _literal(_MAPPING, {target!r}, {literal}, encoded)")
            self.write(target)
            return
        if type(spec) is bool or type(spec) is float:
            self.emit(f"value = _scalar_spec({self.constant(spec)}, encoded)")
            self.write(target)
            return
        text = spec if isinstance(spec, str) else php.to_string(spec)
        if raw:
            # _first / _walk, their first step inlined: most specs that are templates stop there
            first, *rest = text.split(".")
            self.emit(f"value = data.get({first!r}, _M) if type(data) is dict else _first(data, {first!r})")
            if rest and ("{" in text or len(rest) > 3):
                self.emit("if value is not _M:")
                self.emit(f"    value = _walk(value, {tuple(rest)!r})")
            else:  # a path: its few steps inline, each as _walk takes it
                for depth, segment in enumerate(rest, 1):
                    self.emit("if value is not _M:", depth)
                    self.emit(
                        f"    value = value.get({segment!r}, _M) if type(value) is dict"
                        f" else _walk(value, ({segment!r},))",
                        depth,
                    )
            copier = "_copy"
        else:
            self.emit(f"value = _lookup(encoded, {text!r})")
            copier = "_deep_copy"
        self.emit("if value is not _M:")
        self.emit("    if isinstance(value, _ARRAYS):")
        self.emit(f"        value = {copier}(value)")
        self.emit("else:")
        if "{" not in text:
            self.emit(f"    value = {rules.literal_text(text)!r}")
        else:
            template = twig.compile_template(text, target in self.decoded)
            inline = inline_template(text) if self.inliner else None
            if template is None:
                self.jinja(text, prefix, 2)
            elif inline is not None:
                self.inline(inline, prefix)
            else:
                self.template(template, text, prefix, target in self.decoded)
        if target in self.fused:
            self.fused_write(target)
        else:
            self.write(target)

    def template(self, template: rendering.PythonTemplate, text: str, prefix: str, decoded: bool) -> None:
        """A rule's template run by its own function, errors described as the renderer does; one
        calling a function the engine lacks goes to the Jinja renderer, which reports it."""
        finisher = "_finish_value" if decoded else "_finish"
        functions = "rt.functions" if template.functions else "None"
        if template.functions or _LOOP.search(template.source):
            # worth keeping (mapping.memo): it loops or calls functions (executeMapping above all)
            if not self.memoized:
                self.memoized = True
                self.lines.insert(self.start, "    keys = {}")
            guarded = self.guarded_by(template, decoded)
            kept = guarded[2] if guarded is not None else template
            reads = None if kept.reads is None else tuple(sorted(kept.reads))
            function = self.constant(kept.function)
            call = f"rt.memo.render({function}, data, {functions}, {finisher}, keys, {reads!r})"
            if guarded is not None:  # its condition tested here: its texts, or its body kept
                before, holds, _, texts = guarded
                lines = [*before, f"value = {call} if {holds} else {finisher}({list(texts)!r})"]
            else:
                lines = [f"value = {call}"]
        else:
            lines = [f"value = {finisher}({self.constant(template.function)}(data, {functions}))"]
        depth = 2  # inside the rule's "else:"
        if template.functions:
            self.emit(f"    if {self.constant(template.functions)} <= rt.names:")
            depth = 3
        self.guarded(lines, prefix, depth)
        if template.functions:
            self.emit("    else:")
            self.jinja(text, prefix, 3)

    def guarded_by(
        self, template: rendering.PythonTemplate, decoded: bool
    ) -> tuple[list[str], str, rendering.PythonTemplate, tuple[str, ...]] | None:
        """A template's guard (twig.guards): statements and an expression true where its condition
        holds (inlined, or its render called), the template without the ``if``, and the texts."""
        guard = template.guard
        without = twig.compile_template(guard.body, decoded) if guard is not None else None
        if guard is None or without is None:
            return None
        if self.inliner is not None and (inlined := inline_template(guard.condition)) is not None:
            before, holds = self.inliner.statements(inlined)
            return before, holds, without, guard.texts
        tested = twig.compile_template(guard.condition)
        if tested is None:
            return None
        return [], f"{self.constant(tested.function)}(data, None)", without, guard.texts

    def inline(self, template: InlineTemplate, prefix: str) -> None:
        """A rule's template run in place (twig.inline), finished as rendering.finish does it."""
        assert self.inliner is not None
        if not self.running:
            self.running = True
            self.lines.insert(self.start, "    running = _running()")
        lines, out = self.inliner.statements(template)
        joined = (
            f"{out} if type({out}) is str else ''.join(({out},))" if template.single else f"''.join({out})"
        )
        finish = [
            "if running is not None and _now() > running.deadline:",
            "    running.check_time()",
            f"value = {joined}",
            "if '&' in value:",
            "    value = _decode(value)",
        ]
        self.guarded(lines + finish, prefix, 2)

    def guarded(self, lines: list[str], prefix: str, depth: int) -> None:
        """Statements whose errors are the rule's, described as the renderer does."""
        self.emit("try:", depth)
        for line in lines:
            self.emit(f"    {line}", depth)
        self.emit("except _ME as error:", depth)
        self.emit(f"    raise _fail({prefix!r}, error.message) from error", depth)
        self.emit("except Exception as error:", depth)
        self.emit(f"    raise _fail({prefix!r}, _describe(error)) from error", depth)

    def jinja(self, text: str, prefix: str, depth: int) -> None:
        self.emit("try:", depth)
        self.emit(f"    value = _render_jinja({text!r}, rt, data)", depth)
        self.emit("except _TRE as error:", depth)
        self.emit(f"    raise _fail({prefix!r}, error.message) from error", depth)

    def write(self, target: str) -> None:
        segments = tuple(target.split("."))
        if len(segments) == 1:
            self.emit(f"out[{target!r}] = value")
        elif len(segments) == 2:
            # paths.write for a.b: into an existing object, else a new one (a list takes the long way)
            first, last = segments
            self.emit(f"parent = out.get({first!r})")
            self.emit("if type(parent) is dict:")
            self.emit(f"    parent[{last!r}] = value")
            self.emit("elif type(parent) is not list:")
            self.emit(f"    out[{first!r}] = {{{last!r}: value}}")
            self.emit("else:")
            self.emit(f"    _write_segments(out, {segments!r}, value)")
        elif len(segments) == 3:  # the same one level deeper
            first, middle, last = segments
            self.emit(f"parent = out.get({first!r})")
            self.emit("if type(parent) is dict:")
            self.emit(f"    child = parent.get({middle!r})")
            self.emit("    if type(child) is dict:")
            self.emit(f"        child[{last!r}] = value")
            self.emit("    elif type(child) is not list:")
            self.emit(f"        parent[{middle!r}] = {{{last!r}: value}}")
            self.emit("    else:")
            self.emit(f"        _write_segments(out, {segments!r}, value)")
            self.emit("elif type(parent) is not list:")
            self.emit(f"    out[{first!r}] = {{{middle!r}: {{{last!r}: value}}}}")
            self.emit("else:")
            self.emit(f"    _write_segments(out, {segments!r}, value)")
        else:
            self.emit(f"_write_segments(out, {segments!r}, value)")

    def fused_write(self, target: str) -> None:
        """:meth:`write`, then the target's lone ``unsetIfValue==`` cast (see _fused_casts): a value the
        cast would delete is not written, the objects on its way are. A list on the way takes the long
        way: written, then cast as the cast pass would."""
        argument, spec = self.fused[target]
        keep = f"not ({_unset_test(argument)})"
        segments = tuple(target.split("."))
        if len(segments) == 1:
            self.emit(f"if {keep}:")
            self.emit(f"    out[{target!r}] = value")
            return
        if len(segments) == 2:
            first, last = segments
            self.emit(f"parent = out.get({first!r})")
            self.emit("if type(parent) is dict:")
            self.emit(f"    if {keep}:")
            self.emit(f"        parent[{last!r}] = value")
            self.emit("elif type(parent) is not list:")
            self.emit(f"    out[{first!r}] = {{{last!r}: value}} if {keep} else {{}}")
        else:
            first, middle, last = segments
            self.emit(f"parent = out.get({first!r})")
            self.emit("if type(parent) is dict:")
            self.emit(f"    child = parent.get({middle!r})")
            self.emit("    if type(child) is dict:")
            self.emit(f"        if {keep}:")
            self.emit(f"            child[{last!r}] = value")
            self.emit("    elif type(child) is not list:")
            self.emit(f"        parent[{middle!r}] = {{{last!r}: value}} if {keep} else {{}}")
            self.emit("    else:")
            self.the_long_way(target, spec, 3)
            self.emit("elif type(parent) is not list:")
            self.emit(f"    out[{first!r}] = {{{middle!r}: {{{last!r}: value}} if {keep} else {{}}}}")
        self.emit("else:")
        self.the_long_way(target, spec, 2)

    def the_long_way(self, target: str, spec: Any, depth: int) -> None:
        """Written into a list on the way, then cast right away (nothing else touches the target)."""
        self.emit(f"_write_segments(out, {tuple(target.split('.'))!r}, value)", depth)
        lines, self.lines = self.lines, []
        self.casts(target, spec)
        cast, self.lines = self.lines, lines
        for line in cast:
            self.emit(line, depth - 1)

    # ------------------------------------------------------------------ the cast pass

    def casts(self, path: str, spec: Any) -> None:
        resolved = [found for name in cast_names(spec) if (found := resolve_cast(name)) is not None]
        if not resolved:
            return
        prefix = rules.error_prefix(self.mapping, path, spec)
        segments = path.split(".")
        if len(segments) == 1:
            self.emit(f"value = out.get({path!r}, _M)")
        elif len(segments) == 2:  # the output's keys never hold a "." (written split): walk a.b
            self.emit(f"parent = out.get({segments[0]!r})")
            self.emit(
                f"value = parent.get({segments[1]!r}, _M) if type(parent) is dict else _lookup(out, {path!r})"
            )
        else:
            self.emit(f"value = _lookup(out, {path!r})")
        self.emit("if value is not _M:")
        self.emit("    try:")
        depth = 3
        for function, argument in resolved:
            depth = self.cast(function, argument, path, depth)
        self.emit("pass", depth)
        self.emit("    except _CE as error:")
        self.emit(f"        raise _fail({prefix!r}, str(error)) from error")

    def cast(self, function: Callable[..., Any], argument: str, path: str, depth: int) -> int:
        """One cast of a chain; returns the depth the next one goes at (after a possible delete)."""
        if function is PREFIXED_CASTS["unsetIfValue=="]:
            self.emit(f"if {_unset_test(argument)}:", depth)
            self.delete(path, depth + 1)
            self.emit("else:", depth)
            return depth + 1
        if function is CASTS["keyCantBeValue"]:
            self.emit(f"if _loose({path!r}, value):", depth)
            self.delete(path, depth + 1)
            self.emit("else:", depth)
            return depth + 1
        if function is PREFIXED_CASTS["setNullIfValue=="]:
            call = f"(None if _miv(value, {argument!r}) else value)"
        elif function is PREFIXED_CASTS["countValue:"]:
            call = f"_count(value, _CastContext(out, {path!r}, {argument!r}))"
        else:
            call = f"{self.constant(function)}(value, None)"
        self.emit(f"new = {call}", depth)
        self.emit("if new is _DELETE:", depth)
        self.delete(path, depth + 1)
        self.emit("else:", depth)
        self.emit("if new is not value:", depth + 1)
        self.emit("value = new", depth + 2)
        self.emit(f"out = _write(out, {path!r}, value)", depth + 2)
        return depth + 1

    def delete(self, path: str, depth: int) -> None:
        """paths.delete of ``path`` in the output (a dict without dotted keys): popped from the objects
        on the way; anything else (a list, a missing level of a long path) takes paths.delete."""
        segments = path.split(".")
        if len(segments) == 1:
            self.emit(f"out.pop({path!r}, None)", depth)
            return
        if len(segments) > 3:
            self.emit(f"out = _delete(out, {path!r})", depth)
            return
        self.emit(f"parent = out.get({segments[0]!r})", depth)
        if len(segments) == 3:
            self.emit("if type(parent) is dict:", depth)
            self.emit(f"    parent = parent.get({segments[1]!r})", depth)
        self.emit("if type(parent) is dict:", depth)
        self.emit(f"    parent.pop({segments[-1]!r}, None)", depth)
        self.emit("else:", depth)
        self.emit(f"    out = _delete(out, {path!r})", depth)


def _unset_test(argument: str) -> str:
    """``matches_if_value(value, argument)``, the predicate of ``unsetIfValue==argument``."""
    if argument == "":  # PHP-empty, or an array whose leaves all are
        return (
            "not value or value == '0' or ((type(value) is dict or type(value) is list) and _miv(value, ''))"
        )
    if not any(character.isdigit() for character in argument):
        # a string against a non-numeric string: PHP's == compares them as strings
        return f"value == {argument!r} if type(value) is str else _miv(value, {argument!r})"
    return f"_miv(value, {argument!r})"


def _fused_casts(definitions: Mapping[str, Any], unset: Any, cast_rules: Any) -> dict[str, tuple[str, Any]]:
    """The targets whose lone cast ``unsetIfValue==X`` can be applied as their rule writes them (the
    idiom of unsetting what a template left empty): a value it deletes is then never written. That
    gives the same output when nothing else reaches the value between the write and the cast: no
    other target, unset or cast inside or around it, except ``unsetIfValue==`` of empty around it
    (what else reads a whole object could see the member missing), no ``countValue`` (it reads
    other paths), and no passThrough (the output would already hold the key). Plain paths of up to
    three keys only."""
    if not (type(cast_rules) is dict or isinstance(cast_rules, Mapping)):
        return {}
    casts = [(str(path), spec) for path, spec in cast_rules.items()]
    if any(name.startswith("countValue") for _, spec in casts for name in cast_names(spec)):
        return {}
    targets = [str(target) for target in definitions]
    unsets = [php.to_string(path) for path in unset] if isinstance(unset, list) else []
    paths = [path for path, _ in casts]

    def around(path: str, target: str) -> bool:
        return path == target or path.startswith(target + ".") or target.startswith(path + ".")

    def empty_check(spec: Any) -> bool:
        names = cast_names(spec)
        return bool(names) and all(
            resolve_cast(name) == (PREFIXED_CASTS["unsetIfValue=="], "") for name in names
        )

    fused = {}
    for target, spec in casts:
        names = cast_names(spec)
        found = resolve_cast(names[0]) if len(names) == 1 else None
        segments = target.split(".")
        if (
            found is None
            or found[0] is not PREFIXED_CASTS["unsetIfValue=="]
            or targets.count(target) != 1
            or paths.count(target) != 1
            or len(segments) > 3
            or not all(segments)
            or "&" in target
            or any(rules.is_number_key(segment) for segment in segments)
        ):
            continue
        rule = definitions.get(target)
        if type(rule) is not str and type(rule) is not int:  # literal arrays, bool, float: not here
            continue
        if any(around(other, target) for other in targets if other != target):
            continue
        if any(around(path, target) for path in unsets):
            continue
        # an object around it is as empty with or without a member that is empty; a member deleted
        # for another value counts when the object is checked before it
        order = paths.index(target)
        if any(
            around(path, target)
            and (
                path.startswith(target + ".") or not empty_check(other) or (found[1] != "" and index < order)
            )
            for index, (path, other) in enumerate(casts)
            if path != target
        ):
            continue
        fused[target] = (found[1], spec)
    return fused


def _decoded_targets(definitions: Mapping[str, Any], unset: Any, cast_rules: Any) -> frozenset[str]:
    """The targets whose rendered text nothing reads but their own lone ``jsonToArray`` cast: no other
    target, unset or cast path inside or around them, no ``countValue`` (it reads other paths). There
    the text's decoded value can be written instead of the text (same result, see JsonText)."""
    if not (type(cast_rules) is dict or isinstance(cast_rules, Mapping)):
        return frozenset()
    specs = {str(path): spec for path, spec in cast_rules.items()}
    if any(name.startswith("countValue") for spec in specs.values() for name in cast_names(spec)):
        return frozenset()
    paths_seen = [str(target) for target in definitions] + list(specs)
    if isinstance(unset, list):
        paths_seen += [php.to_string(path) for path in unset]
    found = set()
    for target, spec in specs.items():
        if list(cast_names(spec)) != ["jsonToArray"] or target not in definitions:
            continue
        if not any(path.startswith(target + ".") or target.startswith(path + ".") for path in paths_seen):
            found.add(target)
    return frozenset(found)


# ---------------------------------------------------------------------- the cache


class _Cache:
    """A bounded LRU of compiled mappings (thread-safe: warm containers may map on several threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, CompiledMapping] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, mapping: Mapping[str, Any], stored: bool) -> CompiledMapping:
        key = cache_key(mapping, stored)
        found = self.items.get(key)  # a hit needs no lock: each OrderedDict call is atomic
        if found is not None:
            with contextlib.suppress(KeyError):  # evicted meanwhile by another thread: still valid
                self.items.move_to_end(key)
            self.hits += 1
            return found
        compiled = _Generator(mapping).generate()
        with self.lock:
            self.misses += 1
            self.items[key] = compiled
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return compiled


def cache_key(mapping: Mapping[str, Any], stored: bool) -> Any:
    """A stored mapping by id, version and update time; any other by its definition's text."""
    identity = mapping.get("id") or mapping.get("uuid")
    version = mapping.get("version")
    if stored and isinstance(identity, str | int) and isinstance(version, str) and version:
        return (
            "stored",
            identity,
            mapping.get("uuid"),
            version,
            str(mapping.get("updated")),
            str(mapping.get(REVISION_KEY)),
        )
    try:  # the exact definition (types, order, values); marshal is the quickest to say so
        return ("inline", marshal.dumps(cast(Any, mapping)))
    except ValueError:  # a Mapping that is not a dict, a str subclass, ...
        return ("text", json.dumps(mapping, default=_tagged, ensure_ascii=False))


def _tagged(value: Any) -> str:
    return f"<{type(value).__module__}.{type(value).__qualname__}:{value!r}>"


_CACHE = _Cache(CACHE_SIZE)


def compiled(mapping: Mapping[str, Any], stored: bool = False) -> CompiledMapping:
    """The compiled function of ``mapping`` (cached); ``stored``: it comes from the store as it is."""
    return _CACHE.get(mapping, stored)


def cache_info() -> tuple[int, int, int]:
    """(hits, misses, entries) of the process-wide cache."""
    return _CACHE.hits, _CACHE.misses, len(_CACHE.items)
