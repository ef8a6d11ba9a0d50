"""/api/v1/ (h-api): endpoints, the OAuth2 token endpoint, the schema and the docs."""

app_name = "api"
urlpatterns: list = []
