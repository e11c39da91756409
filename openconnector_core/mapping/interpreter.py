"""The mapping interpreter: walks a mapping definition for every record (behaviour reference §3).

It is the reference the compiled mappings (:mod:`.compiler`, what runs in production) are checked
against, case by case and on generated mappings; it stays simple on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core import php
from openconnector_core.twig.environment import TemplateRenderError
from openconnector_core.twig.limits import current_budget

from . import paths, rules
from .casts import CAST_ERRORS, DELETE, CastContext, resolve_casts
from .runner import Runner


class MappingInterpreter(Runner):
    """Runs mapping definitions by walking them for every object (the reference of the compiler)."""

    def _single_of(
        self, mapping: Mapping[str, Any], stored: bool = False
    ) -> Callable[[Any], dict[str, Any] | list[Any]]:
        return lambda data: self._run_single(mapping, data)

    def _run_single(self, mapping: Mapping[str, Any], data: Any) -> dict[str, Any] | list[Any]:
        if not isinstance(data, php.ARRAYS):
            raise rules.input_error(mapping, data)
        pass_through = php.truthy(mapping.get("passThrough"))
        encoded = paths.encode_keys(data, copy=False, clean=current_budget().clean_containers)
        # passThrough starts from a copy of the input of its own: rules read the input, not what
        # the rules before them wrote
        output: dict[str, Any] | list[Any] = paths.encode_keys(data, copy=True) if pass_through else {}
        if pass_through and isinstance(output, list):
            output = {str(index): item for index, item in enumerate(output)}

        definitions = mapping.get("mapping") or {}
        if type(definitions) is not dict and not isinstance(definitions, Mapping):  # dict first: ABC is slow
            definitions = {}
        for target, spec in definitions.items():
            target_key = str(target)
            if rules.is_number_key(target_key):
                raise rules.rule_error(mapping, target_key, spec, rules.NUMBER_KEY_CAUSE)
            output = paths.write(
                output, target_key, self._value_for(mapping, target_key, spec, encoded, data)
            )

        unset = mapping.get("unset")
        if isinstance(unset, list):
            for path in unset:
                output = paths.delete(output, php.to_string(path))

        cast_rules = mapping.get("cast") or {}
        if type(cast_rules) is dict or isinstance(cast_rules, Mapping):
            for path, spec in cast_rules.items():
                output = self._apply_casts(mapping, output, str(path), spec)

        return rules.root_rule(output) if isinstance(output, dict) else output

    def _value_for(self, mapping: Mapping[str, Any], target: str, spec: Any, encoded: Any, data: Any) -> Any:
        if spec is None:
            raise rules.rule_error(mapping, target, spec, rules.NULL_SPEC_CAUSE)
        if isinstance(spec, php.ARRAYS):
            return rules.literal_value(mapping, target, spec, encoded)
        if type(spec) is bool or type(spec) is float:
            return rules.scalar_spec(spec, encoded)
        text = spec if isinstance(spec, str) else php.to_string(spec)
        value = paths.lookup(encoded, text)
        if paths.found(value):
            return paths.deep_copy(value) if isinstance(value, php.ARRAYS) else value
        if "{" not in text:
            return rules.literal_text(text)
        try:
            return self.renderer.render(text, data)
        except TemplateRenderError as error:
            raise rules.rule_error(mapping, target, spec, error.message) from error

    def _apply_casts(
        self, mapping: Mapping[str, Any], output: dict[str, Any] | list[Any], path: str, spec: Any
    ) -> dict[str, Any] | list[Any]:
        value = paths.lookup(output, path)
        if not paths.found(value):
            return output
        context = CastContext(output, path)
        for function, argument in resolve_casts(spec):
            context.argument = argument
            try:
                new_value = function(value, context)
            except CAST_ERRORS as error:
                raise rules.rule_error(mapping, path, spec, str(error)) from error
            if new_value is DELETE:
                return paths.delete(output, path)
            if new_value is not value:
                value = new_value
                output = context.output = paths.write(output, path, value)
        return output
