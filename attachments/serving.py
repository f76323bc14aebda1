"""An attachment's bytes as a response no browser will run: the API's download and the web journal's
share it.

Every response says exactly what the file was checked to be (attachments/files.py) and forbids
guessing otherwise (`X-Content-Type-Options: nosniff`); it is a sandboxed document with no source
of anything (`Content-Security-Policy: default-src 'none'; sandbox`), so even a file opened on its
own can't run script or load anything; and it may not be embedded by another site
(`Cross-Origin-Resource-Policy: same-origin`). Only images checked by decoding are shown inline;
a PDF is always a download (`Content-Disposition: attachment`): a viewer would run its JavaScript.
SVG and HTML are never taken, so never served.
"""

from django.http import FileResponse

from attachments.models import PNG, Attachment
from attachments.services import storage

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
    # The trader's own file: kept by their browser only, not by a shared cache.
    "Cache-Control": "private, max-age=3600",
}


def file_response(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """The attachment's file (or its thumbnail, a PNG), with the headers above."""
    if thumbnail:
        name, content_type, inline = attachment.thumbnail, PNG, True
        filename = f"{attachment.filename.rsplit('.', 1)[0]}-thumbnail.png"
    else:
        name, content_type, inline = attachment.file, attachment.content_type, attachment.is_image
        filename = attachment.filename
    response = FileResponse(
        storage().open(name, "rb"), as_attachment=not inline, filename=filename, content_type=content_type
    )
    for header, value in SECURITY_HEADERS.items():
        response[header] = value
    return response
