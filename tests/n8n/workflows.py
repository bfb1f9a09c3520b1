"""The n8n workflow the tests import: two webhooks (POST `/webhook/startjob-node` and
`/webhook/startjob-code`), each splitting `body.items` into items and running them through
"Start Job" (with Continue On Fail) or through the seed's loop in "Start Job (code)"."""

from __future__ import annotations

from typing import Any

from tests.n8n.n8n_process import NODE_PACKAGE

__all__ = ["CODE_PATH", "NODE_PATH", "WORKFLOW_ID", "workflow"]

WORKFLOW_ID = "startjobTest0001"
NODE_PATH = "startjob-node"
CODE_PATH = "startjob-code"


def _webhook(name: str, path: str, x: int) -> dict[str, Any]:
    return {
        "id": f"{name}-id", "name": name, "type": "n8n-nodes-base.webhook", "typeVersion": 2,
        "position": [x, 0], "webhookId": f"00000000-0000-4000-8000-{path.encode().hex()[:12]}",
        "parameters": {"httpMethod": "POST", "path": path, "responseMode": "lastNode",
                       "responseData": "allEntries", "options": {}},
    }


def _split(name: str, x: int) -> dict[str, Any]:
    return {"id": f"{name}-id", "name": name, "type": "n8n-nodes-base.splitOut",
            "typeVersion": 1, "position": [x, 0],
            "parameters": {"fieldToSplitOut": "body.items", "options": {}}}


def workflow() -> dict[str, Any]:
    nodes = [
        _webhook("Node Hook", NODE_PATH, 0),
        _split("Split Node Items", 200),
        # The node as a user installs it: the community package (n8n_process.py).
        {"id": "start-job", "name": "Start Job", "type": f"{NODE_PACKAGE}.startJob",
         "typeVersion": 1, "position": [400, 0], "onError": "continueRegularOutput",
         "parameters": {"jobType": "={{ $json.jobType }}",
                        "settings": "={{ JSON.stringify($json.settings) }}", "options": {}}},
        _webhook("Code Hook", CODE_PATH, 0),
        _split("Split Code Items", 200),
        {"id": "start-job-code", "name": "Start Job (code)", "type": "CUSTOM.startJobCode",
         "typeVersion": 1, "position": [400, 200], "parameters": {}},
    ]

    def edge(target: str) -> dict[str, Any]:
        return {"main": [[{"node": target, "type": "main", "index": 0}]]}

    return {
        "id": WORKFLOW_ID, "name": "startjob n8n test", "active": False, "nodes": nodes,
        "connections": {"Node Hook": edge("Split Node Items"),
                        "Split Node Items": edge("Start Job"),
                        "Code Hook": edge("Split Code Items"),
                        "Split Code Items": edge("Start Job (code)")},
        "settings": {"executionOrder": "v1"},
    }
