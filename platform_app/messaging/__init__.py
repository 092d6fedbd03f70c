"""Messages to people on the channel they chose: email, SMS or WhatsApp, with their consent
per purpose, the short links in text messages and the provider's webhooks."""
