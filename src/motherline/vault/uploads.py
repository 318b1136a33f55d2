"""Receiving uploaded files: in memory only, and no more than the limit.

Django's default handlers write an upload larger than 2.5 MB to a temporary file in plain
form; this handler, the only one configured (`FILE_UPLOAD_HANDLERS`), keeps every upload in
memory and stops reading at `MOTHERLINE_DOCUMENT_MAX_BYTES` (default 10 MB), counting the
bytes as they arrive. A request that declares a larger body is refused before its body is
read. The refusal is left on the request for the view to explain (`refusal`): the file is
then missing from `request.FILES`, never cut short.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import HttpRequest

TOO_LARGE = "too_large"
# Room for the form's other fields and the multipart boundaries around the file.
ENVELOPE = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "MOTHERLINE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def refusal(request: HttpRequest) -> str | None:
    """Why an upload of this request was refused (`TOO_LARGE`), or None."""
    return getattr(request, "_motherline_upload_refused", None)


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Every uploaded file in memory, each at most `max_bytes()`."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        self.limit = max_bytes()
        self.declared_too_large = content_length > self.limit + ENVELOPE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.declared_too_large:
            self._refuse(connection_reset=True)
        self.file = BytesIO()
        self.received = 0
        raise StopFutureHandlers()

    def _refuse(self, *, connection_reset: bool) -> None:
        setattr(self.request, "_motherline_upload_refused", TOO_LARGE)  # noqa: B010
        raise StopUpload(connection_reset=connection_reset)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.file = BytesIO()  # drop what was kept at once
            # The body's rest is read and dropped: it is at most the declared length, which
            # passed the check above.
            self._refuse(connection_reset=False)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
