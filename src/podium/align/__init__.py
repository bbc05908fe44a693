"""Align: do incentives reward what the ecosystem needs?

Newsvendor-based supply contracts and the terms that coordinate them, checks of each partner's
incentives against what the ecosystem needs from it, and fair sharing of the cost and benefit of
joint investments (Shapley value, nucleolus, core).
"""
