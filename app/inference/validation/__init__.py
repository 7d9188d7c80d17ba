"""Validation of a model on a host: figures, criteria, capacity, tuning, fleets, charts and the report."""
