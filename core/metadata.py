"""What `OPTIONS` answers on an API path: the methods it allows, as its Allow header says.

(DRF's default describes every serializer field; without a metadata class it answers 405 while
listing OPTIONS in Allow. CORS preflights never get here: django-cors-headers answers them.)
"""

from rest_framework.metadata import BaseMetadata


class AllowedMethods(BaseMetadata):
    def determine_metadata(self, request, view) -> dict:
        return {"methods": view.allowed_methods}
