"""Helpers the tests share: fixtures data, virtual devices, waiting on conditions."""
