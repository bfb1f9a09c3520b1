"""The built-in example job types: `echo`, `data-sync`, `report-generator`,
`image-processing`. Importing this package registers them."""

from .data_sync import DataSyncResult, DataSyncSettings, data_sync
from .echo import echo
from .image_processing import ImageSettings, ThumbnailResult, process_image
from .report_generator import ReportResult, ReportSettings, generate_report

__all__ = [
    "DataSyncResult",
    "DataSyncSettings",
    "ImageSettings",
    "ReportResult",
    "ReportSettings",
    "ThumbnailResult",
    "data_sync",
    "echo",
    "generate_report",
    "process_image",
]

EXAMPLE_JOBS = [echo, data_sync, generate_report, process_image]
"""The example job functions, ready for `JobWorker(jobs=...)`."""
