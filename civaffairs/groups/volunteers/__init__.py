"""Registers of this working group arrive with its own issue."""
