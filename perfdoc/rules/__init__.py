"""Checking: every rule over the model, and the one diagnostic format."""
