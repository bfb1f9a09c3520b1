"""What the runner learns about a task from n8n's task data, and the idempotency key from it.

`this.startJob(jobType, settings, i)` sends only `jobType` (the task type) and `settings` in
`broker:tasksettings`; the item index, node and execution id travel in the task data the runner
asks for with `runner:taskdatarequest`. In n8n 2.8.4 (`DataRequestResponseBuilder`) they sit at
`data.itemIndex`, `data.activeNodeName` (also `data.node.name`),
`data.additionalData.executionId` and `data.workflow.id`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["TaskContext", "derive_idempotency_key"]


@dataclass(frozen=True)
class TaskContext:
    """The n8n side of one task; every field may be missing (`None`) in odd set-ups."""

    item_index: int | None = None
    node_name: str | None = None
    execution_id: str | None = None
    workflow_id: str | None = None

    @classmethod
    def from_task_data(cls, data: Any) -> TaskContext:
        """Read the identifiers from a `broker:taskdataresponse` payload, tolerating gaps."""
        if not isinstance(data, dict):
            return cls()
        node = data.get("node")
        additional = data.get("additionalData")
        workflow = data.get("workflow")
        node_name = _text(data.get("activeNodeName")) or (
            _text(node.get("name")) if isinstance(node, dict) else None)
        return cls(
            item_index=_index(data.get("itemIndex")),
            node_name=node_name,
            execution_id=_text(additional.get("executionId"))
            if isinstance(additional, dict) else None,
            workflow_id=_text(workflow.get("id")) if isinstance(workflow, dict) else None,
        )


def derive_idempotency_key(job_type: str, context: TaskContext, settings: Any) -> str | None:
    """A key that is the same when n8n retries the same item of the same node in the same
    execution, so the retry attaches to the job instead of running it twice.

    The derivation is the one `@startjob/client` uses (`deriveIdempotencyKey`): sha256 of the
    JSON array `[jobType, executionId, nodeName, itemIndex, settingsJson]`, so a node moved
    from the HTTP bridge to the runner keeps its keys. The settings take part because one
    execution can run a node several times with items numbered from 0 each time (Loop Over
    Items). `None` when the execution or node is unknown: then every call is a new job.
    """
    if not context.execution_id or not context.node_name or context.item_index is None:
        return None
    settings_json = _js_json(settings)
    text = _js_json([job_type, context.execution_id, context.node_name, context.item_index,
                     settings_json])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _js_json(value: Any) -> str:
    """`JSON.stringify` as JavaScript writes it (no spaces, non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _index(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None
