"""A real SMTP server on loopback (aiosmtpd) that records what arrives and can misbehave on cue."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        # Parsed when read, not on arrival: a benchmark's mail server must not spend its CPU parsing
        # thousands of messages while the workers sending them are being timed.
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    messages: list[Received] = field(default_factory=list)
    # Per-recipient or global replies: "" accepts; "451 ..." or "550 ..." refuses with that reply.
    reply_for_rcpt: dict[str, str] = field(default_factory=dict)
    reply_all: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options):
        reply = self.reply_all or self.reply_for_rcpt.get(address.lower(), "")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def count_for(self, address: str) -> int:
        with self.lock:
            return sum(address.lower() in (r.lower() for r in m.rcpt_tos) for m in self.messages)


class SMTPServer:
    def __init__(self, port: int):
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.port = port

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def env(self) -> dict[str, str]:
        """Environment that points a Django process's default mailer at this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "false",
        }
