"""Outgoing e-mail: SMTP when configured, otherwise ``.eml`` files in the data directory.

The file outbox keeps the embedded default server-free (an operator, or a test, reads the
message from ``<data dir>/mail/``); a message is written to a temporary name and renamed,
so a reader never sees half a message.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from lifelong.config import Settings

log = logging.getLogger("lifelong.mail")


def send(settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Send one plain-text message (RFC 5322) to ``to``."""
    message = EmailMessage()
    message["From"] = settings.mail.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.mail.sender.rpartition("@")[2] or None)
    message.set_content(body)
    if settings.mail.smtp_host:
        with smtplib.SMTP(settings.mail.smtp_host, settings.mail.smtp_port, timeout=10) as smtp:
            if settings.mail.smtp_starttls:
                smtp.starttls()
            if settings.mail.smtp_username:
                smtp.login(settings.mail.smtp_username, settings.mail.smtp_password or "")
            smtp.send_message(message)
        return
    outbox = settings.data_dir / "mail"
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.eml"
    partial = outbox / f".{name}.tmp"
    partial.write_bytes(bytes(message))
    os.replace(partial, outbox / name)
    log.info("mail to %s written to %s", to, outbox / name)
