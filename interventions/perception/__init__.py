"""The perception survey and the social-cohesion index (docs/impact.md).

``sampling`` computes how many answers each sector needs, ``index`` turns answers into
the published figures, ``services`` is the one write path, ``exports`` the open data.
"""
