"""Rows of the API table: webhooks."""

from __future__ import annotations

ROWS: list = []
