"""Integrate: the governed coordination layer.

Partners submit forecasts, capacity, inventory, deliveries, risk signals, disruptions and GS1 EPCIS
2.0 events; each reads another's data only as a data-sharing agreement in force allows (fields,
granularity, purpose, validity), and every access is recorded in the hash-chained audit log.
"""
