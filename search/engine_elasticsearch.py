"""The Elasticsearch engine. Being written."""
