"""Deployment files (deploy/, docker-compose.yml) checked offline: schemas, CLI and settings."""
