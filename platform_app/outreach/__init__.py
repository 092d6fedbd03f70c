"""News of the platform: announcements on the public pages, optionally sent to consenting
people of one segment on their own channel."""
