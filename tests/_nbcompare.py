"""Helpers to compare executed notebooks (imported by the runner tests)."""

from __future__ import annotations


def merge_streams(outputs: list) -> list:
    """Join consecutive chunks of the same stream: how the kernel splits printed text into
    messages depends on timing, not on what the notebook printed (seen in CI)."""
    merged: list = []
    for out in outputs:
        if (
            merged
            and out.get("output_type") == "stream"
            and merged[-1].get("output_type") == "stream"
            and merged[-1].get("name") == out.get("name")
        ):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + out["text"]}
        else:
            merged.append(dict(out))
    return merged
