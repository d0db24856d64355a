"""Job-creation forecasts and the governor's office views (ROADMAP item 1; empty until its issue)."""
