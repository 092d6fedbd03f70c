"""Call lists: the invited organizations that no email or text message reaches, phoned by
the desk, and the outcome of each call."""
