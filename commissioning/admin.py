"""Commissioning: filled in by the issues that build this stage."""
