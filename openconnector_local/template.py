"""Reading a SAM template: the YAML dialect (CloudFormation short tags), Globals, Conditions and the
intrinsic functions the local stack needs to turn logical resources into names, ARNs and URLs."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NO_VALUE = object()
"""What ``Ref: AWS::NoValue`` resolves to: the surrounding key or list item disappears."""

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class TemplateError(Exception):
    """The template cannot be read or uses something the local stack cannot resolve."""


# --- YAML: CloudFormation short tags -------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns ``!Ref x`` into ``{"Ref": "x"}`` and ``!Sub s`` into ``{"Fn::Sub": s}``."""


def _construct_short_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - PyYAML has no other node kinds
        raise TemplateError(f"Unsupported node for !{tag_suffix}")
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_short_tag)


def load_yaml(text: str) -> dict[str, Any]:
    document = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass with CFN tags only
    if not isinstance(document, dict):
        raise TemplateError("The template is not a YAML mapping")
    return document


# --- Globals ---------------------------------------------------------------------------------------


def merge_globals(global_properties: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: maps merge (the resource wins), lists concatenate, scalars are replaced."""
    merged: dict[str, Any] = copy.deepcopy(dict(global_properties))
    for key, value in properties.items():
        existing = merged.get(key)
        if isinstance(existing, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            merged[key] = merge_globals(existing, value)
        elif isinstance(existing, list) and isinstance(value, list):
            merged[key] = existing + copy.deepcopy(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return (len(value) == 1 and next(iter(value)) in ("Ref", "Condition")) or any(
        key.startswith("Fn::") for key in value
    )


# --- The template ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    condition: str | None = None


RefResolver = Callable[[str], Any]
GetAttResolver = Callable[[str, str], Any]


@dataclass
class SamTemplate:
    """A parsed template with its parameters (defaults, then overrides) and evaluated conditions."""

    document: dict[str, Any]
    path: Path | None = None
    region: str = "eu-west-1"
    account_id: str = "123456789012"
    stack_name: str = "openconnector"
    parameter_overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parameters: dict[str, Any] = {}
        for name, spec in (self.document.get("Parameters") or {}).items():
            if name in self.parameter_overrides:
                self.parameters[name] = self.parameter_overrides[name]
            elif isinstance(spec, dict) and "Default" in spec:
                self.parameters[name] = spec["Default"]
        unknown = set(self.parameter_overrides) - set(self.parameters)
        if unknown:
            raise TemplateError(f"Unknown template parameters: {', '.join(sorted(unknown))}")
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    @classmethod
    def from_file(cls, path: Path, **kwargs: Any) -> SamTemplate:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise TemplateError(f"Cannot read the template {path}: {error}") from error
        return cls(load_yaml(text), path=path, **kwargs)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def pseudo_parameters(self) -> dict[str, Any]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }

    # Resources ---------------------------------------------------------------------------------

    def resources(self, type_: str | None = None) -> list[Resource]:
        """The resources whose Condition holds; functions carry their Globals already merged."""
        found = []
        global_functions = (self.document.get("Globals") or {}).get("Function") or {}
        for logical_id, raw in (self.document.get("Resources") or {}).items():
            if not isinstance(raw, dict):
                raise TemplateError(f"Resource {logical_id} is not a mapping")
            resource_type = str(raw.get("Type", ""))
            if type_ is not None and resource_type != type_:
                continue
            condition = raw.get("Condition")
            if condition is not None and not self.condition(str(condition)):
                continue
            properties = raw.get("Properties") or {}
            if resource_type == "AWS::Serverless::Function":
                properties = merge_globals(global_functions, properties)
            found.append(Resource(logical_id, resource_type, properties, condition))
        return found

    def resource(self, logical_id: str) -> Resource:
        for resource in self.resources():
            if resource.logical_id == logical_id:
                return resource
        raise TemplateError(f"Unknown resource {logical_id}")

    def dependencies(self, resource: Resource) -> set[str]:
        """Logical ids this resource refers to through Ref, GetAtt or Sub."""
        names = set((self.document.get("Resources") or {}).keys())
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key == "Ref" and isinstance(item, str):
                        found.add(item)
                    elif key == "Fn::GetAtt":
                        target = item[0] if isinstance(item, list) else str(item).split(".")[0]
                        found.add(str(target))
                    elif key == "Fn::Sub":
                        text = item[0] if isinstance(item, list) else item
                        for variable in _SUB_VARIABLE.findall(str(text)):
                            found.add(variable.split(".")[0])
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(resource.properties)
        return (found & names) - {resource.logical_id}

    def in_dependency_order(self, resources: list[Resource]) -> list[Resource]:
        by_id = {resource.logical_id: resource for resource in resources}
        ordered: list[Resource] = []
        state: dict[str, str] = {}

        def visit(logical_id: str) -> None:
            if state.get(logical_id) == "done":
                return
            if state.get(logical_id) == "visiting":
                raise TemplateError(f"Circular dependency through {logical_id}")
            state[logical_id] = "visiting"
            for dependency in sorted(self.dependencies(by_id[logical_id])):
                if dependency in by_id:
                    visit(dependency)
            state[logical_id] = "done"
            ordered.append(by_id[logical_id])

        for logical_id in by_id:
            visit(logical_id)
        return ordered

    # Conditions --------------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        conditions = self.document.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"Unknown condition {name}")
        if name in self._evaluating:
            raise TemplateError(f"Circular condition {name}")
        self._evaluating.add(name)
        try:
            value = bool(self.resolve(conditions[name], _no_ref, _no_getatt))
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    # Intrinsic functions -----------------------------------------------------------------------

    def resolve(self, value: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
        """Resolve intrinsic functions; ``ref``/``getatt`` answer for resources (parameters and
        pseudo parameters are answered here). ``AWS::NoValue`` removes keys and list items."""
        resolved = self._resolve(value, ref, getatt)
        return None if resolved is NO_VALUE else resolved

    def _resolve(self, value: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item, ref, getatt) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, argument = next(iter(value.items()))
            handler = _INTRINSICS.get(key)
            if handler is not None and not (key == "Condition" and not isinstance(argument, str)):
                return handler(self, argument, ref, getatt)
        result = {}
        for key, item in value.items():
            resolved = self._resolve(item, ref, getatt)
            if resolved is not NO_VALUE:
                result[key] = resolved
        return result

    def ref(self, name: str, ref: RefResolver) -> Any:
        pseudo = self.pseudo_parameters
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return ref(name)

    def sub(
        self, template: str, variables: Mapping[str, Any], ref: RefResolver, getatt: GetAttResolver
    ) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".")[0] in (self.document.get("Resources") or {}):
                logical_id, _, attribute = name.partition(".")
                return str(getatt(logical_id, attribute))
            return str(self.ref(name, ref))

        return _SUB_VARIABLE.sub(replace, template)


def _no_ref(name: str) -> Any:
    raise TemplateError(f"Conditions cannot refer to resource {name}")


def _no_getatt(name: str, attribute: str) -> Any:
    raise TemplateError(f"Conditions cannot use GetAtt {name}.{attribute}")


def _fn_ref(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    return t.ref(str(t._resolve(argument, ref, getatt)), ref)


def _fn_getatt(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    if isinstance(argument, str):
        logical_id, _, attribute = argument.partition(".")
    else:
        logical_id, attribute = (str(t._resolve(part, ref, getatt)) for part in argument)
    return getatt(logical_id, attribute)


def _fn_sub(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    if isinstance(argument, list):
        text, variables = argument[0], t._resolve(argument[1], ref, getatt)
    else:
        text, variables = argument, {}
    return t.sub(str(text), variables, ref, getatt)


def _fn_join(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    delimiter, items = argument
    return str(delimiter).join(str(item) for item in t._resolve(items, ref, getatt))


def _fn_select(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    index, items = t._resolve(argument, ref, getatt)
    return items[int(index)]


def _fn_split(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    delimiter, text = t._resolve(argument, ref, getatt)
    return str(text).split(str(delimiter))


def _fn_if(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    name, when_true, when_false = argument
    return t._resolve(when_true if t.condition(str(name)) else when_false, ref, getatt)


def _fn_equals(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    left, right = t._resolve(argument, ref, getatt)
    return str(left) == str(right)


def _fn_not(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    (operand,) = argument
    return not t._resolve(operand, ref, getatt)


def _fn_and(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    return all(t._resolve(operand, ref, getatt) for operand in argument)


def _fn_or(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    return any(t._resolve(operand, ref, getatt) for operand in argument)


def _fn_condition(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    return t.condition(str(argument))


def _fn_find_in_map(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    map_name, top_key, second_key = (str(part) for part in t._resolve(argument[:3], ref, getatt))
    try:
        return t.document["Mappings"][map_name][top_key][second_key]
    except (KeyError, TypeError) as error:
        raise TemplateError(f"FindInMap: no {map_name}.{top_key}.{second_key}") from error


def _fn_base64(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    return base64.b64encode(str(t._resolve(argument, ref, getatt)).encode()).decode()


def _fn_get_azs(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    return [f"{t.region}{zone}" for zone in "abc"]


def _fn_to_json_string(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    return json.dumps(t._resolve(argument, ref, getatt), separators=(",", ":"))


def _fn_import_value(t: SamTemplate, argument: Any, ref: RefResolver, getatt: GetAttResolver) -> Any:
    raise TemplateError("Fn::ImportValue refers to another stack; the local stack runs one template")


_INTRINSICS: dict[str, Callable[[SamTemplate, Any, RefResolver, GetAttResolver], Any]] = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_getatt,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::If": _fn_if,
    "Fn::Equals": _fn_equals,
    "Fn::Not": _fn_not,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Condition": _fn_condition,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64": _fn_base64,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::ToJsonString": _fn_to_json_string,
    "Fn::ImportValue": _fn_import_value,
}
