"""The template's AWS resources made real in the emulator, and what Ref/GetAtt answer for them.

Physical names are deterministic (``<stack>-<LogicalId>`` unless the template names the resource), so
they stay the same across restarts and the data in the state directory keeps matching them.
"""

from __future__ import annotations

import json
import logging
import secrets as random_secrets
import string
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError

from openconnector_local.template import Resource, SamTemplate, TemplateError

log = logging.getLogger("openconnector.local.resources")


@dataclass
class PhysicalResource:
    ref: Any
    attributes: dict[str, Any] = field(default_factory=dict)


class StackResources:
    """Answers Ref/GetAtt for every resource; ``provision`` creates what the emulator can hold."""

    def __init__(self, template: SamTemplate, endpoint_url: str, access_key: str = "testing") -> None:
        self.template = template
        self.endpoint_url = endpoint_url
        self.physical: dict[str, PhysicalResource] = {}
        self._session = boto3.session.Session(
            aws_access_key_id=access_key,
            aws_secret_access_key="testing",  # noqa: S106 - the emulator checks the key id only
            region_name=template.region,
        )

    # Ref / GetAtt ----------------------------------------------------------------------------

    def ref(self, logical_id: str) -> Any:
        return self._physical(logical_id).ref

    def getatt(self, logical_id: str, attribute: str) -> Any:
        physical = self._physical(logical_id)
        if attribute in physical.attributes:
            return physical.attributes[attribute]
        raise TemplateError(f"The local stack has no value for !GetAtt {logical_id}.{attribute}")

    def resolve(self, value: Any) -> Any:
        return self.template.resolve(value, self.ref, self.getatt)

    def _physical(self, logical_id: str) -> PhysicalResource:
        if logical_id not in self.physical:
            self.physical[logical_id] = self._describe(self.template.resource(logical_id))
        return self.physical[logical_id]

    def _describe(self, resource: Resource) -> PhysicalResource:
        """Names and ARNs known without creating anything (everything but a secret's ARN)."""
        t = self.template
        region, account = t.region, t.account_id
        properties = resource.properties
        default_name = f"{t.stack_name}-{resource.logical_id}"
        kind = resource.type
        if kind in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"):
            name = self._name(properties, "TableName", default_name)
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
            return PhysicalResource(name, {"Arn": arn, "StreamArn": f"{arn}/stream/local"})
        if kind == "AWS::SQS::Queue":
            name = self._name(properties, "QueueName", default_name)
            if self.resolve(properties.get("FifoQueue")) and not name.endswith(".fifo"):
                name += ".fifo"
            url = f"{self.endpoint_url}/{account}/{name}"
            arn = f"arn:aws:sqs:{region}:{account}:{name}"
            return PhysicalResource(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})
        if kind == "AWS::S3::Bucket":
            name = self._name(properties, "BucketName", default_name.lower())
            return PhysicalResource(
                name,
                {
                    "Arn": f"arn:aws:s3:::{name}",
                    "DomainName": f"{name}.s3.amazonaws.com",
                    "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
                    "WebsiteURL": f"http://{name}.s3-website-{region}.amazonaws.com",
                },
            )
        if kind == "AWS::SecretsManager::Secret":
            name = self._name(properties, "Name", default_name)
            return PhysicalResource(None, {"Name": name})  # the ARN is known once it exists
        if kind == "AWS::Events::EventBus":
            name = self._name(properties, "Name", default_name)
            return PhysicalResource(
                name, {"Name": name, "Arn": f"arn:aws:events:{region}:{account}:event-bus/{name}"}
            )
        if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            name = self._name(properties, "FunctionName", default_name)
            return PhysicalResource(name, {"Arn": f"arn:aws:lambda:{region}:{account}:function:{name}"})
        if kind in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            name = self._name(properties, "LayerName", resource.logical_id)
            return PhysicalResource(f"arn:aws:lambda:{region}:{account}:layer:{name}:1")
        if kind in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"):
            return PhysicalResource("local", {"ApiEndpoint": "http://127.0.0.1", "ApiId": "local"})
        # Anything else only needs to be referable: its logical id stands in for the physical id.
        arn = f"arn:aws:local:{region}:{account}:{resource.logical_id}"
        return PhysicalResource(resource.logical_id, {"Arn": arn})

    def _name(self, properties: dict[str, Any], key: str, default: str) -> str:
        value = self.resolve(properties.get(key))
        return str(value) if value else default

    # Provisioning ----------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        return self._session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def provision(self) -> list[str]:
        """Create (or update) the tables, queues, buckets, secrets and event buses; returns a summary."""
        creators = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::Serverless::SimpleTable": self._simple_table,
            "AWS::SQS::Queue": self._queue,
            "AWS::S3::Bucket": self._bucket,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::Events::EventBus": self._event_bus,
        }
        wanted = [resource for resource in self.template.resources() if resource.type in creators]
        summary = []
        for resource in self.template.in_dependency_order(wanted):
            physical = self._physical(resource.logical_id)
            properties = self.resolve(resource.properties) or {}
            created = creators[resource.type](physical, properties)
            summary.append(
                f"{resource.type.split('::')[-1]} {physical.attributes.get('Name') or physical.ref}"
                + (" (created)" if created else "")
            )
        return summary

    def _table(self, physical: PhysicalResource, properties: dict[str, Any]) -> bool:
        dynamodb = self.client("dynamodb")
        name = physical.ref
        created = False
        try:
            dynamodb.describe_table(TableName=name)
        except dynamodb.exceptions.ResourceNotFoundException:
            arguments: dict[str, Any] = {
                "TableName": name,
                "KeySchema": properties["KeySchema"],
                "AttributeDefinitions": properties["AttributeDefinitions"],
            }
            billing = properties.get(
                "BillingMode", "PROVISIONED" if "ProvisionedThroughput" in properties else "PAY_PER_REQUEST"
            )
            arguments["BillingMode"] = billing
            if billing == "PROVISIONED":
                arguments["ProvisionedThroughput"] = _throughput(properties.get("ProvisionedThroughput"))
            for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                if properties.get(key):
                    indexes = [dict(index) for index in properties[key]]
                    if billing == "PROVISIONED" and key == "GlobalSecondaryIndexes":
                        for index in indexes:
                            index["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
                    arguments[key] = indexes
            if properties.get("StreamSpecification"):
                arguments["StreamSpecification"] = {
                    "StreamEnabled": True,
                    **properties["StreamSpecification"],
                }
            dynamodb.create_table(**arguments)
            created = True
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and str(ttl.get("Enabled")).lower() == "true":
            current = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if current.get("TimeToLiveStatus") != "ENABLED":
                dynamodb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
                )
        return created

    def _simple_table(self, physical: PhysicalResource, properties: dict[str, Any]) -> bool:
        key = properties.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        attribute_type = {"String": "S", "Number": "N", "Binary": "B"}[key.get("Type", "String")]
        return self._table(
            physical,
            {
                "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": attribute_type}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        )

    def _queue(self, physical: PhysicalResource, properties: dict[str, Any]) -> bool:
        sqs = self.client("sqs")
        name = physical.attributes["QueueName"]
        attributes = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "MaximumMessageSize",
            "FifoQueue",
            "ContentBasedDeduplication",
            "RedrivePolicy",
            "RedriveAllowPolicy",
        ):
            if key in properties and properties[key] is not None:
                value = properties[key]
                attributes[key] = (
                    json.dumps(value)
                    if isinstance(value, dict)
                    else str(value).lower()
                    if isinstance(value, bool)
                    else str(value)
                )
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except ClientError:
            sqs.create_queue(QueueName=name, Attributes=attributes)
            return True
        settable = {key: value for key, value in attributes.items() if key != "FifoQueue"}
        if settable:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=settable)
        return False

    def _bucket(self, physical: PhysicalResource, properties: dict[str, Any]) -> bool:
        s3 = self.client("s3")
        name = physical.ref
        try:
            s3.head_bucket(Bucket=name)
            return False
        except ClientError:
            pass
        arguments: dict[str, Any] = {"Bucket": name}
        if self.template.region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": self.template.region}
        s3.create_bucket(**arguments)
        versioning = properties.get("VersioningConfiguration")
        if versioning and versioning.get("Status"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
        return True

    def _secret(self, physical: PhysicalResource, properties: dict[str, Any]) -> bool:
        manager = self.client("secretsmanager")
        name = physical.attributes["Name"]
        created = False
        try:
            arn = manager.describe_secret(SecretId=name)["ARN"]
        except manager.exceptions.ResourceNotFoundException:
            arguments: dict[str, Any] = {"Name": name, "SecretString": _secret_string(properties)}
            if properties.get("Description"):
                arguments["Description"] = properties["Description"]
            arn = manager.create_secret(**arguments)["ARN"]
            created = True
        physical.ref = arn
        physical.attributes["Id"] = arn
        return created

    def _event_bus(self, physical: PhysicalResource, properties: dict[str, Any]) -> bool:
        events = self.client("events")
        name = physical.ref
        if name == "default":
            return False
        try:
            events.describe_event_bus(Name=name)
            return False
        except events.exceptions.ResourceNotFoundException:
            events.create_event_bus(Name=name)
            return True


def _throughput(value: Any) -> dict[str, int]:
    value = value or {}
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }


def _secret_string(properties: dict[str, Any]) -> str:
    if properties.get("SecretString") is not None:
        return str(properties["SecretString"])
    generate = properties.get("GenerateSecretString") or {}
    length = int(generate.get("PasswordLength", 32))
    excluded = set(str(generate.get("ExcludeCharacters", "")))
    alphabet = string.ascii_letters + string.digits
    if not generate.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?[]^_{|}~"
    alphabet = "".join(character for character in alphabet if character not in excluded)
    password = "".join(random_secrets.choice(alphabet) for _ in range(length))
    template = generate.get("SecretStringTemplate")
    key = generate.get("GenerateStringKey")
    if template and key:
        document = json.loads(template)
        document[key] = password
        return json.dumps(document)
    return password
