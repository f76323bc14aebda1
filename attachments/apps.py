"""Attachments: the screenshots and PDFs a trader keeps with a trade, checked to be what they claim,
stored through Django's storage API and served so that none of them can run in a browser."""

from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "attachments"
