"""Learn: is the ecosystem getting better?

The ecosystem's KPIs computed from what partners submit and what governance records, partner
scorecards, the segmentation of relationships with recommendations (deepen, maintain, redesign,
exit), the learning log of reviews, and the executive report.
"""
