"""Govern: who decides, and what happens when things go wrong.

Decision rights (RACI per decision type, versioned), forums and their cadences, escalations with
durable SLA clocks, disputes and their agreed mechanism, the strategic dependency on platform
partners, and the certification and training through which the orchestrator empowers partners.
"""
