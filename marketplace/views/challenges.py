"""Views for challenges."""
