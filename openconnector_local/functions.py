"""The template's functions and what triggers them: HTTP API routes, SQS queues, schedules and
EventBridge rules. Everything the local stack runs is found here, so a function added to the template
later works without touching the local stack."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from openconnector_local.lambda_runtime import FunctionSpec
from openconnector_local.resources import StackResources
from openconnector_local.template import Resource, TemplateError

log = logging.getLogger("openconnector.local.functions")

FUNCTION_TYPES = ("AWS::Serverless::Function",)
OVERRIDABLE_PREFIXES = ("OPENCONNECTOR_", "POWERTOOLS_")
"""Variables of these families set in the shell that starts the stack win over the template's values
(in AWS they are template parameters; locally the shell is where you set them)."""


@dataclass(frozen=True)
class HttpRoute:
    method: str
    """Upper case, or ``ANY``."""
    path: str
    """``/api/{proxy+}`` style, or ``$default``."""
    function: str
    requires_auth: bool

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class SqsSource:
    function: str
    name: str
    queue_arn: str
    queue_url: str
    batch_size: int = 10
    report_batch_item_failures: bool = False


@dataclass(frozen=True)
class ScheduleSource:
    function: str
    name: str
    expression: str
    rule_arn: str
    input: Any = None
    """Parsed ``Input``: sent instead of the scheduled event when given."""


@dataclass(frozen=True)
class EventRuleSource:
    function: str
    name: str
    bus_name: str
    pattern: dict[str, Any]
    rule_arn: str
    input: Any = None
    input_path: str | None = None


@dataclass
class StackFunctions:
    specs: list[FunctionSpec] = field(default_factory=list)
    routes: list[HttpRoute] = field(default_factory=list)
    queues: list[SqsSource] = field(default_factory=list)
    schedules: list[ScheduleSource] = field(default_factory=list)
    event_rules: list[EventRuleSource] = field(default_factory=list)


def base_environment(
    region: str, endpoint_url: str, access_key: str = "testing", own_ports: tuple[int, ...] = ()
) -> dict[str, str]:
    """What Lambda and the emulator give every function, before the template's variables.
    ``own_ports``: the stack's and the emulator's ports, which no source call may reach."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "POWERTOOLS_TRACE_DISABLED": os.environ.get("POWERTOOLS_TRACE_DISABLED", "true"),
        "OPENCONNECTOR_LOCAL_PORTS": ",".join(str(port) for port in own_ports),
        # Locally an edited endpoint or rule answers at once (in AWS the gateway checks every 2 s).
        "OPENCONNECTOR_GATEWAY_CACHE_SECONDS": os.environ.get("OPENCONNECTOR_GATEWAY_CACHE_SECONDS", "0"),
    }


def discover(resources: StackResources, base_env: dict[str, str]) -> StackFunctions:
    template = resources.template
    found = StackFunctions()
    arns: dict[str, str] = {}
    for resource in template.resources():
        if resource.type not in FUNCTION_TYPES:
            continue
        spec = _function_spec(resources, resource, base_env)
        if spec is None:
            continue
        found.specs.append(spec)
        arns[spec.function_arn] = resource.logical_id
        for name, event in (resource.properties.get("Events") or {}).items():
            _add_event_source(found, resources, resource.logical_id, name, event)
    for resource in template.resources("AWS::ApiGatewayV2::Route"):
        route = _explicit_route(resources, resource, arns)
        if route is not None:
            found.routes.append(route)
    return found


def _function_spec(
    resources: StackResources, resource: Resource, base_env: dict[str, str]
) -> FunctionSpec | None:
    properties = resources.resolve(resource.properties)
    runtime = str(properties.get("Runtime", "python3.12"))
    code_uri = properties.get("CodeUri")
    if not runtime.startswith("python") or not isinstance(code_uri, str) or "Handler" not in properties:
        log.warning(
            "Skipping %s: the local stack runs Python functions with a local CodeUri", resource.logical_id
        )
        return None
    name = resources.ref(resource.logical_id)
    variables = {
        key: _environment_value(value)
        for key, value in ((properties.get("Environment") or {}).get("Variables") or {}).items()
    }
    for key in variables:
        if key.startswith(OVERRIDABLE_PREFIXES) and key in os.environ:
            variables[key] = os.environ[key]
    memory = int(properties.get("MemorySize", 128))
    environment = {
        **base_env,
        "AWS_LAMBDA_FUNCTION_NAME": str(name),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "LAMBDA_TASK_ROOT": str((resources.template.base_dir / code_uri).resolve()),
        "_HANDLER": str(properties["Handler"]),
        **variables,
    }
    concurrency = properties.get("ReservedConcurrentExecutions")
    return FunctionSpec(
        logical_id=resource.logical_id,
        function_name=str(name),
        function_arn=str(resources.getatt(resource.logical_id, "Arn")),
        code_dir=resources.template.base_dir / code_uri,
        handler=str(properties["Handler"]),
        environment=environment,
        timeout_seconds=float(properties.get("Timeout", 3)),
        memory_mb=memory,
        max_concurrency=max(1, min(int(concurrency), 8)) if concurrency is not None else 8,
    )


