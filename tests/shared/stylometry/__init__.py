"""Tests of the measured stylometry (``personagen_shared.stylometry``): metrics, mappings,
validation, calibration on the reference samples, and its purity (no web framework)."""
