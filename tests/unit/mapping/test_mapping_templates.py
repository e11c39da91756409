"""The Twig dialect on sandboxed Jinja2: translation, PHP semantics, rendering rules, caching."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.twig.environment import TemplateRenderer, TemplateRenderError, compile_cache_info

DATA: dict[str, Any] = {
    "name": "Ada",
    "age": 36,
    "tags": ["x", "y", "z"],
    "user": {"first": "Ada", "address": {"city": "London"}},
    "nothing": None,
    "empty": "",
    "items": "I",
}


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return TemplateRenderer(functions={"callSource": lambda *args: "called:" + ",".join(map(str, args))})


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% if age > 40 %}a{% elseif age > 30 %}b{% else %}c{% endif %}", "b"),
        ("{% if age > 40 %}a{% elif age > 30 %}b{% endif %}", "b"),  # native Jinja
        (
            "{{ nothing is null ? 'y' : 'n' }}{{ nothing is none ? 'y' : 'n' }}"
            "{{ nope is not null ? 'y' : 'n' }}",
            "yyn",
        ),
        ("{{ nope is defined ? 1 : 0 }}{{ tags is iterable ? 1 : 0 }}{{ empty is empty ? 1 : 0 }}", "011"),
        ("{{ 'Hi ' ~ name ~ '!' }}", "Hi Ada!"),
        ('{{ "Hi #{name}, #{age + 1}" }}', "Hi Ada, 37"),
        ("{{ tags|json_encode }}", '["x","y","z"]'),
        ("{{ {'a': 1}|merge({'b': 2})|json_encode }}", '{"a":1,"b":2}'),
        ("{{ tags|merge(['w'])|join(',') }}", "x,y,z,w"),
        ("{{ '2024-03-21T12:34:56Z'|date('d-m-Y H:i') }}", "21-03-2024 12:34"),
        ("{{ 'now'|date('Y') > 2000 ? 'ok' : 'no' }}", "ok"),
        ("{{ nope|default }}|{{ nope|default('fb') }}", "|fb"),
        ("{{ [{'n': 1}, {'n': 2}]|map(i => i.n * 10)|join(',') }}", "10,20"),
        ("{{ [1, 2, 3, 4]|filter(v => v > 2)|join(',') }}", "3,4"),
        ("{% set n = 0 %}{% for t in tags %}{% set n = n + 1 %}{% endfor %}{{ n }}", "3"),
        ("{% for t in tags %}{% set inner = t %}{% endfor %}[{{ inner }}]", "[]"),
        ("{{ attribute(user, 'first') }}{{ _context['name'] }}", "AdaAda"),
        ("{% for t in tags %}{{ loop.index }}{{ loop.last ? '.' : ',' }}{% endfor %}", "1,2,3."),
        ("{{ tags|length }}{{ tags|first }}{{ tags|last }}{{ user|keys|join }}", "3xzfirstaddress"),
        ("{{ 'a,b'|split(',')|slice(1)|join }}{{ 'Hello %n%'|replace({'%n%': name}) }}", "bHello Ada"),
        (
            "{{ 2.5|round }}{{ 1234.5|number_format(1, ',', '.') }}{{ name|upper }}{{ ' x '|trim }}",
            "31.234,5ADAx",
        ),
        ("{{ (-3)|abs }}{{ -3|abs }}{{ range(1, 3)|join }}{{ max(1, 5, 3) }}{{ min([4, 2]) }}", "3-312352"),
        ("{{ '2024-02-28'|date_modify('+1 day')|date('Y-m-d') }}", "2024-02-29"),
        (
            "{{ 'aGVsbG8='|b64dec }}{{ 'hi'|b64enc }}{{ ('{\"k\":1}'|json_decode).k }}{{ 'A B_c'|slugify }}",
            "helloaGk=1a-b-c",
        ),
        ("{{ user.address.city }}{{ user['first'] }}{{ tags.1 }}{{ tags[2] }}", "LondonAdayz"),
        ("{{ items }}{{ user.items }}", "I"),  # data keys never reach Python attributes
        ("{{ true }}|{{ false }}|{{ null }}|{{ 1.0 }}|{{ 0.1 + 0.2 }}|{{ tags }}", "1|||1|0.3|Array"),
        ("{{ callSource('src', '/x') }}", "called:src,/x"),
        ("{{ generateUuid()|length }}", "36"),
        (
            "{% apply upper %}a{{ name }}{% endapply %}{% verbatim %}{{ raw }}{% endverbatim %}",
            "AADA{{ raw }}",
        ),
        ("a {{- name -}} b{# comment #}", "aAdab"),
        ("{{ '<b>' }}{{ name ~ '<i>' }}", "<b>Ada<i>"),
        ("Tom &amp; Jerry &#39;x&#39;", "Tom & Jerry 'x'"),
        ("{{ 'x' if age > 3 else 'y' }}", "x"),  # native Jinja conditional expression
        ("{% with {'a': 1} %}{{ a }}{{ name }}{% endwith %}[{{ a }}]", "1Ada[]"),
        ("{% with {'a': 1} only %}{{ a }}{{ name }}{% endwith %}{{ name }}", "1Ada"),
        ("{% block b %}in{% endblock %}!", "in!"),
        ('{{ "they\'re hello-world 1st"|title }}', "They're Hello-World 1St"),
        ("{{ 5|join }}|{{ nothing|join }}", "5|"),
        ("{{ nope ?? '&amp;' }}|{{ (-8) ** (1/3) }}|&#128;&#65;", "&|NAN|&#128;A"),
        (
            "{% set n = 0 %}{% for k, v in user %}{% set n = n + 1 %}{{ k }}{% endfor %}{{ n }}",
            "firstaddress2",
        ),
    ],
)
def test_render(renderer: TemplateRenderer, template: str, expected: str) -> None:
    assert renderer.render(template, DATA) == expected


def test_escaped_data_round_trips_and_entities_in_data_survive(renderer: TemplateRenderer) -> None:
    assert renderer.render("{{ t }}", {"t": "Tom & \"Jerry\" <b>'x'</b>"}) == "Tom & \"Jerry\" <b>'x'</b>"
    assert renderer.render("{{ t }}", {"t": "a &amp; b"}) == "a &amp; b"


def test_without_autoescape_nothing_is_escaped_or_decoded() -> None:
    renderer = TemplateRenderer(autoescape=False)
    assert renderer.render("{{ t }} &amp;", {"t": "<b>"}) == "<b> &amp;"


def test_translation_keeps_string_literals_intact(renderer: TemplateRenderer) -> None:
    # Operators and tags inside string literals must not be translated.
    template = "{{ 'a == b ~ {% if %} }}' ~ \"x ?? y\" }}"
    assert renderer.render(template, {}) == "a == b ~ {% if %} }}x ?? y"


@pytest.mark.parametrize(
    "template",
    [
        "{% if name %}x",
        "{{ a | nosuchfilter }}",
        "{{ name is fancy }}",
        "{{ nosuchfunction() }}",
        "{% for t in tags if t %}{% endfor %}",
        "{% include 'other' %}",
        "{{ 1 / 0 }}",
        "{{ nothing|merge([1]) }}",
        "{{ ('{bad'|json_decode).k }}",
    ],
)
def test_errors_are_template_render_errors(renderer: TemplateRenderer, template: str) -> None:
    with pytest.raises(TemplateRenderError) as caught:
        renderer.render(template, DATA)
    assert isinstance(caught.value, MappingError)


def test_unknown_filter_message_is_twig_like(renderer: TemplateRenderer) -> None:
    with pytest.raises(TemplateRenderError, match='Unknown "nosuchfilter" filter'):
        renderer.render("{{ a|nosuchfilter }}", {})


def test_templates_compile_once_per_process() -> None:
    # Given two renderers (engines may be built per request) with different injected functions
    first = TemplateRenderer(functions={"callSource": lambda *args: "one"})
    second = TemplateRenderer(functions={"callSource": lambda *args: "two"})
    template = "{{ name }}:{{ callSource('s') }}:{{ [1]|map(x => callSource(x))|join }}"
    before = compile_cache_info()

    # When both render the same template text repeatedly
    results = [first.render(template, {"name": "a"}), second.render(template, {"name": "b"})]
    results.append(first.render(template, {"name": "c"}))

    # Then it was compiled once, and each render used its own renderer's functions
    assert results == ["a:one:one", "b:two:two", "c:one:one"]
    assert first.compile(template) is second.compile(template)
    after = compile_cache_info()
    assert after.misses - before.misses == 1
    assert after.hits - before.hits >= 4


def test_a_function_the_renderer_lacks_is_unknown() -> None:
    TemplateRenderer(functions={"callSource": lambda *args: ""}).render("{{ callSource('x') }}", {})
    with pytest.raises(TemplateRenderError, match='Unknown "callSource" function'):
        TemplateRenderer().render("{{ callSource('x') }}", {})


def test_renders_do_not_leak_context_between_calls(renderer: TemplateRenderer) -> None:
    assert renderer.render("{% set x = 1 %}{{ x }}", {}) == "1"
    assert renderer.render("[{{ x }}]", {}) == "[]"


def test_constants_are_not_folded_into_the_cached_template() -> None:
    renderer = TemplateRenderer()
    assert renderer.render("{{ 4 is even }}|{{ 2.5|round }}", {}) == "1|3"
    first = renderer.render("{{ 'now'|date('U.u') }}", {})
    assert renderer.render("{{ 'now'|date('U.u') }}", {}) != first
