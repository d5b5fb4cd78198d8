"""Speed measurements against baselines run side by side, reported as ratios (not timed tests)."""
