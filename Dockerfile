# Arena's web and worker image (for docker-compose.yml). Participant code never runs in it:
# the worker starts separate, locked-down runner containers through the host's Docker engine.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 1000 arena
WORKDIR /app
COPY pyproject.toml README.md ./
COPY arena arena
COPY scorers scorers
COPY sandbox sandbox
COPY web web
COPY challenges challenges
RUN pip install --no-cache-dir . && chown -R arena /app
USER arena
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "web.wsgi:app"]
