"""E-mail backends for development."""

import sys

from django.core.mail.backends.base import BaseEmailBackend


class ConciseConsoleBackend(BaseEmailBackend):
    """Print each outgoing e-mail as its headers and plain-text body, naming attachments
    instead of dumping them (a receipt PDF in base64 would fill the terminal)."""

    def send_messages(self, email_messages):
        stream = sys.stdout
        for message in email_messages:
            attachments = [
                attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
                for attachment in message.attachments
            ]
            stream.write(f"\n--- E-mail to {', '.join(message.to)}: {message.subject}\n")
            stream.write(message.body.rstrip() + "\n")
            if attachments:
                stream.write(f"[attachments: {', '.join(str(name) for name in attachments)}]\n")
            stream.write("---\n")
            stream.flush()
        return len(email_messages)
