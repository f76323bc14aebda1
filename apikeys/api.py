"""API views of the apikeys app: the key in use describes itself."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.scopes import ANY_KEY
from apikeys.serializers import ApiKeySerializer


class CurrentKeyView(APIView):
    """`GET /api/v1/key`: any valid key may ask what it is (owner, scopes, expiry)."""

    required_scopes = {"GET": ANY_KEY}

    @extend_schema(summary="Describe the key in use", responses=ApiKeySerializer)
    def get(self, request) -> Response:
        return Response(ApiKeySerializer.describe(request.auth))
