"""Views for proposals."""
