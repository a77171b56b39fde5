"""The database engine (fallback): searches SearchEntry. Being written."""
