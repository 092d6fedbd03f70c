"""The interventions' writes, one module per part: companies' pledges and their allocation,
fundraising events and company representatives, interventions with their kits, and the
maintenance guides and their reminders.
"""
