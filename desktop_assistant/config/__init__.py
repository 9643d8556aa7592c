"""Typed settings with defaults and validation, their persistence, and secrets in the OS keychain."""
