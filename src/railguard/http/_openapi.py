"""OpenAPI pieces every envelope style's components share."""

from __future__ import annotations

from typing import Any

from railguard.core import Category

__all__ = ["common_members", "failure_schema"]


def common_members(ref: str) -> dict[str, Any]:
    """The members every envelope may carry: category, details, cause, hint, ``fields``."""
    return {
        "category": {"type": "string", "enum": [c.value for c in Category]},
        "details": {"type": "object", "description": "Structured context (JSON object)."},
        "cause": {"$ref": ref + "RailguardFailure"},
        "retry_after": {"type": "number", "description": "Server's retry hint, seconds."},
        "fields": {
            "type": "object",
            "description": "Typed fields whose names the envelope itself uses.",
        },
    }


def failure_schema(ref: str) -> dict[str, Any]:
    """``RailguardFailure``: one failure as an item (``{"type", "message", ...}``)."""
    return {
        "type": "object",
        "title": "RailguardFailure",
        "description": "A failure: its code, message and category; its typed fields as "
        "further members.",
        "required": ["type", "message"],
        "properties": {
            "type": {"type": "string"},
            "message": {"type": "string"},
            **common_members(ref),
        },
        "additionalProperties": True,
    }
