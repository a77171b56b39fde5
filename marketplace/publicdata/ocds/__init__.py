"""Open data in the Open Contracting Data Standard 1.1.5: the releases of each challenge's
contracting process (``releases``), their packages (``packages``), the API (``api``) and the
daily bulk files (``bulk``). The official schema files are in ``schema/1.1.5/`` (Apache-2.0)."""
