"""Shared decisions of a district's platform: votes of the members on agenda items, the
quorum rule, and public polls that ask residents before a decision."""
