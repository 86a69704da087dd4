"""Demo data builders used by ``manage.py seed_demo``: people, targets, leads with history."""
