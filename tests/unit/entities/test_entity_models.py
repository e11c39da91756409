from __future__ import annotations

import json
import re
from pathlib import Path

import pydantic
import pytest

from openconnector_core.entities import RESOURCES, models, records
from openconnector_core.entities.base import EntityModel
from openconnector_core.entities.endpoints import endpoint_regex
from openconnector_core.entities.registry import StorageKind, resource_spec
from openconnector_core.entities.slugs import derive_slug
from openconnector_core.entities.versions import bump_patch
from openconnector_core.errors import NotFoundError
from openconnector_core.gateway.matching import EndpointRef, matches

DATA = Path(__file__).resolve().parents[2] / "data"

API_RESOURCES = {
    "sources",
    "endpoints",
    "mappings",
    "rules",
    "synchronizations",
    "jobs",
    "consumers",
    "events",
    "event-subscriptions",
    "configurations",
    "registers",
    "schemas",
    "synchronization-contracts",
    "call-logs",
    "synchronization-logs",
    "job-logs",
    "event-messages",
}


def test_every_api_resource_has_a_model_and_a_storage_kind() -> None:
    assert set(RESOURCES) == API_RESOURCES
    for name, spec in RESOURCES.items():
        assert issubclass(spec.model, EntityModel), name
        assert spec.name == name
        assert spec.read_only == (spec.storage is not StorageKind.ENTITIES)


def test_read_only_resources_are_contracts_and_logs() -> None:
    read_only = {name for name, spec in RESOURCES.items() if spec.read_only}
    assert read_only == {
        "synchronization-contracts",
        "call-logs",
        "synchronization-logs",
        "job-logs",
        "event-messages",
    }


def test_an_unknown_resource_lists_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="sources"):
        resource_spec("widgets")


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (
            models.Source,
            "location isEnabled type configuration authenticationConfig authorizationHeader auth "
            "authorizationPassthroughMethod locale accept jwt jwtId secret username password apikey "
            "documentation loggingConfig oas paths headers translationConfig endpointsConfig status "
            "objectCount test logRetention errorRetention rateLimitLimit rateLimitRemaining rateLimitReset "
            "rateLimitWindow lastCall lastSync dateCreated dateModified",
        ),
        (
            models.Endpoint,
            "endpoint endpointArray endpointRegex method targetType targetId conditions inputMapping "
            "outputMapping rules configurations created updated",
        ),
        (models.Mapping, "mapping unset cast passThrough dateCreated dateModified"),
        (
            models.Synchronization,
            "sourceId sourceType sourceHash sourceHashMapping sourceTargetMapping sourceConfig "
            "sourceLastChanged sourceLastChecked sourceLastSynced currentPage targetId targetType targetHash "
            "targetSourceMapping targetConfig targetLastChanged targetLastChecked targetLastSynced "
            "conditions followUps actions status",
        ),
        (models.Rule, "action timing conditions type configuration order"),
        (
            models.Job,
            "jobClass arguments interval executionTime timeSensitive allowParallelRuns isEnabled singleRun "
            "scheduleAfter userId jobListId logRetention errorRetention lastRun nextRun status",
        ),
        (models.Consumer, "domains ips authorizationType authorizationConfiguration userId"),
        (
            models.Event,
            "source type specversion time datacontenttype dataschema subject data userId processed status",
        ),
        (
            models.EventSubscription,
            "source types config filters sink protocol protocolSettings style status userId",
        ),
        (models.Configuration, "name description version slug reference app type items"),
        (
            records.SynchronizationContract,
            "uuid version synchronizationId originId originHash sourceLastChanged sourceLastChecked "
            "sourceLastSynced targetId targetHash targetLastChanged targetLastChecked targetLastSynced "
            "targetLastAction created updated sourceId sourceHash subObjectOriginIds",
        ),
        (
            records.SynchronizationLog,
            "uuid message synchronizationId result userId sessionId test force executionTime created "
            "expires size",
        ),
        (
            records.SynchronizationContractLog,
            "uuid message synchronizationId synchronizationContractId synchronizationLogId source target "
            "targetResult userId sessionId test force expires created size",
        ),
        (
            records.JobLog,
            "uuid level message jobId jobListId jobClass arguments executionTime userId sessionId "
            "stackTrace expires lastRun nextRun created size",
        ),
        (
            records.CallLog,
            "uuid statusCode statusMessage request response sourceId actionId synchronizationId userId "
            "sessionId expires created size",
        ),
        (
            records.EventMessage,
            "uuid eventId consumerId subscriptionId status payload lastResponse retryCount lastAttempt "
            "nextAttempt created updated",
        ),
    ],
)
def test_models_carry_every_field_of_the_reference(model: type[EntityModel], fields: str) -> None:
    assert set(fields.split()) <= model.wire_fields()


