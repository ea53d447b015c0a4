"""The domain core every feature shares: models, money, the lifecycle (the one status
vocabulary), errors, the clock, the state changes the data layer writes, settings and
observability. Plain Python: nothing here talks to AWS."""
