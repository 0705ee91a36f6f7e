"""Tests of the shared package (``shared/personagen_shared``), mirroring its modules."""
