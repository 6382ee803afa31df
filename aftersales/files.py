"""Checks on uploaded attachments: count, size, declared content type AND the file's own magic bytes."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The first bytes each accepted type starts with (WebP: "RIFF", 4 bytes of size, then "WEBP").
MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}
TYPE_NAMES = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WebP", "application/pdf": "PDF",
}


def sniff_content_type(head: bytes) -> str | None:
    """The accepted type the bytes really are, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for content_type, signatures in MAGIC.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, with what the store records about it."""

    file: object  # a django File (UploadedFile or ContentFile)
    filename: str
    content_type: str
    size: int
    sha256: str


def _accepted_types_text() -> str:
    return ", ".join(TYPE_NAMES.get(t, t) for t in settings.AFTERSALES_ATTACHMENT_CONTENT_TYPES)


def upload_check(upload) -> CheckedUpload:
    """Raises ValidationError naming the file and the problem unless the upload may be attached."""
    name = getattr(upload, "name", "") or "file"
    limit = settings.AFTERSALES_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is too big (%(size)s); the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = sniff_content_type(head)
    accepted = settings.AFTERSALES_ATTACHMENT_CONTENT_TYPES
    if declared not in accepted or sniffed not in accepted or sniffed != declared:
        raise ValidationError(
            _("“%(name)s” is refused: only %(types)s files are accepted, and the file must really be one.")
            % {"name": name, "types": _accepted_types_text()},
            code="refused_type",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(file=upload, filename=name[:200], content_type=sniffed, size=upload.size,
                         sha256=digest.hexdigest())


def uploads_check(uploads) -> list[CheckedUpload]:
    """Checks every upload of one message, and their number; all the problems in one ValidationError."""
    uploads = list(uploads or [])
    most = settings.AFTERSALES_ATTACHMENT_MAX_FILES
    if len(uploads) > most:
        raise ValidationError(
            _("At most %(most)s files may be attached to one message; %(count)s were sent.")
            % {"most": most, "count": len(uploads)},
            code="too_many",
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(upload_check(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked
