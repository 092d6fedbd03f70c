"""One-time codes by SMS: the sending limits, and a registration confirmed by a mobile."""
