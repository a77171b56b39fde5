"""Views for organisations."""
