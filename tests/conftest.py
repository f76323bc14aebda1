"""Shared fixtures: an API client, users and keys made through the real managers."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
