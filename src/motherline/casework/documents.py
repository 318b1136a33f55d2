"""A document's file as sent to its reader: the page and the API answer with the same response."""

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404

from motherline.accounts.models import User
from motherline.casework import services
from motherline.casework.models import Document


def download(user: User, document_id: int, *, request: HttpRequest) -> FileResponse:
    """The document's content, only to whom its woman's record is visible (404 otherwise); the
    read is on the audit trail. Never cached, always saved rather than shown inline, and never
    sniffed into another type by the browser."""
    document = get_object_or_404(
        Document.objects.visible_to(user).select_related("woman"), pk=document_id
    )
    response = FileResponse(
        services.open_document(user, document, request=request),
        as_attachment=True,
        filename=document.file_name,
        content_type=document.content_type,
    )
    response["Content-Length"] = str(document.size)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
