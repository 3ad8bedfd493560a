"""The leading group's three supervision teams (督查组) and their inspection loop: visits to
residential compounds and service institutions, checklists, required corrections (整改) and
their follow-ups, numbered inspection reports."""
