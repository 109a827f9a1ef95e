"""Alerts: one notification when a night failed, or finished green but left work for a person."""

from include.alerts.notifier import IntegrationAlert
from include.alerts.summary import NightSummary, master_data_summary, transactions_summary

__all__ = ["IntegrationAlert", "NightSummary", "master_data_summary", "transactions_summary"]
