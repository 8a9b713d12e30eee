import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("common_ground")
# Every Celery setting lives in Django settings with a CELERY_ prefix, read from the environment there.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
