"""E-mail notices of review actions, reminders of missing figures, and each user's profile
(language of their e-mails, notices on or off)."""
