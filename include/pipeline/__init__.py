"""The transactions pipeline: selection, extract + validate, load, routing and reconciliation as plain functions."""
