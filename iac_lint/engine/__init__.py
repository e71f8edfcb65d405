"""Rule loading, evaluation, suppression and baselines."""
