"""Routes by audience: citizens (chat), departments, operators, supervisors, and staff log-in (auth)."""
