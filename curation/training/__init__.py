"""Feeding models: batches of windowed volumes and label vectors from a release."""