def test_common_fields_on_configuration_entities() -> None:
    common = {"id", "uuid", "name", "description", "reference", "version", "slug", "configurations"}
    for spec in RESOURCES.values():
        if spec.storage is StorageKind.ENTITIES:
            assert common | {"created", "updated"} <= spec.model.wire_fields(), spec.name


def test_defaults_of_the_reference() -> None:
    source = models.Source().to_wire()
    assert source["isEnabled"] is True
    assert source["logRetention"] == 3600
    assert source["errorRetention"] == 86400
    assert source["configuration"] == {}
    job = models.Job().to_wire()
    assert job["jobClass"] == "OCA\\OpenConnector\\Action\\PingAction"
    assert (job["interval"], job["executionTime"], job["isEnabled"], job["singleRun"]) == (
        3600,
        3600,
        True,
        False,
    )
    assert models.Rule().timing == "before"
    assert models.Rule().order == 0
    assert models.Synchronization().current_page == 1
    assert models.EventSubscription().style == "push"
    assert models.EventSubscription().status == "active"
    assert models.Event().specversion == "1.0"
    assert records.JobLog().level == "INFO"
    assert records.SynchronizationContractLog().synchronization_log_id == "n.a."


def test_wire_names_are_camel_case_and_python_names_snake_case() -> None:
    source = models.Source.model_validate({"isEnabled": False, "jwtId": "x"})
    assert source.is_enabled is False
    assert source.jwt_id == "x"
    assert models.Source(is_enabled=False).to_wire()["isEnabled"] is False


def test_unknown_fields_are_rejected_by_name() -> None:
    with pytest.raises(pydantic.ValidationError, match="passTrough"):
        models.Mapping.model_validate({"name": "m", "passTrough": True})


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (models.Endpoint, {"method": "FETCH"}, "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
        (models.Endpoint, {"targetType": "ftp"}, "register/schema, api, database"),
        (models.Synchronization, {"sourceType": "nowhere"}, "register/schema"),
        (models.Synchronization, {"targetType": "nowhere"}, "register/schema"),
        (models.Rule, {"type": "teleport"}, "fetch_file"),
        (models.Rule, {"timing": "during"}, "before, after"),
        (models.Source, {"type": "carrier-pigeon"}, "soap"),
        (models.Consumer, {"authorizationType": "magic"}, "jwt"),
        (models.EventSubscription, {"style": "shout"}, "push, pull"),
    ],
)
def test_enumerations_list_the_valid_values(
    model: type[EntityModel], data: dict[str, str], message: str
) -> None:
    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        model.model_validate(data)


def test_methods_are_stored_as_written_and_checked_in_any_case() -> None:
    assert models.Endpoint.model_validate({"method": "get"}).method == "get"
    with pytest.raises(pydantic.ValidationError, match="is not one of"):
        models.Endpoint.model_validate({"method": "fetch"})


def test_php_empty_arrays_become_empty_objects() -> None:
    source = models.Source.model_validate({"authenticationConfig": [], "configuration": []})
    assert source.authentication_config == {}
    assert source.configuration == {}


def test_timestamps_are_iso_with_offset() -> None:
    assert (
        models.Source.model_validate({"lastCall": "2024-03-21 12:00:00"}).last_call
        == "2024-03-21T12:00:00+00:00"
    )
    assert (
        models.Job.model_validate({"nextRun": "2024-03-21T12:00:00Z"}).next_run == "2024-03-21T12:00:00+00:00"
    )
    with pytest.raises(pydantic.ValidationError, match="ISO-8601"):
        models.Job.model_validate({"nextRun": "next tuesday"})


def test_a_scalar_synchronization_rule_configuration_is_normalized() -> None:
    rule = models.Rule.model_validate({"configuration": {"synchronization": "12"}})
    assert rule.configuration == {"synchronization": {"synchronization": "12", "retainResponse": False}}


