"""`image-processing`: fetches an image (http(s) or file URL) and writes a PNG thumbnail.

A missing or unreadable image fails non-retryably (retrying cannot fix it); network trouble
and server errors are retried.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

from .._context import JobContext
from .._definition import job
from ._storage import artifacts_dir

__all__ = ["ImageSettings", "ThumbnailResult", "process_image"]

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # bytes


class ImageSettings(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    image_url: str = Field(alias="imageUrl", min_length=1)
    max_width: int = Field(default=256, alias="maxWidth", ge=1, le=4096)
    max_height: int = Field(default=256, alias="maxHeight", ge=1, le=4096)


class ThumbnailResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    url: str
    width: int
    height: int


@job(
    "image-processing",
    retry_policy=RetryPolicy(maximum_attempts=4, initial_interval=timedelta(seconds=1)),
    start_to_close_timeout=timedelta(minutes=1),
)
async def process_image(settings: ImageSettings, ctx: JobContext) -> ThumbnailResult:
    """Fetch the image and write a thumbnail no larger than maxWidth x maxHeight."""
    ctx.progress(0.1, "fetching")
    data = await _fetch(settings.image_url)
    ctx.progress(0.5, "resizing")
    path, width, height = await asyncio.to_thread(_thumbnail, data, settings)
    ctx.progress(1.0, "written")
    return ThumbnailResult(url=path.as_uri(), width=width, height=height)


async def _fetch(url: str) -> bytes:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
        if not await asyncio.to_thread(path.is_file):
            raise ApplicationError(f"no image file at {url}", type="ImageNotFound",
                                   non_retryable=True)
        return await asyncio.to_thread(path.read_bytes)
    if parsed.scheme not in ("http", "https"):
        raise ApplicationError(
            f"imageUrl must be an http(s) or file URL, got {url!r}",
            type="UnsupportedImageUrl", non_retryable=True,
        )
    async with httpx.AsyncClient(timeout=30, follow_redirects=True) as http:
        response = await http.get(url)
    if response.status_code == 404 or 400 <= response.status_code < 500:
        raise ApplicationError(
            f"fetching {url} answered HTTP {response.status_code}",
            type="ImageNotFound", non_retryable=True,
        )
    response.raise_for_status()  # 5xx: retryable
    if len(response.content) > MAX_IMAGE_BYTES:
        raise ApplicationError(f"image at {url} is over {MAX_IMAGE_BYTES} bytes",
                               type="ImageTooLarge", non_retryable=True)
    return response.content


def _thumbnail(data: bytes, settings: ImageSettings) -> tuple[Path, int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((settings.max_width, settings.max_height))
            out = io.BytesIO()
            image.save(out, format="PNG")
            width, height = image.size
    except (UnidentifiedImageError, OSError) as err:
        raise ApplicationError(f"{settings.image_url} is not a readable image: {err}",
                               type="UnsupportedImage", non_retryable=True) from None
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = artifacts_dir("thumbnails") / f"{digest}-{width}x{height}.png"
    path.write_bytes(out.getvalue())
    return path, width, height
