"""Creates the template's tables (and, as the stack grows, queues) in an AWS endpoint:
moto in-process for tests, moto's server for the local runtime."""

from __future__ import annotations

from typing import Any

from hoa_local.template import Stack

_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")


def create_tables(stack: Stack, dynamodb: Any) -> None:
    for logical, props in stack.resources("AWS::DynamoDB::Table").items():
        name = stack.physical_name(logical)
        request: dict[str, Any] = {key: props[key] for key in _TABLE_KEYS if key in props}
        request["TableName"] = name
        request["BillingMode"] = props.get("BillingMode", "PAY_PER_REQUEST")
        if "StreamSpecification" in props:
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        description = dynamodb.create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        stack.attributes[logical] = {
            "Ref": name,
            "Arn": description["TableArn"],
            "StreamArn": description.get("LatestStreamArn", ""),
        }


def provision(stack: Stack, clients: Any) -> Stack:
    """Create every supported resource; ``clients(service)`` returns a boto3 client."""
    create_tables(stack, clients("dynamodb"))
    return stack
