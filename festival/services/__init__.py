"""The festival's writes, one module per part: teams and proposals, judges, scoring, stages and
awards, and the live boards they refresh.
"""
