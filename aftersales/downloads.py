"""Serving an attachment once a view has checked who may read it: never from a public MEDIA URL."""

from django.conf import settings
from django.http import FileResponse


def attachment_response(attachment) -> FileResponse:
    """Accepted types (images, PDF) show inline; anything else (a legacy file of another type) downloads as
    opaque bytes, so a browser never renders it as a page of this site."""
    inline = attachment.content_type in settings.AFTERSALES_ATTACHMENT_CONTENT_TYPES
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