def _environment_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _enabled(properties: dict[str, Any]) -> bool:
    if str(properties.get("Enabled", True)).lower() == "false":
        return False
    return str(properties.get("State", "ENABLED")).upper() == "ENABLED"


def _add_event_source(
    found: StackFunctions, resources: StackResources, function: str, name: str, event: dict[str, Any]
) -> None:
    kind = event.get("Type")
    properties = resources.resolve(event.get("Properties") or {}) or {}
    template = resources.template
    rule_name = f"{template.stack_name}-{function}-{name}"
    rule_arn = f"arn:aws:events:{template.region}:{template.account_id}:rule/{rule_name}"
    if kind == "HttpApi":
        found.routes.append(
            HttpRoute(
                method=str(properties.get("Method", "ANY")).upper(),
                path=str(properties.get("Path", "$default")),
                function=function,
                requires_auth=_http_api_event_requires_auth(resources, event),
            )
        )
    elif kind == "SQS":
        if not _enabled(properties):
            return
        queue_arn = str(properties["Queue"])
        queue_name = queue_arn.rsplit(":", 1)[-1]
        found.queues.append(
            SqsSource(
                function=function,
                name=name,
                queue_arn=queue_arn,
                queue_url=f"{resources.endpoint_url}/{template.account_id}/{queue_name}",
                batch_size=int(properties.get("BatchSize", 10)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (properties.get("FunctionResponseTypes") or []),
            )
        )
    elif kind in ("Schedule", "ScheduleV2"):
        if not _enabled(properties):
            return
        expression = properties.get("Schedule") or properties.get("ScheduleExpression")
        if not expression:
            raise TemplateError(f"{function}.{name}: a schedule without an expression")
        found.schedules.append(
            ScheduleSource(
                function=function,
                name=str(properties.get("Name") or name),
                expression=str(expression),
                rule_arn=rule_arn,
                input=_parsed_input(properties.get("Input")),
            )
        )
    elif kind in ("EventBridgeRule", "CloudWatchEvent"):
        if not _enabled(properties):
            return
        found.event_rules.append(
            EventRuleSource(
                function=function,
                name=str(properties.get("RuleName") or name),
                bus_name=str(properties.get("EventBusName") or "default").rsplit("/", 1)[-1],
                pattern=properties.get("Pattern") or {},
                rule_arn=rule_arn,
                input=_parsed_input(properties.get("Input")),
                input_path=properties.get("InputPath"),
            )
        )
    else:
        log.warning("%s.%s: event type %s is not emulated locally", function, name, kind)


def _parsed_input(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(value) if isinstance(value, str) else value


def _http_api_event_requires_auth(resources: StackResources, event: dict[str, Any]) -> bool:
    properties = event.get("Properties") or {}
    auth = resources.resolve(properties.get("Auth")) or {}
    authorizer = auth.get("Authorizer")
    if authorizer is None:
        api_auth = _api_auth(resources, properties.get("ApiId"))
        authorizer = api_auth.get("DefaultAuthorizer")
    return authorizer not in (None, "", "NONE")


def _api_auth(resources: StackResources, api_id: Any) -> dict[str, Any]:
    template = resources.template
    if isinstance(api_id, dict) and isinstance(api_id.get("Ref"), str):
        try:
            api = template.resource(api_id["Ref"])
        except TemplateError:
            return {}
        return resources.resolve(api.properties.get("Auth")) or {}
    globals_api = (template.document.get("Globals") or {}).get("HttpApi") or {}
    return resources.resolve(globals_api.get("Auth")) or {}


def _explicit_route(
    resources: StackResources, resource: Resource, function_arns: dict[str, str]
) -> HttpRoute | None:
    properties = resources.resolve(resource.properties)
    route_key = str(properties.get("RouteKey", ""))
    target = str(properties.get("Target", ""))
    integration_id = target.removeprefix("integrations/")
    try:
        integration = resources.resolve(resources.template.resource(integration_id).properties)
    except TemplateError:
        log.warning("Route %s: no integration %s in the template", route_key, integration_id)
        return None
    uri = str(integration.get("IntegrationUri", ""))
    function = next((logical_id for arn, logical_id in function_arns.items() if arn in uri), None)
    if function is None:
        log.warning("Route %s: its integration does not target a local function", route_key)
        return None
    if str(integration.get("PayloadFormatVersion", "2.0")) != "2.0":
        log.warning(
            "Route %s: payload format %s is sent as 2.0 locally",
            route_key,
            integration.get("PayloadFormatVersion"),
        )
    method, _, path = route_key.partition(" ")
    if route_key == "$default":
        method, path = "ANY", "$default"
    authorization = str(properties.get("AuthorizationType", "NONE")).upper()
    return HttpRoute(
        method=method.upper(), path=path, function=function, requires_auth=authorization != "NONE"
    )
