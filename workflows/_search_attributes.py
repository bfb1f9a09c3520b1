"""The search attributes every job carries, so ops find jobs in the Temporal UI by type, item,
n8n execution or node. The dev server registers them; a production namespace needs
`temporal operator search-attribute create` (docs/deploy.md)."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

__all__ = [
    "SA_EXECUTION_ID",
    "SA_ITEM_INDEX",
    "SA_JOB_TYPE",
    "SA_NODE_NAME",
    "SEARCH_ATTRIBUTES",
    "search_attribute_flags",
]

SA_JOB_TYPE = SearchAttributeKey.for_keyword("JobType")
SA_ITEM_INDEX = SearchAttributeKey.for_int("ItemIndex")
SA_EXECUTION_ID = SearchAttributeKey.for_keyword("ExecutionId")
SA_NODE_NAME = SearchAttributeKey.for_keyword("NodeName")

SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[str] | SearchAttributeKey[int], ...] = (
    SA_JOB_TYPE,
    SA_ITEM_INDEX,
    SA_EXECUTION_ID,
    SA_NODE_NAME,
)

_TYPE_NAMES = {"KEYWORD": "Keyword", "INT": "Int"}


def search_attribute_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    flags = []
    for key in SEARCH_ATTRIBUTES:
        flags += ["--search-attribute", f"{key.name}={_TYPE_NAMES[key.indexed_value_type.name]}"]
    return flags
