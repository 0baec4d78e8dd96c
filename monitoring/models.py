"""Monitoring returns against agreements' KPIs, and reminders."""
