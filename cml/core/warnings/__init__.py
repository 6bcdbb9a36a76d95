"""Warnings to the community ("Ugly Mugs"): the messenger text, expiry, and a check for identifying details."""
