"""Creates the template's tables (and, as the stack grows, queues) in an AWS endpoint:
moto in-process for tests, moto's server for the local runtime."""

from __future__ import annotations

import json
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


def create_queues(stack: Stack, sqs: Any) -> None:
    """Queues in dependency order: a dead-letter queue before the queue that names it."""
    pending = dict(stack.resources("AWS::SQS::Queue"))
    while pending:
        for logical, props in list(pending.items()):
            redrive = props.get("RedrivePolicy")
            target = (redrive or {}).get("deadLetterTargetArn", {}).get("Fn::GetAtt", [None])[0]
            if target in pending:
                continue
            attributes: dict[str, str] = {
                key: str(stack.resolve(props[key]))
                for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")
                if key in props
            }
            if redrive:
                attributes["RedrivePolicy"] = json.dumps(
                    {key: str(value) for key, value in stack.resolve(redrive).items()}
                )
            name = stack.physical_name(logical)
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            stack.attributes[logical] = {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}
            del pending[logical]


def create_topics(stack: Stack, sns: Any) -> None:
    for logical in stack.resources("AWS::SNS::Topic"):
        arn = sns.create_topic(Name=stack.physical_name(logical))["TopicArn"]
        stack.attributes[logical] = {"Ref": arn, "TopicArn": arn, "TopicName": stack.physical_name(logical)}


def create_buckets(stack: Stack, s3: Any) -> None:
    """Buckets with the template's encryption, public access block and lifecycle (S3 bucket
    names are lower case; CloudFormation makes them so too)."""
    for logical, props in stack.resources("AWS::S3::Bucket").items():
        name = stack.physical_name(logical).lower()
        s3.create_bucket(Bucket=name)
        if "BucketEncryption" in props:
            # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
            rules = [
                {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
        rules = stack.resolve(props.get("LifecycleConfiguration", {}).get("Rules", []))
        if rules:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": [_lifecycle_rule(rule) for rule in rules]}
            )
        stack.attributes[logical] = {"Ref": name, "Arn": f"arn:aws:s3:::{name}", "BucketName": name}


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's spelling of a lifecycle rule as the S3 API takes it."""
    converted: dict[str, Any] = {
        "ID": rule["Id"],
        "Status": rule["Status"],
        "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        converted["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return converted


def provision(stack: Stack, clients: Any) -> Stack:
    """Create every supported resource; ``clients(service)`` returns a boto3 client."""
    create_tables(stack, clients("dynamodb"))
    create_queues(stack, clients("sqs"))
    create_topics(stack, clients("sns"))
    create_buckets(stack, clients("s3"))
    return stack
