"""DynamoDB data access. The only package in the layer that talks to DynamoDB."""
