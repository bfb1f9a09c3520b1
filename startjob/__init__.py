"""startjob: a node calls `start_job(job_type, settings, item_index)` and gets a `Result`,
run durably on Temporal.

    from startjob import job, JobContext, JobClient, JobWorker

    @job("report-generator")
    def generate_report(settings: ReportSettings, ctx: JobContext) -> dict: ...

    client = await JobClient.connect()
    async with JobWorker(client, jobs=[generate_report]):
        result = await client.start_job("report-generator", {"userId": 1, "action": "x"}, 0)
"""

from activities import JobContext, Progress, job
from node_bridge import ErrorCode, Failure, JobClient, JobError, JobStatus, Result, Success
from workflows import JobWorker

from ._default_client import start_job

__all__ = [
    "ErrorCode",
    "Failure",
    "JobClient",
    "JobContext",
    "JobError",
    "JobStatus",
    "JobWorker",
    "Progress",
    "Result",
    "Success",
    "job",
    "start_job",
]
