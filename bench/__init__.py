"""Benchmarks and the model of AWS they feed; run by hand (see README, "Proving it")."""
