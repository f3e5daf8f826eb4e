FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* && pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
# collectstatic needs settings: a throwaway key for the build step only.
RUN DEBUG=1 python manage.py collectstatic --noinput \
    && useradd --system --home /app app && mkdir -p /data/private && chown app /data/private
USER app
EXPOSE 8000
