# One image for web, worker and beat (docker-compose.yml). Assets are built from the govuk-frontend
# npm package in a Node stage; nothing from node_modules is shipped.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend ./frontend
RUN npm run build

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home /app app
COPY requirements ./requirements
RUN pip install --no-cache-dir -r requirements/base.in -c requirements/lock.txt
COPY . .
COPY --from=assets /app/build ./build
# collectstatic needs settings to load; these throwaway values are never used at run time.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 REDIS_URL=redis://localhost:6379/0 \
    DJANGO_STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
 && mkdir -p /app/media && chown -R app:app /app/media
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
