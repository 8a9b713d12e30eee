# Import of contacts and organisations, duplicate review and merge. Included from crm/urls.py.
urlpatterns: list = []
