"""The review form, reopening, and the officials' comparison table with exports."""
