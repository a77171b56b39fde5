"""Views for questions."""
