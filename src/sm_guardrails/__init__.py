"""sm-guardrails."""
