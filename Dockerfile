FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* && pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
# .dockerignore leaves out secrets and local state, the tests, the benchmark tools (bench/)
# and the demo's data and seed_demo: this image is production's.
COPY . .
# collectstatic needs settings: throwaway keys for the build step only. DEBUG stays off, as
# at run time, so that the hashed names and their manifest are written.
RUN SECRET_KEY=collectstatic-only SITE_URL=http://localhost \
    FIELD_ENCRYPTION_KEY=$(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
    python manage.py collectstatic --noinput \
    && useradd --system --home /app app && mkdir -p /data/private && chown app /data/private
USER app
EXPOSE 8000
