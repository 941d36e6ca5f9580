"""Orchestrator: validates runs, schedules nodes, dispatches jobs to runner pools."""
