"""Translation stores nothing, so it has no operator pages; AI data processing is approved on the
organization's page (llm_server/accounts/admin.py)."""
