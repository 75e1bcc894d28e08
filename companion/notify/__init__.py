"""Notifications that never spoil: e-mail digests, reply notices and schedule reminders.

Everything a message says about a circle's discussion is read through the same gate as
the pages (`companion.comments`), for the member it goes to, at the moment it is written.

- `tokens`      signed, expiring links: verify an address, reset a password, unsubscribe
- `settings`    what each member wants per circle (digest off/daily/weekly, replies
                off/now/digest, reminders), with the defaults when they chose nothing
- `digest`      what a digest may tell a member, through the gate: one builder for the
                mail, the in-app "newly unlocked" page and the settings preview
- `compose`     what a member may be told: a Delivery → a Message (subject, text and HTML
                parts from the same templates, List-Unsubscribe headers), or None
- `mail`        sending a Message: SMTP when MAIL_SERVER is set, else an .eml file in
                instance/outbox/ (Flask-Mailman)
- `deliveries`  which messages are due, recorded before they are sent (idempotent across
                restarts), sent with retries and backoff, failures reported
- `views`       the settings page, the outbox page, unsubscribe; `api` the
                /api/v1/me/notifications routes
"""
