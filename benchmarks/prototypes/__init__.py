"""Prototypes of engine speed-ups, measured outside the minitorch package (see ENGINE_PLAN.md)."""
