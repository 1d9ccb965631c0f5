"""Sending messages to members through a provider (Solapi first); no Qt, no services."""
