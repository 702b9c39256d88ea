"""E-mail backends whose server fails, for the tests of failing notices."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    """Nothing listens where the mail server should be."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("no mail server")


class RefusingEmailBackend(BaseEmailBackend):
    """The server answers, and refuses: 421 service not available."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("421 Service not available, closing transmission channel")