@pytest.mark.parametrize(
    ("name", "style", "slug"),
    [
        ("My  API (v2)", "plain", "my-api-v2"),
        ("  Hello World  ", "plain", "hello-world"),
        ("Café Crème", "plain", "caf-cr-me"),
        ("Café Crème", "transliterate", "cafe-creme"),
        ("--x--", "plain", "x"),
    ],
)
def test_slugs(name: str, style: str, slug: str) -> None:
    assert derive_slug(name, style, "0190-abcd-1234abcd", "source") == slug


def test_an_empty_slug_falls_back_to_kind_and_id() -> None:
    assert (
        derive_slug("!!!", "transliterate", "01900000-0000-7000-8000-0000deadbeef", "mapping")
        == "mapping-deadbeef"
    )
    assert derive_slug(None, "plain", "01900000-0000-7000-8000-0000deadbeef", "rule") == "rule-deadbeef"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("0.0.3", "0.0.4"),
        ("0.0.9", "0.0.10"),
        ("1.2", "1.3"),
        ("2", "3"),
        ("1.0.0-beta", "1.0.0-beta.1"),
        (None, "0.0.1"),
    ],
)
def test_version_patch_bump(before: str | None, after: str) -> None:
    assert bump_patch(before) == after


@pytest.mark.parametrize(
    ("endpoint", "matches", "does_not_match"),
    [
        (
            "api/buildings/{{id}}",
            ["api/buildings", "api/buildings/5"],
            ["api/buildings/5/x", "api/buildingsX", "api/buildings\n"],
        ),
        ("api/buildings", ["api/buildings"], ["api/buildings/5"]),
        ("zaken/{{id}}/documents", ["zaken/1/documents"], ["zaken/documents"]),
        ("a/{{x}}/{{y}}/b", ["a/1/2/b"], ["a/1/b"]),
        ("v1/{{a}}/z/{{b}}", ["v1/1/z", "v1/1/z/2"], ["v1/z/2"]),
        # Regex characters are taken as written, as upstream: ``?`` makes the ``h`` optional.
        ("api/search?", ["api/search", "api/searc"], ["api/search?"]),
        # The first segment is never a placeholder, as upstream: it is matched as written.
        ("{{x}}/items", ["{{x}}/items"], ["1/items", "items"]),
    ],
)
def test_endpoint_regex(endpoint: str, matches: list[str], does_not_match: list[str]) -> None:
    pattern = re.compile(endpoint_regex(endpoint))
    assert [path for path in matches if not pattern.match(path)] == []
    assert [path for path in does_not_match if pattern.match(path)] == []


def test_the_stored_regex_is_the_one_the_gateway_matches_with() -> None:
    """Over every definition and request path of the endpoint corpus, plus the known traps."""
    corpus = json.loads((DATA / "conformance" / "endpoints.json").read_text())["cases"]
    definitions = {case["endpoint"] for case in corpus} | {"api/search?", "{{x}}/items", "a/{{x}}/{{y}}/b"}
    paths = {case["requestPath"] for case in corpus} | {"api/searc", "{{x}}/items", "1/items", "a/1/2/b"}
    assert len(definitions) > 10
    for definition in sorted(definitions):
        stored = re.compile(endpoint_regex(definition))
        for path in sorted(paths):
            gateway = matches(EndpointRef(definition, "GET"), path, "GET")
            assert (stored.match(path) is not None) is gateway, (definition, path)


def test_every_scheme_name_the_call_engine_accepts_is_a_harmless_source_auth_value() -> None:
    """Source.auth holding a scheme name is configuration, not a credential: it is never masked."""
    from openconnector_core.entities.enums import SOURCE_AUTH_SCHEMES
    from openconnector_core.entities.registry import SOURCE_SECRETS
    from openconnector_core.entities.secrets import extract
    from openconnector_core.sources.auth.registry import ALIASES, SCHEMES

    assert set(SOURCE_AUTH_SCHEMES) == set(SCHEMES) | set(ALIASES)
    for name in SOURCE_AUTH_SCHEMES:
        assert extract({"auth": name.upper()}, SOURCE_SECRETS) == ({"auth": name.upper()}, {}), name
    assert extract({"auth": "s3cret-pass"}, SOURCE_SECRETS)[1] == {"/auth": "s3cret-pass"}
