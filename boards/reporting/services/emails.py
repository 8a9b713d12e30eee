"""Email composition shared by the digest and the report: HTML with a text part, and charts as inline
images referenced by cid: so they show in ordinary mail clients (no remote images, no data: URLs)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage, MIMEPart
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@dataclass(frozen=True)
class InlineImage:
    cid: str  # without angle brackets; the HTML refers to it as src="cid:<cid>"
    png: bytes
    filename: str


class InlineImagesEmail(EmailMultiAlternatives):
    """text/plain and text/html alternatives, the HTML wrapped in multipart/related with its images,
    the structure mail clients expect for images that belong to the HTML."""

    def __init__(self, *args: Any, images: list[InlineImage] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.images = images or []

    def _add_bodies(self, msg: EmailMessage) -> EmailMessage:
        msg = super()._add_bodies(msg)  # type: ignore[misc]  # a private Django method django-stubs leaves out
        if self.images:
            # compose() always attaches the HTML alternative.
            html = cast(MIMEPart, msg.get_body(preferencelist=("html",)))
            for image in self.images:
                html.add_related(
                    image.png,
                    maintype="image",
                    subtype="png",
                    cid=f"<{image.cid}>",
                    disposition="inline",
                    filename=image.filename,
                )
        return msg


def compose(
    *, subject: str, to: str, text: str, html: str, images: list[InlineImage] | None = None
) -> InlineImagesEmail:
    message = InlineImagesEmail(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        images=images,
    )
    message.attach_alternative(html, "text/html")
    return message
