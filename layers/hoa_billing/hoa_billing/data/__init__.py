"""The data layer: the only package that knows tables, keys, indexes, stored attribute
names and DynamoDB expressions (and, with ``queues`` and ``parameters``, SQS and SSM).

Each repository is named for what the features ask of it and satisfies their ports
(``hoa_billing.<feature>.ports``) structurally; it imports no feature.
"""
