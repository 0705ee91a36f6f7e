"""Tests of `personagen up` (personagen/stack): discovery, ports, privileges, processes."""
