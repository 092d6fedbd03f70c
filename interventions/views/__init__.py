"""The interventions pages, one module per area: companies and pledges, fundraising events,
interventions and their kits, maintenance guides, and the results dashboard.
"""
