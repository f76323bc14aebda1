"""Loaded first (pytest `-p`): a throwaway secret, so the production settings load without DEBUG."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-that-is-long-enough-for-django-checks")
os.environ.setdefault("DJANGO_SECURE_SSL", "0")
