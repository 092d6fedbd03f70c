"""platform_app's writes, one module per domain: the registry of organizations and its imports,
platform members, meetings, agreements, the work plan and role guide, the delivery ledger, data-
subject rights, and the places and accounts they hang on.
"""
