"""`python -m bench._plain_waits ADDRESS CALLS`: section 5's baseline, plain `temporalio` holding
`CALLS` result waits (`WorkflowHandle.result()`) on workflows nobody runs.

This is what any Python process that awaits a workflow's result pays per waiting caller, with
no HTTP and nothing from startjob imported: the SDK's handle, its history long-poll and the
native core's in-flight call. The parent reads this process's RSS between the steps:

    stdout "warm"              after a warm-up like the bridge's (50 waits of 1 s that end)
    stdin  "hold"              start holding, in waves of `WAVE`
    stdout "held N"            after each wave: N results are being awaited
    stdout "holding"           all `CALLS` are waiting, a second after the last wave
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from temporalio.client import Client, WorkflowHandle

WAVE = 100
WARMUP_CALLS = 50
HOLD_SECONDS = 280
IDLE_WORKFLOW = "BenchIdle"  # no worker registers it: its result never comes


async def _wait(handle: WorkflowHandle[object, object], seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await handle.result()
    except TimeoutError:
        pass


async def _start(client: Client, queue: str, count: int) -> list[WorkflowHandle[object, object]]:
    return list(await asyncio.gather(*(
        client.start_workflow(IDLE_WORKFLOW, id=f"bench-idle-{uuid.uuid4()}", task_queue=queue)
        for _ in range(count))))


async def main(address: str, calls: int) -> None:
    client = await Client.connect(address)
    queue = f"bench-plain-idle-{uuid.uuid4()}"
    warm = await _start(client, queue, min(WARMUP_CALLS, calls))
    await asyncio.gather(*(_wait(handle, 1.0) for handle in warm))
    del warm
    print("warm", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    held: list[asyncio.Task[None]] = []
    for wave in range(0, calls, WAVE):
        handles = await _start(client, queue, min(WAVE, calls - wave))
        held += [asyncio.create_task(_wait(handle, HOLD_SECONDS)) for handle in handles]
        del handles
        await asyncio.sleep(0.2)
        print(f"held {len(held)}", flush=True)
    await asyncio.sleep(1.0)  # every task is now in its long-poll
    print("holding", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
