"""Tests of the LLM-judgement helpers of the writing-sample analysis (the measured stylometry
is tested in tests/shared/stylometry)."""
