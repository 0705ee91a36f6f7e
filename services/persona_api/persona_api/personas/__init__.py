"""Persona CRUD and listing."""
