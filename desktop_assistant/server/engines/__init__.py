"""Pluggable engines that decide what the local server says back."""
