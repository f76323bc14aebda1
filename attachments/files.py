"""What an uploaded file is, decided from its bytes alone (never its name or the type the client
sent), and an image's thumbnail.

Taken: PNG, JPEG, WebP and GIF images that Pillow decodes as the format their signature names, and
PDFs. Everything else is refused: HTML, SVG (an image that can hold script), archives, and a file
whose signature and content disagree. An image is decoded before it is taken, so a truncated or
forged one is refused; its size in pixels is read from its header first and refused above
MAX_PIXELS, so a decompression bomb (a few KB that would decode to gigabytes) is never decoded.
A file that is also something else (a GIF that is also a script) is still only ever served as
what it was checked to be, with nosniff and a sandbox (attachments/serving.py): it cannot run.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from attachments.models import GIF, JPEG, PDF, PNG, WEBP

# Screenshots of three 4K screens side by side are 25 megapixels; decoding this many takes about
# 120 MB, the most one upload may cost a worker.
MAX_PIXELS = 30_000_000
THUMBNAIL_SIZE = (320, 320)
NOT_TAKEN = "The file must be a PNG, JPEG, WebP or GIF image or a PDF."
UNREADABLE = "The image could not be read: it is damaged or not what its format says."
TOO_MANY_PIXELS = f"The image is too large: at most {MAX_PIXELS:,} pixels."
# Pillow's name of each image format, and the extension a stored file gets.
PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP", GIF: "GIF"}
EXTENSIONS = {PNG: "png", JPEG: "jpg", WEBP: "webp", GIF: "gif", PDF: "pdf"}


class Refused(ValueError):
    """The file is not taken; the message says why."""


@dataclass(frozen=True)
class Checked:
    content_type: str
    thumbnail: bytes | None  # a PNG, for images


def sniff(data: bytes) -> str | None:
    """The media type the file's signature names, among those taken."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def check(data: bytes) -> Checked:
    """What `data` is, with an image's thumbnail; Refused when it is not taken."""
    content_type = sniff(data)
    if content_type is None:
        raise Refused(NOT_TAKEN)
    if content_type == PDF:
        return Checked(PDF, None)
    return Checked(content_type, _thumbnail(data, PILLOW_FORMATS[content_type]))


def _thumbnail(data: bytes, pillow_format: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the decoder the signature named: a file can't pass as another format.
            image = Image.open(io.BytesIO(data), formats=[pillow_format])
            if image.width * image.height > MAX_PIXELS:
                raise Refused(TOO_MANY_PIXELS)
            image.load()  # the first frame, whole: a truncated or forged image fails here
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            thumbnail = io.BytesIO()
            image.convert("RGBA").save(thumbnail, "PNG", optimize=True)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(TOO_MANY_PIXELS) from None
    except (OSError, SyntaxError, ValueError, EOFError):  # what Pillow raises for a file it can't decode
        raise Refused(UNREADABLE) from None
    return thumbnail.getvalue()
