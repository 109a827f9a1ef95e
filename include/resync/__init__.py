"""Synchronize / Force synchronize chosen objects (the ``intacct_resync`` DAG's logic)."""
