"""Bring a deployed invoices table up to the listing email state and the counts.

    PYTHONPATH=layers/hoa_billing .venv/bin/python scripts/migrate_invoices.py \\
        --invoices-table STACK-InvoicesTable-XXXX --properties-table STACK-PropertiesTable-XXXX

1. Every published invoice without it gets ``els``, the email state the Invoices page
   lists, from its ``email_status`` (one conditional UpdateItem each: an invoice that
   already has it is left alone).
2. Every property's invoices are counted from the listing index into its counts item
   (``DynamoInvoiceListings.recount``).

Run it once the new indexes exist and the new code is deployed (docs/data-model.md),
while nobody changes invoices: a transition between the count's reading and its writing
is not in the count. It is safe to run again. Uses the credentials and region of the
environment (AWS_PROFILE, AWS_REGION).
"""

from __future__ import annotations

import argparse

import boto3

from hoa_billing.data.directory import DynamoDirectory
from hoa_billing.data.invoice_shape import EMAIL_NOT_SHOWN, EMAIL_SHOWN
from hoa_billing.data.listings import DynamoInvoiceListings


def listing_email_states(client: object, table: str) -> int:
    """Give every published invoice its listing email state; how many were given one."""
    given = 0
    paginator = client.get_paginator("scan")  # type: ignore[attr-defined]
    pages = paginator.paginate(
        TableName=table,
        ProjectionExpression="invoice_id, #status, email_status, #els",
        ExpressionAttributeNames={"#els": EMAIL_SHOWN, "#status": "status"},
    )
    for page in pages:
        for item in page["Items"]:
            status = item.get("email_status", {}).get("S")
            if status is None or EMAIL_SHOWN in item or item.get("status", {}).get("S") == "Draft":
                continue  # not an invoice, already given one, or a draft (nothing to show yet)
            shown = "queued" if status in EMAIL_NOT_SHOWN else status
            try:
                client.update_item(  # type: ignore[attr-defined]
                    TableName=table,
                    Key={"invoice_id": item["invoice_id"]},
                    UpdateExpression="SET #els = :shown",
                    ConditionExpression="attribute_exists(invoice_id) AND attribute_not_exists(#els)",
                    ExpressionAttributeNames={"#els": EMAIL_SHOWN},
                    ExpressionAttributeValues={":shown": {"S": shown}},
                )
                given += 1
            except client.exceptions.ConditionalCheckFailedException:  # type: ignore[attr-defined]
                continue  # written meanwhile by the new code, which keeps it
    return given


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices-table", required=True)
    parser.add_argument("--properties-table", required=True)
    args = parser.parse_args()
    client = boto3.client("dynamodb")
    print(f"listing email states given: {listing_email_states(client, args.invoices_table)}")
    listings = DynamoInvoiceListings(args.invoices_table, client)
    for property_id in DynamoDirectory(args.properties_table, client).all_property_ids():
        totals = listings.recount(property_id)
        counts = ", ".join(f"{status.value} {n}" for status, n in totals.counts.items())
        print(f"{property_id}: {counts}; drafts' total {totals.draft_total}")


if __name__ == "__main__":
    main()
