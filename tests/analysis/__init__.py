"""Tests of the writing-sample analysis: measured stylometry and the LLM-judgement helpers."""
