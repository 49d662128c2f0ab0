"""Routines: triggers. (No longer does anything.)

This migration used to create routine files pinned at a hash; routines are now deployed by
9999_routines.py from their files whenever they change (db/deploy.py). The file stays because
existing databases have it recorded as applied.
"""
steps = []
