"""Uploading a file for a node's ``Path`` input: its bytes go to the object store, the
client keeps the reference (see ``psynapse_common.files``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body

from psynapse_common.blobs import Blobs
from psynapse_common.files import FileRef, safe_name

from .docs import errors

_DESCRIBED = (
    "A multipart/form-data body with the file in its field `file`. The answer is the reference a "
    "node's input holds: set it as the value of a `Path` parameter in a functionNode's `data`, "
    "and the runner hands the node a local path to the file. Files are kept once per content, as "
    "long as runs are (PSYNAPSE_RUNS_MAX_AGE_S); the body's limit is PSYNAPSE_MAX_BODY_BYTES."
)


@dataclass
class FileUpload:
    """The form: one file, in the field ``file`` (``curl -F file=@data.csv``)."""

    file: UploadFile


class FilesController(Controller):
    tags = ["files"]

    @post(
        "/files",
        status_code=201,
        summary="Upload a file for a Path input",
        description=_DESCRIBED,
        responses=errors(400, 413, 503),
    )
    async def upload(
        self,
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        blobs: NamedDependency[Blobs],
    ) -> FileRef:
        content = await data.file.read()
        return await blobs.put_file(content, safe_name(data.file.filename or ""))
