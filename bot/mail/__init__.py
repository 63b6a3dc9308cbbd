"""Mail the assistant sends: one-time codes that prove an address, and news about applications.

`sending` talks SMTP to whatever server the environment names (production) or to the local one
`make run` starts (emulators/mail.py, which files every mail into a Maildir under var/mail/).
"""
